import { describe, expect, it } from "vitest";
import { call, makeApp, registerBody, seedTailnet, setupTailnet } from "../helpers.js";

const GO_CLIENT_BODY = {
  capabilities: { devices: { create: { reusable: true, ephemeral: false, tags: ["tag:prod"], preauthorized: true } } },
  expirySeconds: 86400,
  description: "probe key",
};

describe("POST /api/v2/tailnet/{tailnet}/keys", () => {
  it("creates an auth key from the Go client's exact body", async () => {
    const t = await seedTailnet();
    const { app, clock } = makeApp();
    const r = await call(app, "POST", "/api/v2/tailnet/-/keys", { key: t.apiKey, body: GO_CLIENT_BODY });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      keyType: "auth",
      description: "probe key",
      invalid: false,
      expirySeconds: 86400,
      userId: t.owner.userId,
      capabilities: GO_CLIENT_BODY.capabilities,
    });
    expect(r.body.id).toMatch(/^k[A-Za-z0-9]+CNTRL$/);
    expect(r.body.key).toMatch(new RegExp(`^tskey-auth-${r.body.id}-[A-Za-z0-9]{32}$`));
    expect(r.body).not.toHaveProperty("revoked");
    expect(Date.parse(r.body.expires) - Date.parse(r.body.created)).toBe(86400 * 1000);
    expect(Math.abs(Date.parse(r.body.created) - clock.now().getTime())).toBeLessThan(1000);
  });

  it("expirySeconds 0 or absent means 90 days; a body without capabilities is a plain auth key", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    for (const body of [{ expirySeconds: 0, description: "" }, {}]) {
      const r = await call(app, "POST", "/api/v2/tailnet/-/keys", { key: t.apiKey, body });
      expect(r.status).toBe(200);
      expect(r.body.expirySeconds).toBe(90 * 86400);
      expect(r.body.capabilities.devices.create).toEqual({ reusable: false, ephemeral: false, preauthorized: false, tags: [] });
    }
  });

  it("accepts the v1 client's tags:null", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const r = await call(app, "POST", "/api/v2/tailnet/-/keys", {
      key: t.apiKey,
      body: { capabilities: { devices: { create: { reusable: false, ephemeral: false, preauthorized: false, tags: null } } }, expirySeconds: 0 },
    });
    expect(r.status).toBe(200);
    expect(r.body.capabilities.devices.create.tags).toEqual([]);
  });

  it.each([
    [{ capabilities: { devices: { create: { tags: ["prod"] } } } }, /tags/],
    [{ capabilities: { devices: { create: { tags: ["tag:bad name"] } } } }, /tags/],
    [{ capabilities: { devices: { create: { reusable: "yes" } } } }, /reusable/],
    [{ expirySeconds: -1 }, /expirySeconds/],
    [{ expirySeconds: 91 * 86400 }, /expirySeconds/],
    [{ expirySeconds: 1.5 }, /expirySeconds/],
    [{ keyType: "bogus" }, /keyType/],
    [{ keyType: "api" }, /API access tokens/],
    [{ description: "x".repeat(51) }, /description/],
    [[], /body|expected object/],
  ])("rejects %j with 400 and creates nothing", async (body, message) => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const r = await call(app, "POST", "/api/v2/tailnet/-/keys", { key: t.apiKey, body });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(message);
    const list = await call(app, "GET", "/api/v2/tailnet/-/keys", { key: t.apiKey });
    expect(list.body.keys).toEqual([]);
  });

  it("cannot create keys in another tailnet", async () => {
    const a = await seedTailnet();
    const b = await seedTailnet();
    const { app } = makeApp();
    const r = await call(app, "POST", `/api/v2/tailnet/${b.tailnet.name}/keys`, { key: a.apiKey, body: GO_CLIENT_BODY });
    expect(r.status).toBe(404);
    expect((await call(app, "GET", "/api/v2/tailnet/-/keys", { key: b.apiKey })).body.keys).toEqual([]);
  });
});

