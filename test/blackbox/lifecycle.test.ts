/**
 * Server processes over their lifetime: restart on the embedded default,
 * several replicas on one database, the bootstrap key, graceful shutdown.
 */
import { randomInt } from "node:crypto";
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  call,
  cleanup,
  createAuthKey,
  databaseUrl,
  postgresPids,
  registerBody,
  registerDevice,
  runCli,
  seedTailnet,
  spawnServer,
  startSlowRequest,
  tempDataDir,
  uniqueName,
  authKeyBody,
} from "./harness.js";

afterEach(cleanup);

const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const base62 = (n: number) => Array.from({ length: n }, () => BASE62[randomInt(BASE62.length)]).join("");

describe("restart on the embedded default", () => {
  it("keeps keys and devices, prints no new key, stops its PostgreSQL, and is ready again in under 3 s", async () => {
    const dir = await tempDataDir();

    const first = await spawnServer({ dataDir: dir });
    expect(first.logs.find((l) => l.msg === "tailapi listening")?.database).toMatch(/^embedded/);
    expect(first.firstApiKey).toMatch(/^tskey-api-k\w+CNTRL-\w{22,}$/);
    const apiKey = first.firstApiKey!;
    expect(await postgresPids(dir)).toHaveLength(1);

    const authKey = await createAuthKey(first.url, apiKey, { reusable: true });
    const reg = await registerDevice(first.url, authKey.key, { hostname: "survivor" });
    expect(reg.created).toBe(true);

    expect(await first.stop("SIGTERM")).toBe(0);
    expect(first.logs.some((l) => l.msg === "stopped")).toBe(true);
    expect(await postgresPids(dir)).toEqual([]);

    const second = await spawnServer({ dataDir: dir });
    // eslint-disable-next-line no-console
    console.log(`restart: readyMs ${second.readyMs} (server's measure), ${Math.round(second.wallReadyMs)} ms from spawn`);
    expect(second.readyMs).toBeLessThan(3000);
    expect(second.firstApiKey).toBeUndefined();
    expect(second.lines.some((l) => l.includes("TAILAPI_API_KEY"))).toBe(false);
    expect(second.logs.some((l) => /initialising/.test(l.msg ?? ""))).toBe(false);

    const dev = await call(second.url, "GET", `/api/v2/device/${reg.device.nodeId}`, { key: apiKey });
    expect(dev.status).toBe(200);
    expect(dev.body).toMatchObject({ nodeId: reg.device.nodeId, id: reg.device.id, hostname: "survivor" });
    const list = await call(second.url, "GET", "/api/v2/tailnet/-/devices", { bearer: apiKey });
    expect(list.status).toBe(200);
    expect(list.body.devices.map((d: any) => d.nodeId)).toEqual([reg.device.nodeId]);
    // The auth key survived too.
    const key = await call(second.url, "GET", `/api/v2/tailnet/-/keys/${authKey.id}`, { key: apiKey });
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ id: authKey.id, invalid: false });

    expect(await second.stop("SIGTERM")).toBe(0);
    expect(await postgresPids(dir)).toEqual([]);
  }, 90_000);
});

