/**
 * The API over real HTTP against a real `tailapi serve` process on the suite's
 * database: the main walkthrough and the error answers.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, cleanup, databaseUrl, httpRequest, isJson, registerBody, seedTailnet, setPolicy, spawnServer, type Res, type Server, uniqueName } from "./harness.js";

let server: Server;
const env = () => ({ DATABASE_URL: databaseUrl(), TAILAPI_TAILNET: uniqueName("boot") });

beforeAll(async () => {
  server = await spawnServer({ env: env() });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await cleanup();
});

/** Every answer carries a request id; every JSON answer says so. */
function expectJson(r: Res) {
  expect(r.headers.get("x-request-id")).toMatch(/\S/);
  expect(isJson(r.headers), `content-type of a ${r.status}: ${r.headers.get("content-type")}`).toBe(true);
}

const ALL_ONLY = ["enabledRoutes", "advertisedRoutes", "clientConnectivity", "sshEnabled", "postureIdentity"] as const;

describe("walkthrough over HTTP", () => {
  it("creates an auth key, registers two devices, lists, gets and deletes one", async () => {
    const { apiKey } = await seedTailnet({ DATABASE_URL: databaseUrl() });
    const base = server.url;

    // No credential: 401 in Tailscale's error shape.
    const anon = await call(base, "GET", "/api/v2/tailnet/-/devices");
    expect(anon.status).toBe(401);
    expectJson(anon);
    expect(anon.body).toEqual({ message: expect.any(String) });

    // Both ways of presenting the key work: Basic (`curl -u key:`) and Bearer.
    for (const auth of [{ key: apiKey }, { bearer: apiKey }]) {
      const r = await call(base, "GET", "/api/v2/tailnet/-/devices", auth);
      expect(r.status).toBe(200);
      expectJson(r);
      // Over real HTTP the headers go straight onto Node's response: every one of them arrives.
      expect(r.headers.get("ratelimit-limit")).toBe("3000");
      expect(Number(r.headers.get("ratelimit-remaining"))).toBeLessThan(3000);
      expect(Number(r.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
      expect(r.headers.get("ratelimit-policy")).toBe("3000;w=60");
      expect(r.headers.get("cache-control")).toBe("no-store");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.body).toEqual({ devices: [] });
    }

    // Tags must be defined in the policy's tagOwners before anyone can use them.
    await setPolicy(base, apiKey);

    // The Go client's exact request body.
    const goBody =
      '{"capabilities":{"devices":{"create":{"reusable":true,"ephemeral":false,"tags":["tag:prod"],"preauthorized":true}}},"expirySeconds":86400,"description":"probe key"}';
    const created = await call(base, "POST", "/api/v2/tailnet/-/keys", {
      key: apiKey,
      rawBody: goBody,
      headers: { "content-type": "application/json" },
    });
    expect(created.status, created.text).toBe(200);
    expectJson(created);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^k\w+CNTRL$/),
      key: expect.stringMatching(/^tskey-auth-\w+-\w+$/),
      keyType: "auth",
      description: "probe key",
      expirySeconds: 86400,
      invalid: false,
      capabilities: { devices: { create: { reusable: true, ephemeral: false, preauthorized: true, tags: ["tag:prod"] } } },
    });
    const authKey: string = created.body.key;

    // Two devices join with it (bearer this time for the reads that follow).
    const regA = await call(base, "POST", "/machine/register", {
      body: registerBody(authKey, { hostname: "alpha", advertiseRoutes: ["10.1.0.0/24"], advertiseTags: ["tag:prod"] }),
    });
    expect(regA.status, regA.text).toBe(200);
    expectJson(regA);
    const regB = await call(base, "POST", "/machine/register", { body: registerBody(authKey, { hostname: "beta" }) });
    expect(regB.status, regB.text).toBe(200);
    expectJson(regB);
    const a = regA.body.device;
    const b = regB.body.device;
    expect(regA.body.created).toBe(true);
    expect(regA.body.nodeToken).toMatch(/^tskey-node-/);
    expect(a.hostname).toBe("alpha");
    expect(a.tags).toEqual(["tag:prod"]);
    expect(a.authorized).toBe(true);
    expect(a.nodeId).not.toBe(b.nodeId);

    const list = await call(base, "GET", "/api/v2/tailnet/-/devices", { bearer: apiKey });
    expect(list.status).toBe(200);
    expectJson(list);
    expect(list.body.devices.map((d: any) => d.nodeId).sort()).toEqual([a.nodeId, b.nodeId].sort());
    for (const d of list.body.devices) for (const f of ALL_ONLY) expect(d).not.toHaveProperty(f);

    // One device, with and without the all-only fields.
    const all = await call(base, "GET", `/api/v2/device/${a.nodeId}?fields=all`, { key: apiKey });
    expect(all.status).toBe(200);
    expectJson(all);
    for (const f of ALL_ONLY) expect(all.body).toHaveProperty(f);
    expect(all.body.advertisedRoutes).toEqual(["10.1.0.0/24"]);
    expect(all.body).toMatchObject({ nodeId: a.nodeId, id: a.id, hostname: "alpha", os: "linux", clientVersion: "1.80.0" });

    const plain = await call(base, "GET", `/api/v2/device/${a.nodeId}`, { key: apiKey });
    expect(plain.status).toBe(200);
    expectJson(plain);
    for (const f of ALL_ONLY) expect(plain.body).not.toHaveProperty(f);
    expect(plain.body.nodeId).toBe(a.nodeId);

    // The legacy numeric id finds the same device.
    const byLegacy = await call(base, "GET", `/api/v2/device/${a.id}`, { bearer: apiKey });
    expect(byLegacy.status).toBe(200);
    expect(byLegacy.body.nodeId).toBe(a.nodeId);

    // Delete: 200 with an empty body.
    const del = await call(base, "DELETE", `/api/v2/device/${a.nodeId}`, { key: apiKey });
    expect(del.status).toBe(200);
    expect(del.text).toBe("");
    expect(del.headers.get("x-request-id")).toMatch(/\S/);

    const gone = await call(base, "GET", `/api/v2/device/${a.nodeId}`, { key: apiKey });
    expect(gone.status).toBe(404);
    expectJson(gone);
    expect(gone.body).toEqual({ message: "not found" });

    const again = await call(base, "DELETE", `/api/v2/device/${a.nodeId}`, { key: apiKey });
    expect(again.status).toBe(404);
    expectJson(again);
    expect(again.body).toEqual({ message: "not found" });

    const after = await call(base, "GET", "/api/v2/tailnet/-/devices", { key: apiKey });
    expect(after.status).toBe(200);
    expectJson(after);
    expect(after.body.devices).toHaveLength(1);
    expect(after.body.devices[0].nodeId).toBe(b.nodeId);
  });

  it("gives every answer its own request id, and echoes a client's", async () => {
    const r1 = await call(server.url, "GET", "/healthz");
    const r2 = await call(server.url, "GET", "/healthz");
    expect(r1.status).toBe(200);
    expectJson(r1);
    expect(r1.body).toEqual({ ok: true });
    expect(r1.headers.get("x-request-id")).not.toBe(r2.headers.get("x-request-id"));
    const mine = `probe-${Date.now()}`;
    const r3 = await call(server.url, "GET", "/api/v2/no/such/thing", { headers: { "X-Request-Id": mine } });
    expect(r3.status).toBe(404);
    expect(r3.headers.get("x-request-id")).toBe(mine);
  });
});