describe("list, get and revoke keys", () => {
  it("lists auth keys without secrets; all=true adds API keys", async () => {
    const s = await setupTailnet();
    const r = await call(s.app, "GET", "/api/v2/tailnet/-/keys", { key: s.apiKey });
    expect(r.status).toBe(200);
    expect(r.body.keys.map((k: { id: string }) => k.id)).toEqual([s.authKeyId]);
    expect(r.body.keys[0]).not.toHaveProperty("key");
    const all = await call(s.app, "GET", "/api/v2/tailnet/-/keys?all=true", { key: s.apiKey });
    expect(all.body.keys.map((k: { keyType: string }) => k.keyType).sort()).toEqual(["api", "auth"]);
    for (const k of all.body.keys) expect(k).not.toHaveProperty("key");
  });

  it("gets one key; DELETE revokes it and it stays readable as invalid", async () => {
    const s = await setupTailnet();
    const g = await call(s.app, "GET", `/api/v2/tailnet/-/keys/${s.authKeyId}`, { key: s.apiKey });
    expect(g.status).toBe(200);
    expect(g.body).toMatchObject({ id: s.authKeyId, keyType: "auth", invalid: false });
    expect(g.body).not.toHaveProperty("key");
    const d = await call(s.app, "DELETE", `/api/v2/tailnet/-/keys/${s.authKeyId}`, { key: s.apiKey });
    expect(d.status).toBe(200);
    const after = await call(s.app, "GET", `/api/v2/tailnet/-/keys/${s.authKeyId}`, { key: s.apiKey });
    expect(after.body.invalid).toBe(true);
    expect(after.body.revoked).toMatch(/Z$/);
    // and it no longer registers devices
    const reg = await call(s.app, "POST", "/machine/register", { body: registerBody(s.authKey) });
    expect(reg.status).toBe(401);
    expect(reg.body.message).toMatch(/revoked/);
  });

  it("an expired key reads as invalid", async () => {
    const s = await setupTailnet({ expirySeconds: 3600 });
    s.clock.advance(3601 * 1000);
    const g = await call(s.app, "GET", `/api/v2/tailnet/-/keys/${s.authKeyId}`, { key: s.apiKey });
    expect(g.body.invalid).toBe(true);
    expect(g.body).not.toHaveProperty("revoked");
  });

  it("the list holds active keys only: revoked and expired keys leave it but stay readable by id", async () => {
    const s = await setupTailnet();
    const { createAuthKey } = await import("../helpers.js");
    const short = await createAuthKey(s.app, s.apiKey, { expirySeconds: 3600 });
    const revoked = await createAuthKey(s.app, s.apiKey);
    await call(s.app, "DELETE", `/api/v2/tailnet/-/keys/${revoked.id}`, { key: s.apiKey });
    const ids = async () => (await call(s.app, "GET", "/api/v2/tailnet/-/keys", { key: s.apiKey })).body.keys.map((k: { id: string }) => k.id).sort();
    expect(await ids()).toEqual([s.authKeyId, short.id].sort());
    s.clock.advance(3601 * 1000);
    expect(await ids()).toEqual([s.authKeyId]);
    for (const id of [short.id, revoked.id]) {
      const g = await call(s.app, "GET", `/api/v2/tailnet/-/keys/${id}`, { key: s.apiKey });
      expect(g.status).toBe(200);
      expect(g.body.invalid).toBe(true);
    }
  });

  it("another tailnet's key is 404 for get and delete, and stays valid", async () => {
    const a = await setupTailnet();
    const b = await setupTailnet();
    expect((await call(a.app, "GET", `/api/v2/tailnet/-/keys/${b.authKeyId}`, { key: a.apiKey })).status).toBe(404);
    const d = await call(a.app, "DELETE", `/api/v2/tailnet/-/keys/${b.authKeyId}`, { key: a.apiKey });
    expect(d.status).toBe(404);
    expect(d.body).toEqual({ message: "not found" });
    expect((await call(b.app, "GET", `/api/v2/tailnet/-/keys/${b.authKeyId}`, { key: b.apiKey })).body.invalid).toBe(false);
  });

  it("revoking an API key through the API cuts it off", async () => {
    const s = await setupTailnet();
    const all = await call(s.app, "GET", "/api/v2/tailnet/-/keys?all=true", { key: s.apiKey });
    const apiKeyId = all.body.keys.find((k: { keyType: string }) => k.keyType === "api").id;
    expect((await call(s.app, "DELETE", `/api/v2/tailnet/-/keys/${apiKeyId}`, { key: s.apiKey })).status).toBe(200);
    expect((await call(s.app, "GET", "/api/v2/tailnet/-/keys", { key: s.apiKey })).status).toBe(401);
  });
});