describe("two servers on one database", () => {
  it("start together, bootstrap once, and see each other's writes and revocations", async () => {
    const env = { DATABASE_URL: databaseUrl(), TAILAPI_TAILNET: uniqueName("boot") };
    const [a, b] = await Promise.all([spawnServer({ env }), spawnServer({ env })]);
    expect(a.url).not.toBe(b.url);
    // Bootstrap ran under a lock: exactly one of them minted the first key, and it works on both.
    const printed = [a.firstApiKey, b.firstApiKey].filter((k): k is string => k !== undefined);
    expect(printed).toHaveLength(1);
    for (const s of [a, b]) expect((await call(s.url, "GET", "/api/v2/tailnet/-/devices", { key: printed[0] })).status).toBe(200);

    const { apiKey } = await seedTailnet({ DATABASE_URL: databaseUrl() });
    const authKey = await createAuthKey(a.url, apiKey, { reusable: true });

    const reg = await registerDevice(a.url, authKey.key, { hostname: "via-a" });
    const onB = await call(b.url, "GET", `/api/v2/device/${reg.device.nodeId}`, { key: apiKey });
    expect(onB.status).toBe(200);
    expect(onB.body).toMatchObject({ nodeId: reg.device.nodeId, hostname: "via-a" });
    const listB = await call(b.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey });
    expect(listB.body.devices.map((d: any) => d.nodeId)).toEqual([reg.device.nodeId]);

    const revoke = await call(b.url, "DELETE", `/api/v2/tailnet/-/keys/${authKey.id}`, { key: apiKey });
    expect(revoke.status).toBe(200);
    const refused = await call(a.url, "POST", "/machine/register", { body: registerBody(authKey.key, { hostname: "too-late" }) });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ message: expect.any(String) });
    const seenOnA = await call(a.url, "GET", `/api/v2/tailnet/-/keys/${authKey.id}`, { key: apiKey });
    expect(seenOnA.body).toMatchObject({ id: authKey.id, invalid: true, revoked: expect.any(String) });
    const listA = await call(a.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey });
    expect(listA.body.devices).toHaveLength(1);

    const [ca, cb] = await Promise.all([a.stop(), b.stop()]);
    expect([ca, cb]).toEqual([0, 0]);
  }, 90_000);
});

describe("TAILAPI_BOOTSTRAP_API_KEY", () => {
  it("is accepted, survives a restart with the same key, and is not printed", async () => {
    const tailnet = uniqueName("boot");
    const key = `tskey-api-k${base62(10)}CNTRL-${base62(32)}`;
    const env = { DATABASE_URL: databaseUrl(), TAILAPI_TAILNET: tailnet, TAILAPI_BOOTSTRAP_API_KEY: key };

    const s1 = await spawnServer({ env });
    expect(s1.firstApiKey).toBeUndefined();
    const r1 = await call(s1.url, "GET", "/api/v2/tailnet/-/devices", { key });
    expect(r1.status).toBe(200);
    expect(r1.body).toEqual({ devices: [] });
    // It belongs to the configured tailnet.
    expect((await call(s1.url, "GET", `/api/v2/tailnet/${tailnet}/devices`, { bearer: key })).status).toBe(200);
    expect(s1.lines.join("\n")).not.toContain(key);
    expect(await s1.stop()).toBe(0);

    const s2 = await spawnServer({ env });
    expect(s2.firstApiKey).toBeUndefined();
    expect((await call(s2.url, "GET", "/api/v2/tailnet/-/devices", { bearer: key })).status).toBe(200);
    // A key with the same id but another secret is not it.
    const forged = key.replace(/-[A-Za-z0-9]+$/, `-${base62(32)}`);
    expect((await call(s2.url, "GET", "/api/v2/tailnet/-/devices", { key: forged })).status).toBe(401);
    expect(await s2.stop()).toBe(0);

    // The same key for another tailnet is refused at start-up.
    const other = await runCli(["serve"], { ...env, TAILAPI_TAILNET: uniqueName("boot"), PORT: "0", HOST: "127.0.0.1" });
    expect(other.code).not.toBe(0);
    expect(other.code).not.toBeNull();
    expect(other.stderr).toContain("TAILAPI_BOOTSTRAP_API_KEY");
    expect(other.stdout).not.toContain("tailapi listening");
  }, 90_000);

  it("a malformed key makes serve exit non-zero, naming the variable", async () => {
    const malformed = [
      "not-a-key",
      `tskey-auth-k${base62(10)}CNTRL-${base62(32)}`, // not an API key
      `tskey-api-k${base62(10)}CNTRL-${base62(21)}`, // secret one character short
    ];
    for (const bad of malformed) {
      const r = await runCli(["serve"], {
        DATABASE_URL: databaseUrl(),
        TAILAPI_TAILNET: uniqueName("boot"),
        TAILAPI_BOOTSTRAP_API_KEY: bad,
        PORT: "0",
        HOST: "127.0.0.1",
      });
      expect(r.code, `${bad}: ${r.stderr}`).not.toBe(0);
      expect(r.code).not.toBeNull();
      expect(r.stderr).toContain("TAILAPI_BOOTSTRAP_API_KEY");
      expect(r.stdout).not.toContain("tailapi listening");
    }
  }, 60_000);
});

