/**
 * The authorization matrix, generated: every route of the route table ×
 * every kind of credential an attacker or an unlucky client presents, each
 * cell with its expected status; and another tailnet's resource answers
 * exactly like a missing one (same status, same body).
 *
 * Two tables drive it. CREDENTIALS is the kinds of credential (add a row
 * when a new kind exists: a suspended user's key once users can be
 * suspended). ROUTES_UNDER_TEST says how to make a valid request for each
 * route; a route missing from it fails "covers every route", so a new route
 * joins the matrix by being added there.
 */
import { createHmac } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { mintSecret } from "../../src/auth/credentials.js";
import { randomIds } from "../../src/lib/ids.js";
import { ROUTES } from "../../src/routes/index.js";
import {
  accessToken,
  authKeyBody,
  call,
  createAuthKey,
  createOAuthClient,
  registerBody,
  registerDevice,
  seedApiKey,
  seedUser,
  setupTailnet,
  testSql,
  TEST_POLICY,
  tokenFor,
} from "../helpers.js";

type Fixture = Awaited<ReturnType<typeof setupTailnet>>;
type Req = { method: string; path: string; body?: unknown };
/** A valid request in tailnet `f`; `id` is the resource the path names (a device or a key), if any. */
type Built = Req & { id?: string };
type Resource = "device" | "key" | "invite";
type RouteCase = { resource?: Resource; build(f: Fixture): Promise<Built> };

const device = async (f: Fixture) => (await registerDevice(f.app, f.authKey)).device.nodeId as string;
const authKey = async (f: Fixture) => (await createAuthKey(f.app, f.apiKey, { tags: ["tag:ci"] })).id;
const client = async (f: Fixture) => (await createOAuthClient(f.app, f.apiKey, ["dns:read"], [])).id;

/** A request on a fresh device of the tailnet: `/api/v2/device/{id}{suffix}`. */
const onDevice = (method: string, suffix = "", body?: () => unknown): RouteCase => ({
  resource: "device",
  build: async (f) => ((id) => ({ method, path: `/api/v2/device/${id}${suffix}`, id, body: body?.() }))(await device(f)),
});
const inviteOf = async (f: Fixture, body: unknown[] = [{}]) =>
  (await call(f.app, "POST", `/api/v2/device/${await device(f)}/device-invites`, { key: f.apiKey, body })).body[0] as { id: string; inviteUrl: string };