describe("key listing follows the caller's scopes", () => {
  it("shows each key type only to a token that can read it", async () => {
    const { accessToken, createOAuthClient } = await import("../helpers.js");
    const s = await setupTailnet();
    const client = await createOAuthClient(s.app, s.apiKey, ["dns:read"], []);
    const types = async (scopes: string[], qs = "") =>
      (await call(s.app, "GET", `/api/v2/tailnet/-/keys${qs}`, { bearer: await accessToken(s.app, s.apiKey, scopes) })).body.keys
        .map((k: { keyType: string }) => k.keyType)
        .filter((t: string, i: number, a: string[]) => a.indexOf(t) === i)
        .sort();
    expect(await types(["auth_keys:read"])).toEqual(["auth"]);
    expect(await types(["oauth_keys:read"])).toEqual(["client"]);
    expect(await types(["api_access_tokens:read"], "?all=true")).toEqual(["api"]);
    expect(await types(["all:read"], "?all=true")).toEqual(["api", "auth", "client"]);
    expect(client.id).toMatch(/CNTRL$/);
  });
});

describe("PUT /api/v2/tailnet/{tailnet}/keys/{keyId}", () => {
  it("updates an OAuth client's scopes, tags and description", async () => {
    const { createOAuthClient } = await import("../helpers.js");
    const s = await setupTailnet();
    const client = await createOAuthClient(s.app, s.apiKey, ["dns:read"], []);
    const r = await call(s.app, "PUT", `/api/v2/tailnet/-/keys/${client.id}`, {
      key: s.apiKey,
      body: { keyType: "client", scopes: ["devices:core", "dns"], tags: ["tag:b", "tag:a"], description: "renamed" },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: client.id, scopes: ["devices:core", "dns"], tags: ["tag:a", "tag:b"], description: "renamed" });
    expect(r.body).not.toHaveProperty("key");
    const got = await call(s.app, "GET", `/api/v2/tailnet/-/keys/${client.id}`, { key: s.apiKey });
    expect(got.body).toMatchObject({ scopes: ["devices:core", "dns"], description: "renamed" });
  });

  it.each([
    [{ scopes: ["devices:nope"] }, 400, /unknown scopes/],
    [{ scopes: ["devices:core"], tags: [] }, 400, /must have tags/],
    [{ scopes: [] }, 400, /at least one scope/],
    [{ tags: ["tag:a"] }, 400, /scopes/],
    [{ scopes: ["dns"], tags: ["nottag"] }, 400, /tags/],
  ])("rejects %j and changes nothing", async (body, status, message) => {
    const { createOAuthClient } = await import("../helpers.js");
    const s = await setupTailnet();
    const client = await createOAuthClient(s.app, s.apiKey, ["dns:read"], []);
    const r = await call(s.app, "PUT", `/api/v2/tailnet/-/keys/${client.id}`, { key: s.apiKey, body });
    expect(r.status).toBe(status);
    expect(r.body.message).toMatch(message);
    const got = await call(s.app, "GET", `/api/v2/tailnet/-/keys/${client.id}`, { key: s.apiKey });
    expect(got.body.scopes).toEqual(["dns:read"]);
  });

  it("only updates OAuth clients, and only in the caller's tailnet", async () => {
    const { createOAuthClient } = await import("../helpers.js");
    const s = await setupTailnet();
    const other = await setupTailnet();
    const notClient = await call(s.app, "PUT", `/api/v2/tailnet/-/keys/${s.authKeyId}`, { key: s.apiKey, body: { scopes: ["dns"] } });
    expect(notClient.status).toBe(400);
    expect(notClient.body.message).toMatch(/only OAuth clients/);
    const theirs = await createOAuthClient(other.app, other.apiKey, ["dns:read"], []);
    const r = await call(s.app, "PUT", `/api/v2/tailnet/-/keys/${theirs.id}`, { key: s.apiKey, body: { scopes: ["dns"] } });
    expect(r.status).toBe(404);
    expect((await call(other.app, "GET", `/api/v2/tailnet/-/keys/${theirs.id}`, { key: other.apiKey })).body.scopes).toEqual(["dns:read"]);
  });
});