describe("graceful shutdown", () => {
  it("finishes in-flight requests after SIGTERM, refuses new connections, and exits 0", async () => {
    const server = await spawnServer({ env: { DATABASE_URL: databaseUrl(), TAILAPI_TAILNET: uniqueName("boot") } });
    const { apiKey } = await seedTailnet({ DATABASE_URL: databaseUrl() });
    const authKey = await createAuthKey(server.url, apiKey, { reusable: true });

    // Requests whose headers the server has taken (it answered 100 Continue) but whose bodies are still to come.
    const inFlight = [
      startSlowRequest(server.url, "POST", "/api/v2/tailnet/-/keys", { key: apiKey, body: authKeyBody({ description: "in flight 1" }) }),
      startSlowRequest(server.url, "POST", "/api/v2/tailnet/-/keys", { key: apiKey, body: authKeyBody({ description: "in flight 2" }) }),
      startSlowRequest(server.url, "POST", "/machine/register", { body: registerBody(authKey.key, { hostname: "in-flight" }) }),
    ];
    await Promise.all(inFlight.map((r) => r.accepted));

    server.proc.kill("SIGTERM");
    await server.waitForLog((l) => l.msg === "shutting down: draining requests", 10_000);

    // The listener is closed: a new connection is refused.
    const probe = await new Promise<string>((resolve) => {
      const req = http.get(server.url + "/healthz", { agent: false }, (res) => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      });
      req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(probe).toBe("ECONNREFUSED");

    for (const r of inFlight) r.finish();
    const answers = await Promise.all(inFlight.map((r) => r.response));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(JSON.parse(answers[0]!.text)).toMatchObject({ description: "in flight 1", key: expect.stringMatching(/^tskey-auth-/) });
    expect(JSON.parse(answers[1]!.text)).toMatchObject({ description: "in flight 2" });
    expect(JSON.parse(answers[2]!.text)).toMatchObject({ device: { hostname: "in-flight" }, created: true });

    expect(await server.exited).toBe(0);
    expect(server.logs.some((l) => l.msg === "stopped")).toBe(true);
    expect(server.stderr()).not.toMatch(/shutdown took more than/);
  }, 60_000);

  it("a busy port is one clear sentence, not a stack trace", async () => {
    const first = await spawnServer({ env: { DATABASE_URL: databaseUrl(), TAILAPI_TAILNET: uniqueName("busy") } });
    const port = new URL(first.url).port;
    const r = await runCli(["serve"], { DATABASE_URL: databaseUrl(), TAILAPI_TAILNET: uniqueName("busy"), PORT: port, HOST: "127.0.0.1" });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`tailapi: cannot listen on 127.0.0.1:${port}: the port is already in use (stop the other process, or set PORT to another port)`);
    expect(await first.stop()).toBe(0);
  }, 60_000);

  it("npm start runs the compiled JavaScript in dist/: migrations and the docs' assets come along", async () => {
    const { existsSync } = await import("node:fs");
    const { COMPILED_CLI } = await import("./harness.js");
    expect(existsSync(COMPILED_CLI), "dist/ is built by `npm ci` (postinstall) or `npm run build`").toBe(true);
    const server = await spawnServer({ dataDir: await tempDataDir(), compiled: true });
    expect(server.firstApiKey).toMatch(/^tskey-api-/);
    expect((await call(server.url, "GET", "/api/v2/tailnet/-/devices", { key: server.firstApiKey })).status).toBe(200);
    expect((await fetch(`${server.url}/docs/swagger-ui-bundle.js`)).status).toBe(200);
    expect(await server.stop()).toBe(0);
  }, 90_000);
});
