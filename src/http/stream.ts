/** Characters per enqueued piece: well under V8's large-object threshold (128 KiB). */
const CHUNK = 32 * 1024;
/** At most this many items per JSON.stringify call (small items: one call per CHUNK would be thousands). */
const MAX_GROUP = 256;

/**
 * Lists that can grow are written as they are read: `{"<key>":[` then each
 * item's JSON as its batch arrives from the database, then `]}`. The bytes are
 * exactly those of `JSON.stringify({ [key]: items })`, and memory stays bounded
 * by one batch (and the one the cursor reads ahead). The first batch is read
 * before the answer starts, so a failure then (the database down, say) still
 * becomes a proper error answer; a failure later can only cut the connection.
 */
export async function streamJsonList<T>(key: string, batches: AsyncIterable<T[]>, toWire: (item: T) => unknown): Promise<Response> {
  const encoder = new TextEncoder();
  const it = batches[Symbol.asyncIterator]();
  let pending: IteratorResult<T[]> | undefined = await it.next();
  let first = true;
  /** Items per JSON.stringify call, adjusted to the items' size as they come. */
  let perGroup = 16;
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(`{${JSON.stringify(key)}:[`));
      },
      async pull(controller) {
        // Each pull enqueues something: batches whose items are all filtered out are skipped here.
        for (;;) {
          const next = pending ?? (await it.next());
          pending = undefined;
          if (next.done) {
            controller.enqueue(encoder.encode("]}"));
            controller.close();
            return;
          }
          // Items are serialised a group at a time (one JSON.stringify per
          // group, its brackets dropped: the same bytes as one call per item,
          // for about a third less), each group sized to about CHUNK
          // characters: a short-lived young-generation string, rather than
          // one large object per batch that only a full collection frees.
          let chunk = "";
          let wrote = false;
          const items = next.value;
          let group: unknown[] = [];
          for (let i = 0; i < items.length; i++) {
            const wire = toWire(items[i]!);
            if (wire !== undefined) group.push(wire);
            if (group.length < perGroup && i < items.length - 1) continue;
            if (!group.length) continue;
            const json = JSON.stringify(group);
            chunk += (first ? "" : ",") + json.slice(1, -1);
            first = false;
            perGroup = Math.max(1, Math.min(MAX_GROUP, Math.round((group.length * CHUNK) / json.length)));
            group = [];
            if (chunk.length >= CHUNK) {
              controller.enqueue(encoder.encode(chunk));
              chunk = "";
              wrote = true;
            }
          }
          if (chunk) controller.enqueue(encoder.encode(chunk));
          if (chunk || wrote) return;
        }
      },
      async cancel() {
        await it.return?.(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: 200, headers: { "content-type": "application/json; charset=utf-8" } });
}
