/**
 * Lists that can grow are written as they are read: `{"<key>":[` then each
 * item's JSON as its batch arrives from the database, then `]}`. The bytes are
 * exactly those of `JSON.stringify({ [key]: items })`, and memory stays bounded
 * by one batch. The first batch is read before the answer starts, so a failure
 * then (the database down, say) still becomes a proper error answer; a failure
 * later can only cut the connection.
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
          let chunk = "";
          for (const item of next.value) {
            const wire = toWire(item);
            if (wire === undefined) continue;
            chunk += (first ? "" : ",") + JSON.stringify(wire);
            first = false;
          }
          if (chunk) {
            controller.enqueue(encoder.encode(chunk));
            return;
          }
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
