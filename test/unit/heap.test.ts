import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tuneHeap } from "../../src/lib/heap.js";

const run = promisify(execFile);
const fixture = fileURLToPath(new URL("../fixtures/heap-churn.mjs", import.meta.url));

async function peakHeap(mode: "default" | "tuned"): Promise<number> {
  const { stdout } = await run(process.execPath, [fixture, mode], { timeout: 60_000 });
  return Number(stdout.split(" ")[0]);
}

describe("tuneHeap", () => {
  it("keeps a churning process's heap well below what V8's own growth lets it reach", async () => {
    const [own, tuned] = await Promise.all([peakHeap("default"), peakHeap("tuned")]);
    expect(own).toBeGreaterThan(100 * 1048576);
    expect(tuned).toBeLessThan(0.7 * own);
  });

  it("leaves an operator's explicit --heap-growing-percent alone", () => {
    expect(tuneHeap(["--heap-growing-percent=80"])).toBe(false);
    expect(tuneHeap(["--heap_growing_percent=80"])).toBe(false);
  });
});
