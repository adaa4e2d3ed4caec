import { describe, expect, it } from "vitest";
import { streamJsonList } from "../../src/http/stream.js";

async function* batchesOf<T>(items: T[], size: number): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * streamJsonList serialises items a group at a time, sized to the items as
 * they come; whatever the grouping, its bytes are those of serialising the
 * whole kept list at once.
 */
describe("streamJsonList", () => {
  it("writes exactly JSON.stringify of the kept items, whatever their sizes, filtered-out items and batch sizes", async () => {
    // Items from a few bytes to ~40 KB (bigger than a piece), strings that need escaping, nested values.
    const items = Array.from({ length: 3000 }, (_, i) => ({
      i,
      s: i % 97 === 0 ? "x".repeat(40_000) : `item "${i}"\n\u0001\u2028é😀`,
      nested: i % 3 === 0 ? { list: [i, null, true], deep: { a: `${i}` } } : undefined,
      ...(i % 5 === 0 ? { extra: [1, 2, 3] } : {}),
    }));
    const keep = (x: (typeof items)[number]) => (x.i % 7 === 3 || (x.i >= 1200 && x.i < 1900) ? undefined : x);
    const expected = JSON.stringify({ things: items.map(keep).filter((x) => x !== undefined) });
    for (const size of [1, 7, 500, 5000]) {
      const res = await streamJsonList("things", batchesOf(items, size), keep);
      expect((await res.text()) === expected, `batches of ${size}: bytes differ`).toBe(true);
    }
  });

  it("writes an empty list when every item is filtered out, and when there are none", async () => {
    const res = await streamJsonList("things", batchesOf([1, 2, 3], 2), () => undefined);
    expect(await res.text()).toBe('{"things":[]}');
    const none = await streamJsonList("things", batchesOf([], 2), (x) => x);
    expect(await none.text()).toBe('{"things":[]}');
  });
});