const onInvite = (method: string, suffix = "", body: unknown[] = [{}]): RouteCase => ({
  resource: "invite",
  build: async (f) => {
    const id = (await inviteOf(f, body)).id;
    f.clock.advance(61_000); // past the once-a-minute resend limit
    return { method, path: `/api/v2/device-invites/${id}${suffix}`, id };
  },
});
const randomIp = () => `100.96.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

/** Every scoped route: how to make a valid request for it. */
const ROUTES_UNDER_TEST: Record<string, RouteCase> = {
  listTailnetDevices: { build: async () => ({ method: "GET", path: "/api/v2/tailnet/-/devices" }) },
  getDevice: onDevice("GET"),
  deleteDevice: onDevice("DELETE"),
  expireDeviceKey: onDevice("POST", "/expire"),
  listDeviceRoutes: onDevice("GET", "/routes"),
  setDeviceRoutes: onDevice("POST", "/routes", () => ({ routes: ["10.0.0.0/24"] })),
  authorizeDevice: onDevice("POST", "/authorized", () => ({ authorized: true })),
  setDeviceName: onDevice("POST", "/name", () => ({ name: "renamed" })),
  setDeviceTags: onDevice("POST", "/tags", () => ({ tags: ["tag:ci"] })),
  updateDeviceKey: onDevice("POST", "/key", () => ({ keyExpiryDisabled: true })),
  setDeviceIp: onDevice("POST", "/ip", () => ({ ipv4: randomIp() })),
  getDevicePostureAttributes: onDevice("GET", "/attributes"),
  setCustomDevicePostureAttributes: onDevice("POST", "/attributes/custom:tier", () => ({ value: "gold" })),
  deleteCustomDevicePostureAttributes: {
    resource: "device",
    build: async (f) => {
      const id = await device(f);
      expect((await call(f.app, "POST", `/api/v2/device/${id}/attributes/custom:tier`, { key: f.apiKey, body: { value: "gold" } })).status).toBe(200);
      return { method: "DELETE", path: `/api/v2/device/${id}/attributes/custom:tier`, id };
    },
  },
  batchUpdateCustomDevicePostureAttributes: {
    build: async (f) => ({ method: "PATCH", path: "/api/v2/tailnet/-/device-attributes", body: { nodes: { [await device(f)]: { "custom:tier": { value: "gold" } } } } }),
  },
  listDeviceInvites: onDevice("GET", "/device-invites"),
  createDeviceInvites: onDevice("POST", "/device-invites", () => [{}]),
  getDeviceInvite: onInvite("GET"),
  deleteDeviceInvite: onInvite("DELETE"),
  resendDeviceInvite: onInvite("POST", "/resend", [{ email: "x@example.org" }]),
  acceptDeviceInvite: {
    build: async () => ({ method: "POST", path: "/api/v2/device-invites/-/accept", body: { invite: (await inviteOf(await setupTailnet({ tags: [] }))).inviteUrl } }),
  },
  getPolicyFile: { build: async () => ({ method: "GET", path: "/api/v2/tailnet/-/acl" }) },
  setPolicyFile: { build: async () => ({ method: "POST", path: "/api/v2/tailnet/-/acl", body: JSON.parse(TEST_POLICY) }) },
  validateAndTestPolicyFile: { build: async () => ({ method: "POST", path: "/api/v2/tailnet/-/acl/validate", body: JSON.parse(TEST_POLICY) }) },
  listTailnetKeys: { build: async () => ({ method: "GET", path: "/api/v2/tailnet/-/keys" }) },
  createKey: { build: async () => ({ method: "POST", path: "/api/v2/tailnet/-/keys", body: authKeyBody({ tags: ["tag:ci"] }) }) },
  getKey: { resource: "key", build: async (f) => ((id) => ({ method: "GET", path: `/api/v2/tailnet/-/keys/${id}`, id }))(await authKey(f)) },
  setKey: {
    resource: "key",
    build: async (f) => ((id) => ({ method: "PUT", path: `/api/v2/tailnet/-/keys/${id}`, id, body: { scopes: ["dns:read"], tags: [] } }))(await client(f)),
  },
  deleteKey: { resource: "key", build: async (f) => ((id) => ({ method: "DELETE", path: `/api/v2/tailnet/-/keys/${id}`, id }))(await authKey(f)) },
};

const MISSING_ID: Record<Resource, string> = { device: "nAAAAAAAAAAACNTRL", key: "kAAAAAAAAAAACNTRL", invite: "AAAAAAAAAAAAAAAA" };
/** Where a resource is read back, to see that a refused request left it alone. */
const readPath: Record<Resource, (id: string) => string> = {
  device: (id) => `/api/v2/device/${id}`,
  key: (id) => `/api/v2/tailnet/-/keys/${id}`,
  invite: (id) => `/api/v2/device-invites/${id}`,
};

type Ctx = { home: Fixture; foreign: Fixture };
/** What a credential kind makes of the route: the Authorization header, and the status it must get. */
type CredentialKind = { name: string; authorization(ctx: Ctx): Promise<string | undefined>; status: 401 | 403 };

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const bearer = (t: string) => `Bearer ${t}`;
const basic = (k: string) => `Basic ${Buffer.from(`${k}:`).toString("base64")}`;

async function signingKey(tailnetId: string): Promise<{ kid: string; jwk: Record<string, unknown> }> {
  const [r] = await testSql().unsafe(`SELECT kid, public_jwk FROM signing_keys WHERE tailnet_id = $1 ORDER BY created_at DESC LIMIT 1`, [tailnetId]);
  return { kid: (r as any).kid, jwk: (r as any).public_jwk };
}

const CREDENTIALS: CredentialKind[] = [
  { name: "no credential", status: 401, authorization: async () => undefined },
  { name: "a malformed credential", status: 401, authorization: async () => "Bearer not a key" },
  { name: "a malformed Basic header", status: 401, authorization: async () => "Basic %%%not-base64" },
  { name: "an unknown API key", status: 401, authorization: async () => basic(mintSecret("api", randomIds.keyId()).full) },
  {
    name: "an API key with a wrong secret",
    status: 401,
    authorization: async ({ home }) => basic(home.apiKey.replace(/-[A-Za-z0-9]+$/, `-${"Z".repeat(32)}`)),
  },
  {
    name: "an expired API key",
    status: 401,
    authorization: async ({ home }) => basic((await seedApiKey(home, { now: new Date(Date.now() - 3 * 86400_000), expirySeconds: 86400 })).secret),
  },
  {
    name: "a revoked API key",
    status: 401,
    authorization: async ({ home }) => {
      const k = await seedApiKey(home);
      const r = await call(home.app, "DELETE", `/api/v2/tailnet/-/keys/${k.row.keyId}`, { key: home.apiKey });
      expect(r.status).toBe(200);
      return basic(k.secret);
    },
  },
  {
    name: "an expired access token",
    status: 401,
    authorization: async ({ home }) => {
      const c = await createOAuthClient(home.app, home.apiKey, ["all"]);
      const { token } = await home.services.tokens.mint(testSql(), { tailnetId: home.tailnet.tailnetId, clientId: c.id, scopes: ["all"], tags: [] }, new Date(Date.now() - 2 * 3600_000));
      return bearer(token);
    },
  },
  {
    name: "a tampered access token (claims changed, signature kept)",
    status: 401,
    authorization: async ({ home }) => {
      const t = await accessToken(home.app, home.apiKey, ["dns:read"], []);
      const [h, p, s] = t.split(".");
      const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
      return bearer(`${h}.${b64url({ ...claims, scp: ["all"] })}.${s}`);
    },
  },
  {
    name: 'an access token with alg "none"',
    status: 401,
    authorization: async ({ home }) => {
      const t = await accessToken(home.app, home.apiKey, ["all"]);
      const [h, p] = t.split(".");
      const header = JSON.parse(Buffer.from(h!, "base64url").toString());
      return bearer(`${b64url({ ...header, alg: "none" })}.${p}.AAAA`);
    },
  },
  {
    name: "an access token signed HS256 with the tailnet's public key",
    status: 401,
    authorization: async ({ home }) => {
      const t = await accessToken(home.app, home.apiKey, ["all"]);
      const { kid, jwk } = await signingKey(home.tailnet.tailnetId);
      const [, p] = t.split(".");
      const head = `${b64url({ alg: "HS256", typ: "at+jwt", kid })}.${p}`;
      const sig = createHmac("sha256", JSON.stringify(jwk)).update(head).digest("base64url");
      return bearer(`${head}.${sig}`);
    },
  },
  {
    name: "an access token of a deleted OAuth client",
    status: 401,
    authorization: async ({ home }) => {
      const c = await createOAuthClient(home.app, home.apiKey, ["all"]);
      const t = (await tokenFor(home.app, c)).body.access_token as string;
      expect((await call(home.app, "DELETE", `/api/v2/tailnet/-/keys/${c.id}`, { key: home.apiKey })).status).toBe(200);
      return bearer(t);
    },
  },
  { name: "an OAuth client secret used as an API key", status: 403, authorization: async ({ home }) => basic((await createOAuthClient(home.app, home.apiKey, ["all"])).secret) },
  { name: "an access token with the wrong scope", status: 403, authorization: async ({ home }) => bearer(await accessToken(home.app, home.apiKey, ["dns:read"], [])) },
  // Once users can be suspended (issue 9): { name: "a suspended user's API key", status: 401, authorization: … },
];

const scoped = ROUTES.filter((r) => r.route["x-required-scope"] !== undefined);
let ctx: Ctx;

beforeAll(async () => {
  ctx = { home: await setupTailnet({ tags: [] }), foreign: await setupTailnet({ tags: [] }) };
});

async function send(f: Fixture, req: Req, authorization: string | undefined) {
  return call(f.app, req.method, req.path, { headers: authorization ? { authorization } : {}, body: req.body });
}

describe("authorization matrix", () => {
  it("covers every route that declares a scope", () => {
    expect(Object.keys(ROUTES_UNDER_TEST).sort()).toEqual(scoped.map((r) => r.route.operationId).sort());
  });

  for (const r of scoped) {
    const op = r.route.operationId!;
    const rc = ROUTES_UNDER_TEST[op];
    if (!rc) continue;
    describe(op, () => {
      it("a valid credential with every scope succeeds (the request is well-formed)", async () => {
        const res = await send(ctx.home, await rc.build(ctx.home), basic(ctx.home.apiKey));
        expect(res.status, res.text).toBeLessThan(300);
      });

      it.each(CREDENTIALS.map((k) => [k.name, k] as const))("%s", async (_name, kind) => {
        const req = await rc.build(ctx.home);
        const res = await send(ctx.home, req, await kind.authorization(ctx));
        expect(res.status, res.text).toBe(kind.status);
        expect(res.body).toEqual({
          message: kind.status === 401 ? "API token invalid" : "calling actor does not have enough permissions to perform this function",
        });
        // Nothing was done: the resource is still there.
        if (req.id && rc.resource) {
          const path = readPath[rc.resource](req.id);
          const still = await call(ctx.home.app, "GET", path, { key: ctx.home.apiKey });
          expect(still.status).toBe(200);
          if (rc.resource === "key") expect(still.body.invalid).toBe(false);
        }
      });

      if (rc.resource || r.route.path.includes("{tailnet}")) {
        it("another tailnet's credential on this tailnet's resource: 404, like a missing one", async () => {
          const req = await rc.build(ctx.home);
          // Name the home tailnet explicitly: `-` would mean the caller's own.
          const path = req.path.replace("/tailnet/-/", `/tailnet/${ctx.home.tailnet.name}/`);
          const res = await send(ctx.foreign, { ...req, path }, basic(ctx.foreign.apiKey));
          expect(res.status, res.text).toBe(404);
          expect(res.body).toEqual({ message: "not found" });
        });
      }

      if (rc.resource) {
        it("another tailnet's resource is indistinguishable from a missing one (same status, same body)", async () => {
          const foreignReq = await rc.build(ctx.foreign);
          const theirs = await send(ctx.home, foreignReq, basic(ctx.home.apiKey));
          const missing = await send(ctx.home, { ...foreignReq, path: foreignReq.path.replace(foreignReq.id!, MISSING_ID[rc.resource!]) }, basic(ctx.home.apiKey));
          expect(theirs.status).toBe(404);
          expect([theirs.status, theirs.text, theirs.headers.get("content-type")]).toEqual([missing.status, missing.text, missing.headers.get("content-type")]);
          // And the foreign resource is untouched.
          const path = readPath[rc.resource!](foreignReq.id!);
          expect((await call(ctx.foreign.app, "GET", path, { key: ctx.foreign.apiKey })).status).toBe(200);
        });

        const write = r.route.method !== "get";
        if (rc.resource === "invite") return; // invites belong to a device: the device cells cover members
        // Members read everything but others' keys (hidden: 404), write only their own untagged devices,
        // and hold no key-writing scope at all (403 before any lookup).
        const memberStatus = write ? 403 : rc.resource === "key" ? 404 : 200;
        it(`a member acting on another user's ${rc.resource}: ${memberStatus}`, async () => {
          const member = await seedUser(ctx.home, "member");
          const req = await rc.build(ctx.home);
          const res = await send(ctx.home, req, basic(member.apiKey));
          expect(res.status, res.text).toBe(memberStatus);
        });
      }
    });
  }
});

