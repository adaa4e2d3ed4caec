/**
 * The database goes away under load and comes back: requests fail fast with
 * 503 (never hang, never 500), /readyz follows the database while /healthz
 * stays live, the first success after recovery comes within 1 s, no
 * acknowledged write is lost and no registration is half-applied. Then
 * `kill -9` in the middle of 50 concurrent registrations.
 */
import { afterEach, describe, expect, it } from "vitest";
import { connect } from "../../src/db/sql.js";
import { authKeyBody, call, cleanup, createAuthKey, databaseUrl, directDatabaseUrl, registerBody, seedTailnet, sleep, spawnServer } from "./harness.js";
import { startDbProxy, type DbProxy } from "./proxy.js";

let proxy: DbProxy | undefined;
/** Behind a pooler (DATABASE_DIRECT_URL set), the server's direct sessions go away with it. */
let directProxy: DbProxy | undefined;
afterEach(async () => {
  await cleanup();
  await proxy?.close();
  await directProxy?.close();
  proxy = directProxy = undefined;
});

type Outcome = { kind: "register" | "key" | "read"; start: number; end: number; status: number; id?: string; retryAfter?: string | null; text: string };

/** Devices of a tailnet that lack their node credential, or node credentials without a device: both must be none. */
async function halfRegistered(tailnetName: string): Promise<{ devices: number; orphans: number; total: number }> {
  const sql = connect(databaseUrl(), { max: 1, prepare: process.env.TAILAPI_DB_PREPARED_STATEMENTS !== "false" });
  try {
    const [r] = await sql.unsafe(
      `SELECT
         (SELECT count(*)::int FROM devices d JOIN tailnets t USING (tailnet_id)
            WHERE lower(t.name) = lower($1)
              AND NOT EXISTS (SELECT 1 FROM keys k WHERE k.tailnet_id = d.tailnet_id AND k.device_id = d.device_id AND k.key_type = 'node' AND k.revoked_at IS NULL)) AS devices,
         (SELECT count(*)::int FROM keys k JOIN tailnets t USING (tailnet_id)
            WHERE lower(t.name) = lower($1) AND k.key_type = 'node' AND k.device_id IS NULL) AS orphans,
         (SELECT count(*)::int FROM devices d JOIN tailnets t USING (tailnet_id) WHERE lower(t.name) = lower($1)) AS total`,
      [tailnetName],
    );
    return r as unknown as { devices: number; orphans: number; total: number };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

describe("PostgreSQL goes away for 5 s under load", () => {
  it("503 with Retry-After within 2 s, /readyz 503, success within 1 s of its return, no acknowledged write lost", async () => {
    proxy = await startDbProxy(databaseUrl());
    directProxy = process.env.DATABASE_DIRECT_URL ? await startDbProxy(directDatabaseUrl()) : undefined;
    const pooler = directProxy ? { DATABASE_DIRECT_URL: directProxy.url, TAILAPI_DB_PREPARED_STATEMENTS: process.env.TAILAPI_DB_PREPARED_STATEMENTS } : {};
    // Thousands of requests from one address in seconds: no rate limits here.
    const server = await spawnServer({ env: { DATABASE_URL: proxy.url, ...pooler, TAILAPI_RATE_LIMIT: "0", TAILAPI_NODE_RATE_LIMIT: "0" } });
    const { name, apiKey } = await seedTailnet({ DATABASE_URL: databaseUrl() });
    const authKey = await createAuthKey(server.url, apiKey, { reusable: true });

    const outcomes: Outcome[] = [];
    let running = true;
    let n = 0;
    const worker = async (w: number) => {
      while (running) {
        const i = n++;
        const kind = i % 3 === 0 ? "register" : i % 3 === 1 ? "key" : "read";
        const start = performance.now();
        let res;
        try {
          res =
            kind === "register"
              ? await call(server.url, "POST", "/machine/register", { body: registerBody(authKey.key, { hostname: `w${w}-${i}` }) })
              : kind === "key"
                ? await call(server.url, "POST", "/api/v2/tailnet/-/keys", { key: apiKey, body: authKeyBody({ description: `k${i}` }) })
                : await call(server.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey });
        } catch {
          // The device list is streamed: a list whose 200 had started when the database went
          // away can only be cut short (the client sees a truncated body, never a false success).
          outcomes.push({ kind, start, end: performance.now(), status: -1, text: "" });
          continue;
        }
        const id = res.status === 200 ? (kind === "register" ? res.body.device.nodeId : kind === "key" ? res.body.id : undefined) : undefined;
        outcomes.push({ kind, start, end: performance.now(), status: res.status, id, retryAfter: res.headers.get("retry-after"), text: res.text });
        // Clients back off after a 503 (Retry-After says 1 s; these are impatient ones).
        if (res.status !== 200) await sleep(50);
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));

    await sleep(1000);
    const downAt = performance.now();
    await Promise.all([proxy.down(), directProxy?.down()]);

    // While it is down: readiness says so, liveness does not.
    await sleep(500);
    expect(server.proc.exitCode, `the server exited during the outage:\n${server.stderr()}\n${server.lines.slice(-20).join("\n")}`).toBeNull();
    const readyDown = await call(server.url, "GET", "/readyz");
    const liveDown = await call(server.url, "GET", "/healthz");
    await sleep(Math.max(0, 5000 - (performance.now() - downAt)));

    await Promise.all([proxy.up(), directProxy?.up()]);
    const upAt = performance.now();
    let firstSuccess: number | undefined;
    while (firstSuccess === undefined && performance.now() - upAt < 5000) {
      const r = await call(server.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey });
      if (r.status === 200) firstSuccess = performance.now();
      else await sleep(10);
    }
    await sleep(1000);
    running = false;
    await Promise.all(workers);
    const readyUp = await call(server.url, "GET", "/readyz");

    // Figures for the report.
    const during = outcomes.filter((o) => o.end > downAt && o.start < upAt);
    const failedFast = during.filter((o) => o.status === 503);
    const timeTo503 = Math.max(...failedFast.map((o) => o.end - Math.max(o.start, downAt)));
    const timeToRecover = firstSuccess! - upAt;
    const writes = outcomes.filter((o) => o.id !== undefined);
    // eslint-disable-next-line no-console
    console.log(
      `outage: ${outcomes.length} requests, ${during.length} overlapping the 5 s outage (${failedFast.length} answered 503); ` +
        `slowest 503 ${timeTo503.toFixed(0)} ms after the outage began; first success ${timeToRecover.toFixed(0)} ms after the database returned; ` +
        `${writes.length} acknowledged writes; ${outcomes.filter((o) => o.status === -1).length} streamed lists cut short`,
    );

    expect(readyDown.status).toBe(503);
    expect(readyDown.body).toEqual({ message: expect.any(String) });
    expect(liveDown.status).toBe(200);
    expect(readyUp.status).toBe(200);

    // Nothing but successes and fast 503s, ever; every 503 says when to retry.
    const cut = outcomes.filter((o) => o.status === -1);
    // Only list reads already answering when the database went away may be cut short.
    for (const o of cut) expect(o.kind === "read" && o.start < downAt + 50, `a cut-short ${o.kind} started ${(o.start - downAt).toFixed(0)} ms after the outage began`).toBe(true);
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 503 && o.status !== -1).map((o) => `${o.kind} ${o.status} ${o.text}`)).toEqual([]);
    expect(failedFast.length).toBeGreaterThan(10);
    for (const o of outcomes.filter((x) => x.status === 503)) {
      expect(o.retryAfter).toBe("1");
      expect(JSON.parse(o.text)).toEqual({ message: expect.any(String) });
    }
    expect(timeTo503).toBeLessThan(2000);
    // No request waited more than 2 s past the start of the outage.
    for (const o of during) expect(o.end - Math.max(o.start, downAt)).toBeLessThan(2000);
    expect(timeToRecover).toBeLessThan(1000);

    // Every acknowledged write is there.
    let lost = 0;
    for (const o of writes) {
      const path = o.kind === "register" ? `/api/v2/device/${o.id}` : `/api/v2/tailnet/-/keys/${o.id}`;
      const r = await call(server.url, "GET", path, { key: apiKey });
      if (r.status !== 200) lost++;
    }
    // eslint-disable-next-line no-console
    console.log(`outage: acknowledged writes lost: ${lost} of ${writes.length}`);
    expect(lost).toBe(0);
    expect(writes.filter((o) => o.kind === "register").length).toBeGreaterThan(5);
    expect(await halfRegistered(name)).toMatchObject({ devices: 0, orphans: 0 });
    expect(await server.stop()).toBe(0);
  }, 120_000);
});

