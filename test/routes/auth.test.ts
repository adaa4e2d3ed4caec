import { describe, expect, it } from "vitest";
import { mintSecret } from "../../src/auth/credentials.js";
import { revokeKey } from "../../src/domain/keys.js";
import { randomIds } from "../../src/lib/ids.js";
import { accessToken, call, makeApp, operator, seedApiKey, seedTailnet, setupTailnet, testDeps } from "../helpers.js";

const LIST = "/api/v2/tailnet/-/devices";

describe("credentials", () => {
  it("accepts an API key as Basic username with empty password, and as Bearer", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    expect((await call(app, "GET", LIST, { key: t.apiKey })).status).toBe(200);
    expect((await call(app, "GET", LIST, { bearer: t.apiKey })).status).toBe(200);
    const withPassword = await call(app, "GET", LIST, {
      headers: { authorization: `Basic ${Buffer.from(`${t.apiKey}:ignored`).toString("base64")}` },
    });
    expect(withPassword.status).toBe(200);
  });

  it("answers every failure mode with the same 401", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const wrongSecret = t.apiKey.replace(/-[A-Za-z0-9]+$/, "-" + "A".repeat(32));
    const unknown = mintSecret("api", randomIds.keyId()).full;
    const headers: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: "" },
      { authorization: "Bearer" },
      { authorization: "Bearer not-a-key" },
      { authorization: `Token ${t.apiKey}` },
      { authorization: `Basic ${Buffer.from(":").toString("base64")}` },
      { authorization: "Basic %%%" },
      { authorization: `Bearer ${wrongSecret}` },
      { authorization: `Bearer ${unknown}` },
      { authorization: `Bearer ${t.apiKey.replace("tskey-api-", "tskey-auth-")}` },
    ];
    for (const h of headers) {
      const r = await call(app, "GET", LIST, { headers: h });
      expect(r.status, JSON.stringify(h)).toBe(401);
      expect(r.body).toEqual({ message: "API token invalid" });
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    }
  });

  it("refuses expired and revoked keys", async () => {
    const t = await seedTailnet();
    const { app, clock } = makeApp();
    const now = new Date();
    const short = await seedApiKey(t, { now });
    expect((await call(app, "GET", LIST, { key: short.secret })).status).toBe(200);
    clock.advance(86400 * 1000 + 1000);
    expect((await call(app, "GET", LIST, { key: short.secret })).status).toBe(401);

    const revoked = await seedApiKey(t, { now });
    await revokeKey(testDeps(), await operator(t), revoked.row.keyId);
    const r = await call(app, "GET", LIST, { key: revoked.secret });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ message: "API token invalid" });
  });

  it("does not accept an auth key as an API credential", async () => {
    const s = await setupTailnet();
    const r = await call(s.app, "GET", LIST, { key: s.authKey });
    expect(r.status).toBe(401);
  });
});

describe("tailnet in the path", () => {
  it("accepts '-' and the credential's own tailnet name; any other name is 404", async () => {
    const a = await seedTailnet();
    const b = await seedTailnet();
    const { app } = makeApp();
    expect((await call(app, "GET", `/api/v2/tailnet/-/devices`, { key: a.apiKey })).status).toBe(200);
    expect((await call(app, "GET", `/api/v2/tailnet/${a.tailnet.name}/devices`, { key: a.apiKey })).status).toBe(200);
    expect((await call(app, "GET", `/api/v2/tailnet/${a.tailnet.name.toUpperCase()}/devices`, { key: a.apiKey })).status).toBe(200);
    const other = await call(app, "GET", `/api/v2/tailnet/${b.tailnet.name}/devices`, { key: a.apiKey });
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ message: "not found" });
    const missing = await call(app, "GET", `/api/v2/tailnet/no-such.example/devices`, { key: a.apiKey });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(other.body);
  });
});

describe("credential cache", () => {
  it("still checks every presented secret while the key is cached", async () => {
    const t = await seedTailnet();
    const { CredentialCache } = await import("../../src/auth/authenticate.js");
    const { app } = makeApp({ credentials: new CredentialCache(60_000) });
    expect((await call(app, "GET", LIST, { key: t.apiKey })).status).toBe(200);
    const last = t.apiKey.slice(-1);
    const wrong = t.apiKey.slice(0, -1) + (last === "a" ? "b" : "a");
    expect((await call(app, "GET", LIST, { key: wrong })).status).toBe(401);
    expect((await call(app, "GET", LIST, { key: t.apiKey })).status).toBe(200);
  });

  it("a remembered credential still stops at its expiry, its eviction, and a wrong secret", async () => {
    const t = await seedTailnet();
    const { CredentialCache } = await import("../../src/auth/authenticate.js");
    const { app, clock, services } = makeApp({ credentials: new CredentialCache(60_000) });
    const key = await seedApiKey(t, { now: clock.now() });
    const token = await accessToken(app, t.apiKey, ["devices:core:read"]);
    for (let i = 0; i < 3; i++) {
      expect((await call(app, "GET", LIST, { key: key.secret })).status).toBe(200);
      expect((await call(app, "GET", LIST, { bearer: token })).status).toBe(200);
    }
    // Remembered: answered without the check (the same actor object each time).
    const header = `Basic ${Buffer.from(`${key.secret}:`).toString("base64")}`;
    const actor = services.credentials.recall(header, clock.now().getTime());
    expect(actor?.keyId).toBe(key.row.keyId);
    expect((await call(app, "GET", LIST, { key: key.secret.slice(0, -1) + (key.secret.endsWith("a") ? "b" : "a") })).status).toBe(401);
    // The access token expires after an hour, the key after a day: the cached rows are still fresh.
    clock.advance(3600 * 1000 + 1000);
    expect((await call(app, "GET", LIST, { bearer: token })).status).toBe(401);
    expect((await call(app, "GET", LIST, { key: key.secret })).status).toBe(200);
    clock.advance(86400 * 1000);
    expect((await call(app, "GET", LIST, { key: key.secret })).status).toBe(401);
    // An eviction (a change announced by the database) ends it at once.
    expect((await call(app, "GET", LIST, { key: t.apiKey })).status).toBe(200);
    const id = t.apiKey.split("-")[2]!;
    await revokeKey(testDeps(), await operator(t), id);
    expect((await call(app, "GET", LIST, { key: t.apiKey })).status).toBe(200); // within the bound, as before
    services.credentials.evict(id);
    expect((await call(app, "GET", LIST, { key: t.apiKey })).status).toBe(401);
  });

  it("sees a revocation within its bound", async () => {
    const t = await seedTailnet();
    const { CredentialCache } = await import("../../src/auth/authenticate.js");
    const { app } = makeApp({ credentials: new CredentialCache(200) });
    expect((await call(app, "GET", LIST, { key: t.apiKey })).status).toBe(200);
    const id = t.apiKey.split("-")[2]!;
    await revokeKey(testDeps(), await operator(t), id);
    await new Promise((r) => setTimeout(r, 250));
    expect((await call(app, "GET", LIST, { key: t.apiKey })).status).toBe(401);
  });
});
