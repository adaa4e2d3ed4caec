/** Characters per enqueued piece: well under V8's large-object threshold (128 KiB). */
const CHUNK = 32 * 1024;

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
          // Enqueued in pieces of about CHUNK characters, each a short-lived
          // young-generation object, rather than one large object per batch
          // that only a full collection frees.
          let chunk = "";
          let wrote = false;
          for (const item of next.value) {
            const wire = toWire(item);
            if (wire === undefined) continue;
            chunk += (first ? "" : ",") + JSON.stringify(wire);
            first = false;
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