describe("kill -9 during 50 concurrent registrations", () => {
  it("leaves no half-registered device, and every acknowledged one is complete", async () => {
    const server = await spawnServer({ env: { DATABASE_URL: databaseUrl() } });
    const { name, apiKey } = await seedTailnet({ DATABASE_URL: databaseUrl() });
    const authKey = await createAuthKey(server.url, apiKey, { reusable: true });
    const acknowledged: string[] = [];
    const attempts = Array.from({ length: 50 }, (_, i) =>
      call(server.url, "POST", "/machine/register", { body: registerBody(authKey.key, { hostname: `k9-${i}` }) }).then(
        (r) => (r.status === 200 ? acknowledged.push(r.body.device.nodeId) : undefined),
        () => undefined,
      ),
    );
    // Kill once a few have been answered: the rest are queued or mid-transaction.
    const t0 = performance.now();
    while (acknowledged.length < 3 && performance.now() - t0 < 20_000) await sleep(1);
    server.proc.kill("SIGKILL");
    await Promise.all(attempts);
    await server.exited;

    const after = await spawnServer({ env: { DATABASE_URL: databaseUrl() } });
    for (const id of acknowledged) expect((await call(after.url, "GET", `/api/v2/device/${id}`, { key: apiKey })).status).toBe(200);
    const state = await halfRegistered(name);
    // eslint-disable-next-line no-console
    console.log(`kill -9: ${acknowledged.length} of 50 acknowledged, ${state.total} devices stored, ${state.devices} half-registered`);
    expect(state).toMatchObject({ devices: 0, orphans: 0 });
    expect(acknowledged.length).toBeGreaterThanOrEqual(3);
    expect(state.total).toBeGreaterThanOrEqual(acknowledged.length);
    expect(state.total).toBeLessThan(50);
    expect(await after.stop()).toBe(0);
  }, 120_000);
});
