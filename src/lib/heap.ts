import { setFlagsFromString } from "node:v8";

/**
 * How far V8 lets the old generation grow past what survived its last full
 * collection before it collects again: at most 1.5×. V8's own factor goes up
 * to 4× when collections are cheap, and a server's old generation fills with
 * short-lived objects that outlived a scavenge (a streamed list's batches, the
 * requests in flight): at about 30 MiB live, the bench's server peaked at
 * 205–225 MiB RSS under load and lists with V8's factor, and at 145 MiB with
 * this one, at no measurable cost in CPU per request (`npm run bench`,
 * `BENCH_NODE_FLAGS` compares flags).
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Applies HEAP_GROWING_PERCENT to this process, unless Node was started with
 * an explicit `--heap-growing-percent` (an operator's choice wins). V8 reads
 * the flag each time it sets the next collection's limit, so setting it at
 * start-up is enough. Returns whether it was applied.
 */
export function tuneHeap(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