describe("unscoped routes: the token endpoint and the node API", () => {
  it("covers every route without a scope", () => {
    expect(ROUTES.filter((r) => r.route["x-required-scope"] === undefined).map((r) => r.route.operationId).sort()).toEqual(["oauthToken", "registerNode", "reportNode"]);
  });

  it.each([
    ["an unknown client secret", async () => ({ id: "kAAAAAAAAAAACNTRL", secret: mintSecret("client", randomIds.keyId()).full })],
    ["an API key as the client secret", async () => ({ id: "x", secret: ctx.home.apiKey })],
    [
      "a deleted client",
      async () => {
        const c = await createOAuthClient(ctx.home.app, ctx.home.apiKey, ["dns:read"], []);
        await call(ctx.home.app, "DELETE", `/api/v2/tailnet/-/keys/${c.id}`, { key: ctx.home.apiKey });
        return c;
      },
    ],
    ["another client's id with this secret", async () => ({ ...(await createOAuthClient(ctx.home.app, ctx.home.apiKey, ["dns:read"], [])), id: "kAAAAAAAAAAACNTRL" })],
  ] as const)("oauthToken with %s → 401 invalid_client", async (_n, make) => {
    const res = await tokenFor(ctx.home.app, await make());
    expect(res.status, res.text).toBe(401);
    expect(res.body.error).toBe("invalid_client");
  });

  it.each([
    ["an unknown auth key", async () => mintSecret("auth", randomIds.keyId()).full, "invalid auth key"],
    ["an API key instead of an auth key", async () => ctx.home.apiKey, "invalid auth key"],
    [
      "a revoked auth key",
      async () => {
        const k = await createAuthKey(ctx.home.app, ctx.home.apiKey, { reusable: true });
        await call(ctx.home.app, "DELETE", `/api/v2/tailnet/-/keys/${k.id}`, { key: ctx.home.apiKey });
        return k.key;
      },
      "auth key has been revoked",
    ],
    [
      "a used single-use auth key",
      async () => {
        const k = await createAuthKey(ctx.home.app, ctx.home.apiKey, { reusable: false });
        await registerDevice(ctx.home.app, k.key);
        return k.key;
      },
      "auth key has already been used",
    ],
  ] as const)("registerNode with %s → 401", async (_n, make, message) => {
    const res = await call(ctx.home.app, "POST", "/machine/register", { body: registerBody(await make()) });
    expect(res.status, res.text).toBe(401);
    expect(res.body).toEqual({ message });
  });

  it.each([
    ["no node token", async (): Promise<string | undefined> => undefined, "node token invalid"],
    ["an unknown node token", async (): Promise<string | undefined> => mintSecret("node", randomIds.keyId()).full, "node token invalid"],
    ["an API key instead of a node token", async (): Promise<string | undefined> => ctx.home.apiKey, "node token invalid"],
    [
      "the token of a deleted device",
      async (): Promise<string | undefined> => {
        const r = await registerDevice(ctx.home.app, ctx.home.authKey);
        await call(ctx.home.app, "DELETE", `/api/v2/device/${r.device.nodeId}`, { key: ctx.home.apiKey });
        return r.nodeToken;
      },
      "node token invalid",
    ],
    [
      "a token replaced by a newer registration",
      async (): Promise<string | undefined> => {
        const body = registerBody(ctx.home.authKey);
        const first = await call(ctx.home.app, "POST", "/machine/register", { body });
        await call(ctx.home.app, "POST", "/machine/register", { body: { ...body, nodeKey: registerBody(ctx.home.authKey).nodeKey } });
        return first.body.nodeToken as string;
      },
      "node token revoked: the device has registered again and has a newer one",
    ],
  ] as const)("reportNode with %s → 401", async (_n, make, message) => {
    const token = await make();
    const res = await call(ctx.home.app, "POST", "/machine/update", { bearer: token, body: { hostname: "x" } });
    expect(res.status, res.text).toBe(401);
    expect(res.body).toEqual({ message });
  });
});
