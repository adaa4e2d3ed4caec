/**
 * TAILAPI_WORKERS: one port, several server processes, one embedded database
 * started once; a worker that dies is replaced; SIGTERM drains them all and
 * stops PostgreSQL.
 */
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { call, cleanup, createAuthKey, httpRequest, postgresPids, spawnServer, tempDataDir } from "./harness.js";

afterEach(cleanup);

describe("TAILAPI_WORKERS=2 on the embedded default", () => {
  it("serves from both workers on one port, replaces a killed worker, and stops everything on SIGTERM", async () => {
    const dir = await tempDataDir();
    const server = await spawnServer({ dataDir: dir, env: { TAILAPI_WORKERS: "2" } });
    const ready = await server.waitForLog((l) => l.msg === "tailapi workers listening", 30_000);
    const pids = ready.pids as number[];
    expect(pids).toHaveLength(2);
    // One PostgreSQL, started by the primary; one first API key, printed once.
    expect(await postgresPids(dir)).toHaveLength(1);
    expect(server.lines.filter((l) => l.includes("TAILAPI_API_KEY=")).length).toBe(1);
    expect(server.logs.filter((l) => l.msg === "tailapi listening").length).toBe(2);
    expect(server.logs.filter((l) => /^applied migrations/.test(l.msg ?? "")).length).toBe(1);
    const apiKey = server.firstApiKey!;

    // A new connection per request: the primary hands them out round-robin.
    const agent = new http.Agent({ keepAlive: false });
    for (let i = 0; i < 20; i++) {
      const r = await httpRequest(agent, server.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey });
      expect(r.status).toBe(200);
    }
    const workersSeen = new Set(server.logs.filter((l) => l.msg === "request" && l.path === "/api/v2/tailnet/-/devices").map((l) => l.worker));
    expect([...workersSeen].sort()).toEqual([1, 2]);

    // A write on one worker is read on the other (they share nothing but the database).
    const key = await createAuthKey(server.url, apiKey, { reusable: true });
    for (let i = 0; i < 4; i++) {
      const r = await httpRequest(agent, server.url, "GET", `/api/v2/tailnet/-/keys/${key.id}`, { key: apiKey });
      expect(r.status).toBe(200);
    }

    // A worker killed outright is replaced; the port keeps answering meanwhile.
    process.kill(pids[0]!, "SIGKILL");
    const replaced = await server.waitForLog((l) => l.msg === "a worker exited; starting another", 10_000);
    expect(replaced.pid).toBe(pids[0]);
    for (let i = 0; i < 10; i++) expect((await httpRequest(agent, server.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey })).status).toBe(200);
    await expect.poll(() => server.logs.filter((l) => l.msg === "tailapi listening").length, { timeout: 20_000 }).toBe(3);

    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.logs.some((l) => l.msg === "stopped" && l.worker === undefined)).toBe(true);
    expect(await postgresPids(dir)).toEqual([]);
    // Every worker is gone too.
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect((await call(server.url, "GET", "/healthz").catch(() => ({ status: 0 }))).status).toBe(0);
  }, 120_000);
});
