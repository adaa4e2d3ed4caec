import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { cursor } from "../../src/db/sql.js";
import { testSql } from "../helpers.js";

/**
 * src/db/sql.ts `cursor`: the device list is read through it. It reads one
 * batch ahead of its caller (PostgreSQL works on batch n+1 while the caller
 * handles batch n) and never more, closes the portal when the caller stops
 * early, and ends with the statement's error when one comes mid-way.
 *
 * A sequence counts the rows PostgreSQL has produced: nextval() runs as each
 * row is produced, and another session sees the sequence's last value at once.
 */
const sequences: string[] = [];
async function counter(): Promise<{ name: string; produced: () => Promise<number> }> {
  const name = `cursor_test_${randomBytes(6).toString("hex")}`;
  await testSql().unsafe(`CREATE SEQUENCE ${name}`);
  sequences.push(name);
  return {
    name,
    produced: async () => {
      const [row] = await testSql().unsafe<{ last_value: string; is_called: boolean }[]>(`SELECT last_value::text, is_called FROM ${name}`);
      return row!.is_called ? Number(row!.last_value) : 0;
    },
  };
}

afterAll(async () => {
  for (const s of sequences) await testSql().unsafe(`DROP SEQUENCE IF EXISTS ${s}`);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("cursor", () => {
  it("yields every row in order, in batches of the given size", async () => {
    const batches: number[][] = [];
    for await (const rows of cursor<{ i: number }>(testSql(), "SELECT i FROM generate_series(1, $1::int) i ORDER BY i", [1234], 100)) {
      batches.push(rows.map((r) => r.i));
    }
    expect(batches.map((b) => b.length)).toEqual([...Array(12).fill(100), 34]);
    expect(batches.flat()).toEqual(Array.from({ length: 1234 }, (_, k) => k + 1));
  });

  it("yields nothing for an empty result", async () => {
    const batches: unknown[] = [];
    for await (const rows of cursor(testSql(), "SELECT 1 AS x WHERE false", [], 10)) batches.push(rows);
    expect(batches).toEqual([]);
  });

  it("reads exactly one batch ahead of a caller that is busy, and no further", async () => {
    const c = await counter();
    const it = cursor<{ n: string }>(testSql(), `SELECT nextval('${c.name}') AS n FROM generate_series(1, 1000)`, [], 100)[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value).toHaveLength(100);
    // The caller holds batch 1: the next batch is produced meanwhile, the one after is not.
    await sleep(300);
    expect(await c.produced()).toBe(200);
    const second = await it.next();
    expect((second.value as { n: string }[]).map((r) => Number(r.n))).toEqual(Array.from({ length: 100 }, (_, k) => 101 + k));
    await sleep(300);
    expect(await c.produced()).toBe(300);
    let rest = 0;
    for (let r = await it.next(); !r.done; r = await it.next()) rest += r.value.length;
    expect(rest).toBe(800);
    expect(await c.produced()).toBe(1000);
  });

  it("closes the portal when the caller stops early, leaving the connection usable", async () => {
    const c = await counter();
    const sql = testSql();
    let seen = 0;
    for await (const rows of cursor(sql, `SELECT nextval('${c.name}') AS n FROM generate_series(1, 100000)`, [], 50)) {
      seen += rows.length;
      if (seen >= 100) break;
    }
    expect(seen).toBe(100);
    const after = await c.produced();
    // The two batches taken, and at most the one read ahead.
    expect(after).toBeGreaterThanOrEqual(100);
    expect(after).toBeLessThanOrEqual(150);
    await sleep(300);
    expect(await c.produced()).toBe(after);
    // Every connection of the pool still answers.
    const answers = await Promise.all(Array.from({ length: 16 }, (_, k) => sql.unsafe<{ k: number }[]>("SELECT $1::int AS k", [k])));
    expect(answers.map((r) => r[0]!.k)).toEqual(Array.from({ length: 16 }, (_, k) => k));
  });

  it("ends with the statement's error once the rows before it are yielded", async () => {
    const got: number[] = [];
    const run = async () => {
      for await (const rows of cursor<{ x: number }>(testSql(), "SELECT 1000 / (150 - i) AS x FROM generate_series(1, 300) i", [], 100)) {
        got.push(rows.length);
      }
    };
    await expect(run()).rejects.toMatchObject({ code: "22012" });
    expect(got).toEqual([100]);
    // The failed statement's rows do not shift the next results of the pool's connections (patches/postgres+3.4.9.patch).
    const answers = await Promise.all(Array.from({ length: 16 }, (_, k) => testSql().unsafe<{ k: number }[]>("SELECT $1::int AS k", [k])));
    expect(answers.map((r) => r)).toEqual(Array.from({ length: 16 }, (_, k) => [{ k }]));
  });
});