describe("errors over HTTP", () => {
  it("unknown path: 404 JSON", async () => {
    const { apiKey } = await seedTailnet({ DATABASE_URL: databaseUrl() });
    for (const auth of [{}, { key: apiKey }]) {
      const r = await call(server.url, "GET", "/api/v2/no/such/thing", auth);
      expect(r.status).toBe(404);
      expectJson(r);
      expect(r.body).toEqual({ message: expect.any(String) });
    }
    const root = await call(server.url, "GET", "/nope");
    expect(root.status).toBe(404);
    expectJson(root);
    expect(root.body).toEqual({ message: "not found" });
  });

  it("wrong method: 405 JSON with Allow", async () => {
    const { apiKey } = await seedTailnet({ DATABASE_URL: databaseUrl() });
    const r = await call(server.url, "PUT", "/api/v2/device/x", { key: apiKey, body: {} });
    expect(r.status).toBe(405);
    expectJson(r);
    expect(r.body).toEqual({ message: expect.any(String) });
    const allow = (r.headers.get("allow") ?? "").split(/\s*,\s*/);
    expect(allow).toEqual(expect.arrayContaining(["GET", "DELETE"]));
  });

  it("malformed JSON body: 400 JSON", async () => {
    const { apiKey } = await seedTailnet({ DATABASE_URL: databaseUrl() });
    const r = await call(server.url, "POST", "/api/v2/tailnet/-/keys", {
      key: apiKey,
      rawBody: '{"capabilities": {"devices": ',
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(400);
    expectJson(r);
    expect(r.body).toEqual({ message: expect.any(String) });
    // Nothing was created.
    const keys = await call(server.url, "GET", "/api/v2/tailnet/-/keys", { key: apiKey });
    expect(keys.status).toBe(200);
    expect(keys.body.keys.filter((k: any) => k.keyType === "auth")).toEqual([]);
  });

  it("body over 1 MiB: 413 JSON (with Content-Length and chunked); the client's connection stays usable", async () => {
    const { apiKey } = await seedTailnet({ DATABASE_URL: databaseUrl() });
    const big = `{"description":"${"x".repeat(1024 * 1024)}"}`;
    const json = { "content-type": "application/json" };
    // One kept-alive connection, reused as any HTTP client (Go's, undici) reuses it.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const after413 = (what: string) => (e: Error) => {
      throw new Error(`${what} after a 413 on a kept-alive connection failed: ${e.message}`);
    };
    try {
      const warm = await httpRequest(agent, server.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey });
      expect(warm.status).toBe(200);

      const withLength = await httpRequest(agent, server.url, "POST", "/api/v2/tailnet/-/keys", { key: apiKey, body: big, headers: json });
      expect(withLength.status).toBe(413);
      expect(withLength.headers["content-type"]).toMatch(/^application\/json\b/);
      expect(withLength.headers["x-request-id"]).toMatch(/\S/);
      expect(JSON.parse(withLength.text)).toEqual({ message: expect.any(String) });

      // Whether the server keeps the connection or announces `Connection: close`,
      // the next request must be answered.
      const next = await httpRequest(agent, server.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey }).catch(after413("GET"));
      expect(next.status).toBe(200);

      // Without a Content-Length (chunked) the limit holds too.
      const chunks: string[] = [];
      for (let i = 0; i < big.length; i += 64 * 1024) chunks.push(big.slice(i, i + 64 * 1024));
      const chunked = await httpRequest(agent, server.url, "POST", "/api/v2/tailnet/-/keys", { key: apiKey, chunks, headers: json }).catch(
        after413("chunked POST"),
      );
      expect(chunked.status).toBe(413);
      expect(chunked.headers["content-type"]).toMatch(/^application\/json\b/);
      expect(JSON.parse(chunked.text)).toEqual({ message: expect.any(String) });

      const last = await httpRequest(agent, server.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey }).catch(after413("GET"));
      expect(last.status).toBe(200);
    } finally {
      agent.destroy();
    }

    // Nothing was created.
    const keys = await call(server.url, "GET", "/api/v2/tailnet/-/keys", { key: apiKey });
    expect(keys.status).toBe(200);
    expect(keys.body.keys.filter((k: any) => k.keyType === "auth")).toEqual([]);
  });
});
