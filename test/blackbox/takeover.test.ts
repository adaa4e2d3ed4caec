/**
 * A second `tailapi serve` on the same data directory attaches to the first
 * one's embedded PostgreSQL. When the first stops (and stops its database),
 * the second takes the data directory over: a few 503s while it starts
 * PostgreSQL on the same port, never a 500, then it serves as before and owns
 * the database (stopping it on exit).
 */
import { afterEach, describe, expect, it } from "vitest";
import { call, cleanup, postgresPids, sleep, spawnServer, tempDataDir } from "./harness.js";

afterEach(cleanup);

describe("a second server on the same data directory", () => {
  it("takes the embedded database over when the first stops it, never answering 500", async () => {
    const dir = await tempDataDir();
    const first = await spawnServer({ dataDir: dir });
    const apiKey = first.firstApiKey!;
    const second = await spawnServer({ dataDir: dir });
    expect((await call(second.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey })).status).toBe(200);

    const statuses: number[] = [];
    let running = true;
    const poll = (async () => {
      while (running) {
        const r = await call(second.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey });
        statuses.push(r.status);
        if (r.status !== 200) expect(JSON.parse(r.text)).toEqual({ message: expect.any(String) });
        await sleep(20);
      }
    })();
    await sleep(200);
    const stoppedAt = performance.now();
    expect(await first.stop()).toBe(0);
    // Back to 200 once it has taken over.
    let servedAgainMs: number | undefined;
    while (performance.now() - stoppedAt < 30_000) {
      const r = await call(second.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey });
      if (r.status === 200 && statuses.includes(503)) {
        servedAgainMs = performance.now() - stoppedAt;
        break;
      }
      await sleep(50);
    }
    running = false;
    await poll;
    // eslint-disable-next-line no-console
    console.log(`takeover: served again ${servedAgainMs?.toFixed(0)} ms after the first server stopped; statuses seen: ${[...new Set(statuses)].join(", ")}`);
    expect(servedAgainMs).toBeDefined();
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect((await call(second.url, "GET", "/healthz")).status).toBe(200);
    expect((await call(second.url, "GET", "/readyz")).status).toBe(200);
    expect(second.logs.some((l) => /took over the embedded database/.test(l.msg ?? ""))).toBe(true);
    // It owns the database now: it stops it when it stops.
    expect(await postgresPids(dir)).toHaveLength(1);
    expect(await second.stop()).toBe(0);
    expect(await postgresPids(dir)).toEqual([]);
  }, 120_000);
});
