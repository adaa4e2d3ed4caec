import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { testSql } from "../helpers.js";

/**
 * patches/postgres+3.4.9.patch (applied by `npm ci` through patch-package)
 * fixes postgres.js's internal queue: it never compacted while non-empty, so
 * under sustained load (a pool whose busy or open queue never drains) it grew
 * by one slot per query and remove() scanned all of them, so a saturated
 * pool's throughput fell steadily (measured: 50 workers on a pool of 10 went
 * from ~32k to ~10k `SELECT 1`/s within 20 s; patched, it holds ~55k/s).
 * It also fixes the connection's row counter: a statement that failed after
 * sending rows (an error in a cursor's later batch, a statement_timeout part
 * way through a result) left it counting, so the next result on that
 * connection began with that many holes (`[null, …, row]`, `rows[0]`
 * undefined). ReadyForQuery now resets it. And it keeps one signature string
 * per (statement text, parameter types): postgres.js built `types + text`
 * for every query, which the prepared-statement lookup then copied flat and
 * hashed in full (4 KB for a device read, on every request).
 * These tests keep the patch in place and the queue correct.
 */
const root = new URL("../../node_modules/postgres/", import.meta.url);

type Q = { length: number; push(x: unknown): unknown; shift(): unknown; remove(x: unknown): unknown };

describe("postgres.js queue patch", () => {
  it("is applied to every build of the package", async () => {
    for (const build of ["src", "cjs/src", "cf/src"]) {
      const text = await readFile(fileURLToPath(new URL(`${build}/queue.js`, root)), "utf8");
      expect(text, build).toContain("xs.indexOf(x, index)");
      expect(text, build).toContain("xs = xs.slice(index)");
      // The second fix: a statement that fails after sending rows no longer shifts the next result (test/unit/cursor.test.ts).
      const connection = await readFile(fileURLToPath(new URL(`${build}/connection.js`, root)), "utf8");
      expect(connection, build).toMatch(/result = new Result\(\)\n(\s*\/\/.*\n)?\s*rows = 0\n/);
    }
  });

  it("keeps FIFO order and removal semantics through compactions", async () => {
    const { default: Queue } = (await import(pathToFileURL(fileURLToPath(new URL("src/queue.js", root))).href)) as { default: () => Q };
    const q = Queue();
    const model: number[] = [];
    let next = 0;
    for (let i = 0; i < 20_000; i++) {
      // Keep a few items queued at all times, as a busy pool does.
      while (model.length < 3) model.push(q.push(next++) as number);
      const out = q.shift();
      expect(out).toBe(model.shift());
      if (i % 7 === 0 && model.length) {
        const victim = model[model.length - 1]!;
        expect(q.remove(victim)).toBe(victim);
        model.pop();
      }
      expect(q.remove(out)).toBeNull(); // already shifted out
      expect(q.length).toBe(model.length);
    }
    while (model.length) expect(q.shift()).toBe(model.shift());
    expect(q.length).toBe(0);
  });

  it("guards deferred writes on a socket that closed in between (a crash seen when the database went away under load)", async () => {
    for (const build of ["src", "cjs/src", "cf/src"]) {
      const text = await readFile(fileURLToPath(new URL(`${build}/connection.js`, root)), "utf8");
      expect(text, build).toMatch(/function nextWrite\(fn\) \{\n\s+\/\/ The socket may be gone[\s\S]{0,200}if \(!socket\) \{/);
    }
  });

  it("keeps one signature per statement text and parameter types, and still tells the types apart", async () => {
    for (const build of ["src", "cjs/src", "cf/src"]) {
      const text = await readFile(fileURLToPath(new URL(`${build}/connection.js`, root)), "utf8");
      expect(text, build).toContain("q.signature = q.prepare && signatureOf(types, string)");
    }
    // One connection, one text, two parameter types (a Date is sent as
    // timestamptz, a string untyped): two prepared statements, each right.
    const conn = await testSql().reserve();
    try {
      // Were the string sent to the timestamptz statement, PostgreSQL would refuse it.
      const text = "SELECT ($1 || '!')::text AS t";
      for (let i = 0; i < 3; i++) {
        const [a] = await conn.unsafe<{ t: string }[]>(text, [new Date(0)], { prepare: true });
        const [b] = await conn.unsafe<{ t: string }[]>(text, ["not a date"], { prepare: true });
        expect(a!.t).toMatch(/^1970-01-01 00:00:00\+00!$/);
        expect(b!.t).toBe("not a date!");
      }
    } finally {
      conn.release();
    }
  });
});
