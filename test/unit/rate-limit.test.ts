import { describe, expect, it } from "vitest";
import { RateLimiter, type BucketCount, type RateLimitStore } from "../../src/lib/rate-limit.js";

/** The store's contract in memory: what PostgreSQL does in src/db/rate-limits.ts. */
function memoryStore(): RateLimitStore {
  const rows = new Map<string, BucketCount & { replica: string }>();
  const beats = new Map<string, number>();
  return {
    async sync(replica, mine, windowStart) {
      beats.set(replica, windowStart);
      for (const m of mine) rows.set(`${m.bucket}|${m.windowStart}|${replica}`, { ...m, replica });
      const sums = new Map<string, BucketCount>();
      for (const r of rows.values()) {
        if (r.windowStart !== windowStart || r.replica === replica) continue;
        const s = sums.get(r.bucket) ?? { tailnetId: r.tailnetId, bucket: r.bucket, windowStart, count: 0 };
        s.count += r.count;
        sums.set(r.bucket, s);
      }
      const others = [...sums.values()];
      return { others, replicas: beats.size };
    },
    async prune(windowStart) {
      for (const [k, r] of rows) if (r.windowStart < windowStart) rows.delete(k);
    },
    async leave(replica) {
      beats.delete(replica);
    },
  };
}

describe("rate limiter", () => {
  it("one replica: exactly the limit per window, then 429 until the window resets", () => {
    let now = 60_000 * 1000 + 5_000;
    const l = new RateLimiter({ replica: "a", now: () => now });
    const decisions = Array.from({ length: 12 }, () => l.take("k", "1", 10));
    expect(decisions.filter((d) => d.ok)).toHaveLength(10);
    expect(decisions[9]).toMatchObject({ ok: true, remaining: 0 });
    expect(decisions[10]).toMatchObject({ ok: false, limit: 10, remaining: 0, resetSeconds: 55, windowSeconds: 60 });
    expect(l.take("other", "1", 10).ok).toBe(true);
    now += 55_000;
    expect(l.take("k", "1", 10)).toMatchObject({ ok: true, remaining: 9 });
    expect(l.take("k", "1", 0)).toMatchObject({ ok: true });
  });

  it("replicas share the count: even load admits the limit to within R requests", async () => {
    const now = 60_000 * 2000 + 1_000;
    const store = memoryStore();
    const rs = ["a", "b", "c"].map((replica) => new RateLimiter({ replica, store, now: () => now }));
    for (const r of rs) await r.sync(); // heartbeats: each knows there are three
    let admitted = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 30; i++) if (rs[i % 3]!.take("k", "1", 100).ok) admitted++;
      for (const r of rs) await r.sync();
    }
    expect(admitted).toBeGreaterThanOrEqual(97);
    expect(admitted).toBeLessThanOrEqual(100 + 3);
  });

  it("uneven load: a replica new to a bucket admits at most its share before it syncs, and the total stays bounded", async () => {
    const now = 60_000 * 3000 + 1_000;
    const store = memoryStore();
    const [a, b] = ["a", "b"].map((replica) => new RateLimiter({ replica, store, now: () => now }));
    for (const r of [a, b, a]) await r!.sync(); // both know there are two
    // All traffic on a: before a sync it admits limit / R.
    let admitted = 0;
    for (let i = 0; i < 100; i++) if (a!.take("k", "1", 100).ok) admitted++;
    expect(admitted).toBe(50);
    // After syncs it learns nobody else used the bucket and admits the rest, never more than the limit.
    for (let s = 0; s < 20; s++) {
      await a!.sync();
      await b!.sync();
      for (let i = 0; i < 100; i++) if (a!.take("k", "1", 100).ok) admitted++;
    }
    expect(admitted).toBeGreaterThanOrEqual(98);
    expect(admitted).toBeLessThanOrEqual(100);
    // A burst on b, which never saw the bucket: it learned a's count at its sync, so it admits (almost) nothing.
    let onB = 0;
    for (let i = 0; i < 100; i++) if (b!.take("k", "1", 100).ok) onB++;
    expect(admitted + onB).toBeLessThanOrEqual(102);
  });

  it("a stopping replica reports its last requests and leaves: the others count them, and stop reserving room for it", async () => {
    const now = 60_000 * 4000 + 1_000;
    const store = memoryStore();
    const [a, b] = ["a", "b"].map((replica) => new RateLimiter({ replica, store, now: () => now }));
    for (const r of [a, b, a]) await r!.sync();
    expect(a!.replicaCount).toBe(2);
    a!.start();
    // Admitted after a's last sync: only the stop reports them.
    for (let i = 0; i < 30; i++) expect(a!.take("k", "1", 100).ok).toBe(true);
    await a!.stop();
    await b!.sync();
    expect(b!.replicaCount).toBe(1);
    // Alone now, b admits exactly what a left: 70.
    let onB = 0;
    while (b!.take("k", "1", 100).ok) onB++;
    expect(onB).toBe(70);
    // Stopping a limiter that never started syncing writes nothing.
    const idle = new RateLimiter({ replica: "c", store, now: () => now });
    idle.take("k", "1", 100);
    await idle.stop();
    await b!.sync();
    expect(b!.replicaCount).toBe(1);
  });

  it("a failed sync keeps the local view and is reported", async () => {
    const errors: unknown[] = [];
    const l = new RateLimiter({
      replica: "a",
      store: { sync: () => Promise.reject(new Error("down")), prune: async () => undefined },
      onSyncError: (e) => errors.push(e),
    });
    l.take("k", "1", 5);
    await l.sync();
    expect(errors).toHaveLength(1);
    expect(l.take("k", "1", 5).ok).toBe(true);
  });
});
