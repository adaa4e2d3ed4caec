/**
 * Two servers on one database under concurrent load: single-use keys are
 * used once, names and addresses stay unique, and a revocation is refused on
 * the revoking replica at once and on the other within a second (measured).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, cleanup, createAuthKey, databaseUrl, registerBody, runCli, seedTailnet, sleep, spawnServer, type Server } from "./harness.js";

let a: Server;
let b: Server;
let tailnet: { name: string; apiKey: string };
const env = () => ({ DATABASE_URL: databaseUrl() });

beforeAll(async () => {
  [a, b] = await Promise.all([spawnServer({ env: env() }), spawnServer({ env: env() })]);
  tailnet = await seedTailnet(env());
}, 90_000);
afterAll(cleanup);

async function newApiKey(): Promise<{ key: string; id: string }> {
  const r = await runCli(["apikeys", "create", "--tailnet", tailnet.name], env());
  expect(r.code, r.stderr).toBe(0);
  const key = r.stdout.trim();
  return { key, id: /^tskey-api-(\w+)-/.exec(key)![1]! };
}

/** Milliseconds until `key` is refused on `s` (polling every 2 ms), or Infinity after 3 s. */
async function timeUntilRefused(s: Server, key: string, since: number): Promise<number> {
  while (performance.now() - since < 3000) {
    const r = await call(s.url, "GET", "/api/v2/tailnet/-/devices", { key });
    if (r.status === 401) return performance.now() - since;
    expect(r.status).toBe(200);
    await sleep(2);
  }
  return Infinity;
}

describe("two replicas", () => {
  it("a revoked API key is refused on the revoking replica at once and on the other within 1 s; a CLI revocation reaches both", async () => {
    const victim = await newApiKey();
    // Both replicas have it cached.
    for (const s of [a, b]) expect((await call(s.url, "GET", "/api/v2/tailnet/-/devices", { key: victim.key })).status).toBe(200);

    const revoke = await call(a.url, "DELETE", `/api/v2/tailnet/-/keys/${victim.id}`, { key: tailnet.apiKey });
    expect(revoke.status).toBe(200);
    const revokedAt = performance.now();
    const onA = await call(a.url, "GET", "/api/v2/tailnet/-/devices", { key: victim.key });
    expect(onA.status).toBe(401);
    const onB = await timeUntilRefused(b, victim.key, revokedAt);

    const cliVictim = await newApiKey();
    for (const s of [a, b]) expect((await call(s.url, "GET", "/api/v2/tailnet/-/devices", { key: cliVictim.key })).status).toBe(200);
    const r = await runCli(["apikeys", "revoke", cliVictim.id, "--tailnet", tailnet.name], env());
    expect(r.code, r.stderr).toBe(0);
    const cliDone = performance.now();
    const [cliA, cliB] = await Promise.all([timeUntilRefused(a, cliVictim.key, cliDone), timeUntilRefused(b, cliVictim.key, cliDone)]);
    // eslint-disable-next-line no-console
    console.log(
      `revocation: revoking replica refuses at once; other replica after ${onB.toFixed(1)} ms; ` +
        `CLI revocation: replica A after ${cliA.toFixed(1)} ms, replica B after ${cliB.toFixed(1)} ms`,
    );
    expect(onB).toBeLessThan(1000);
    expect(cliA).toBeLessThan(1000);
    expect(cliB).toBeLessThan(1000);
  }, 60_000);

  it("under concurrent registrations on both, a single-use key is used once and names and addresses stay unique", async () => {
    const singles = await Promise.all(Array.from({ length: 4 }, () => createAuthKey(a.url, tailnet.apiKey, { reusable: false })));
    const reusable = await createAuthKey(b.url, tailnet.apiKey, { reusable: true });
    const attempts = [
      ...singles.flatMap((k, i) => Array.from({ length: 6 }, (_, j) => ({ server: j % 2 ? a : b, key: k.key, single: i }))),
      ...Array.from({ length: 30 }, (_, j) => ({ server: j % 2 ? a : b, key: reusable.key, single: -1 })),
    ];
    const results = await Promise.all(
      attempts.map(async (t) => ({ ...t, res: await call(t.server.url, "POST", "/machine/register", { body: registerBody(t.key, { hostname: "same-name" }) }) })),
    );
    for (let i = 0; i < singles.length; i++) {
      const mine = results.filter((r) => r.single === i);
      expect(mine.filter((r) => r.res.status === 200)).toHaveLength(1);
      for (const r of mine.filter((x) => x.res.status !== 200)) {
        expect(r.res.status).toBe(401);
        expect(r.res.body).toEqual({ message: "auth key has already been used" });
      }
    }
    expect(results.filter((r) => r.single === -1).every((r) => r.res.status === 200)).toBe(true);
    const devices = (await call(a.url, "GET", "/api/v2/tailnet/-/devices", { key: tailnet.apiKey })).body.devices as { name: string; addresses: string[] }[];
    expect(devices.length).toBe(34);
    expect(new Set(devices.map((d) => d.name)).size).toBe(devices.length);
    const addresses = devices.flatMap((d) => d.addresses);
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(addresses.length).toBe(2 * devices.length);
  }, 60_000);
});

describe("rate limits across replicas", () => {
  it("two replicas share a credential's limit within the stated tolerance", async () => {
    const limit = 100;
    const e = { DATABASE_URL: databaseUrl(), TAILAPI_RATE_LIMIT: String(limit), TAILAPI_RATE_LIMIT_SYNC_MS: "100" };
    const [r1, r2] = await Promise.all([spawnServer({ env: e }), spawnServer({ env: e })]);
    const { apiKey } = await seedTailnet(env());
    // Stay inside one one-minute window.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await sleep(60_500 - intoMinute);
    await sleep(300); // both have synced and know of each other
    let admitted = 0;
    let refused = 0;
    let i = 0;
    const worker = async () => {
      while (i < 400) {
        const s = i++ % 2 ? r1! : r2!;
        const res = await call(s.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey });
        if (res.status === 200) admitted++;
        else {
          expect(res.status).toBe(429);
          expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
          refused++;
        }
        await sleep(2);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    // eslint-disable-next-line no-console
    console.log(`rate limit ${limit}/min over 2 replicas (sync 100 ms): ${admitted} admitted, ${refused} refused of 400`);
    expect(admitted).toBeGreaterThanOrEqual(limit * 0.9);
    expect(admitted).toBeLessThanOrEqual(limit + 2);
  }, 120_000);
});
