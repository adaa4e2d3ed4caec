import { describe, expect, it } from "vitest";
import { ALL_SCOPE_NAMES, grants, type Scope } from "../../src/auth/scopes.js";
import { ROUTES } from "../../src/routes/index.js";
import { accessToken, call, createAuthKey, createOAuthClient, registerDevice, seedApiKey, setupTailnet } from "../helpers.js";

type Fixture = Awaited<ReturnType<typeof setupTailnet>>;
type Req = { method: string; path: string; body?: unknown };
/** `filters`: the route answers to any of its scopes and shows what each allows, so only holding none of them is a 403. */
type Variant = { scope: Scope; request: (f: Fixture) => Promise<Req>; filters?: boolean };

const device = async (f: Fixture) => (await registerDevice(f.app, f.authKey)).device.nodeId;
const authKeyId = async (f: Fixture) => (await createAuthKey(f.app, f.apiKey, { tags: ["tag:ci"] })).id;
const clientId = async (f: Fixture) => (await createOAuthClient(f.app, f.apiKey, ["dns:read"], [])).id;
const apiKeyId = async (f: Fixture) => (await seedApiKey(f)).row.keyId;

/**
 * For every route with a declared scope: one request per scope that can
 * satisfy it, built fresh for each call. A route missing here fails the
 * "covers every route" test, so new routes join the matrix.
 */
const CASES: Record<string, Variant[]> = {
  listTailnetDevices: [{ scope: "devices:core:read", request: async () => ({ method: "GET", path: "/api/v2/tailnet/-/devices" }) }],
  getDevice: [{ scope: "devices:core:read", request: async (f) => ({ method: "GET", path: `/api/v2/device/${await device(f)}` }) }],
  deleteDevice: [{ scope: "devices:core", request: async (f) => ({ method: "DELETE", path: `/api/v2/device/${await device(f)}` }) }],
  listTailnetKeys: [
    { scope: "auth_keys:read", filters: true, request: async () => ({ method: "GET", path: "/api/v2/tailnet/-/keys" }) },
    { scope: "oauth_keys:read", filters: true, request: async () => ({ method: "GET", path: "/api/v2/tailnet/-/keys" }) },
    { scope: "api_access_tokens:read", filters: true, request: async () => ({ method: "GET", path: "/api/v2/tailnet/-/keys?all=true" }) },
  ],
  createKey: [
    {
      scope: "auth_keys",
      request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/keys", body: { capabilities: { devices: { create: { tags: ["tag:ci"] } } } } }),
    },
    {
      scope: "oauth_keys",
      request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/keys", body: { keyType: "client", scopes: ["oauth_keys:read"], tags: [] } }),
    },
  ],
  getKey: [
    { scope: "auth_keys:read", request: async (f) => ({ method: "GET", path: `/api/v2/tailnet/-/keys/${await authKeyId(f)}` }) },
    { scope: "oauth_keys:read", request: async (f) => ({ method: "GET", path: `/api/v2/tailnet/-/keys/${await clientId(f)}` }) },
    { scope: "api_access_tokens:read", request: async (f) => ({ method: "GET", path: `/api/v2/tailnet/-/keys/${await apiKeyId(f)}` }) },
  ],
  setKey: [
    {
      scope: "oauth_keys",
      request: async (f) => ({ method: "PUT", path: `/api/v2/tailnet/-/keys/${await clientId(f)}`, body: { scopes: ["oauth_keys:read"], tags: [] } }),
    },
  ],
  deleteKey: [
    { scope: "auth_keys", request: async (f) => ({ method: "DELETE", path: `/api/v2/tailnet/-/keys/${await authKeyId(f)}` }) },
    { scope: "oauth_keys", request: async (f) => ({ method: "DELETE", path: `/api/v2/tailnet/-/keys/${await clientId(f)}` }) },
    { scope: "api_access_tokens", request: async (f) => ({ method: "DELETE", path: `/api/v2/tailnet/-/keys/${await apiKeyId(f)}` }) },
  ],
};

const scoped = ROUTES.filter((r) => r.route["x-required-scope"] !== undefined);

async function send(f: Fixture, token: string, req: Req) {
  return call(f.app, req.method, req.path, { bearer: token, body: req.body });
}

describe("scope matrix", () => {
  it("covers every route that declares a scope", () => {
    expect(Object.keys(CASES).sort()).toEqual(scoped.map((r) => r.route.operationId).sort());
    for (const r of scoped) {
      const declared = [r.route["x-required-scope"]].flat();
      expect(CASES[r.route.operationId!]!.map((v) => v.scope).sort(), r.route.operationId).toEqual([...declared].sort());
    }
  });

  for (const r of scoped) {
    const op = r.route.operationId!;
    for (const v of CASES[op] ?? []) {
      const read = r.route.method === "get";
      describe(`${op} (${v.scope})`, () => {
        it(`succeeds with exactly ${v.scope}`, async () => {
          const f = await setupTailnet();
          const res = await send(f, await accessToken(f.app, f.apiKey, [v.scope]), await v.request(f));
          expect(res.status, res.text).toBeLessThan(300);
        });
        const excluded: Scope[] = v.filters ? [r.route["x-required-scope"] as Scope | Scope[]].flat() : [v.scope];
        it(`is 403 with every scope but those granting ${excluded.join(" or ")}`, async () => {
          const f = await setupTailnet();
          const others = ALL_SCOPE_NAMES.filter((s) => !excluded.some((e) => grants([s], e)));
          const res = await send(f, await accessToken(f.app, f.apiKey, others), await v.request(f));
          expect(res.status, res.text).toBe(403);
          expect(res.body).toEqual({ message: "calling actor does not have enough permissions to perform this function" });
        });
        it(`all:read ${read ? "reads" : "cannot write"}`, async () => {
          const f = await setupTailnet();
          const res = await send(f, await accessToken(f.app, f.apiKey, ["all:read"]), await v.request(f));
          if (read) expect(res.status, res.text).toBe(200);
          else expect(res.status, res.text).toBe(403);
        });
        it("all does it", async () => {
          const f = await setupTailnet();
          const res = await send(f, await accessToken(f.app, f.apiKey, ["all"]), await v.request(f));
          expect(res.status, res.text).toBeLessThan(300);
        });
      });
    }
  }
});
