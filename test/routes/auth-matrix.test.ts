/**
 * The authorization matrix, generated: every route of the route table ×
 * every kind of credential an attacker or an unlucky client presents, each
 * cell with its expected status; and another tailnet's resource answers
 * exactly like a missing one (same status, same body).
 *
 * Two tables drive it. CREDENTIALS is the kinds of credential (add a row
 * when a new kind exists). The valid request of each route comes from the shared table
 * test/routes/cases.ts (which the scope matrix also uses); a route missing
 * there fails "covers every route", so a new route joins the matrix by
 * being added there. The resource a route acts on is read from its path
 * template ({deviceId}, {keyId}, {deviceInviteId}, {endpointId}, posture
 * integration {id}).
 */
import { createHmac } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { mintSecret } from "../../src/auth/credentials.js";
import { randomIds } from "../../src/lib/ids.js";
import { grants, type Scope } from "../../src/auth/scopes.js";
import { ROUTES } from "../../src/routes/index.js";
import {
  accessToken,
  call,
  createAuthKey,
  createOAuthClient,
  registerBody,
  registerDevice,
  seedApiKey,
  seedUser,
  setupTailnet,
  testSql,
  tokenFor,
} from "../helpers.js";
import { CASES, type Fixture, type Req } from "./cases.js";

/** A valid request in tailnet `f`; `id` is the resource its path names (a device, a key, …), if any. */
type Built = Req & { id?: string };
type Resource = "device" | "key" | "invite" | "webhook" | "integration";

/** The resource a route's path names, from its template's parameter; and where it is read back. */
const RESOURCES: [Resource, RegExp][] = [
  ["device", /^\/api\/v2\/device\/([^/]+)/],
  ["key", /^\/api\/v2\/tailnet\/[^/]+\/(?:auth-)?keys\/([^/]+)/],
  ["invite", /^\/api\/v2\/device-invites\/(?!-\/)([^/]+)/],
  ["webhook", /^\/api\/v2\/webhooks\/([^/]+)/],
  ["integration", /^\/api\/v2\/posture\/integrations\/([^/]+)/],
];
function resourceOfTemplate(path: string): Resource | undefined {
  if (path.includes("{deviceId}")) return "device";
  if (path.includes("{keyId}")) return "key";
  if (path.includes("{deviceInviteId}")) return "invite";
  if (path.includes("{endpointId}")) return "webhook";
  if (/\/posture\/integrations\/\{id\}/.test(path)) return "integration";
  return undefined;
}

/** The route's first valid request from the shared table (test/routes/cases.ts), with the resource its path names. */
async function build(op: string, f: Fixture): Promise<Built & { readPath?: string }> {
  const req = await CASES[op]![0]!.request(f);
  for (const [, re] of RESOURCES) {
    const m = re.exec(req.path);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      // Keys are read back through the keys API, whichever path acted on them.
      return { ...req, id, readPath: m[0].includes("/auth-keys/") ? `/api/v2/tailnet/-/keys/${m[1]}` : m[0] };
    }
  }
  return req;
}

/** An id of the same shape (length, character classes) that names nothing. */
function missingLike(id: string): string {
  const m = /^([nk]?)(.*?)(CNTRL)?$/.exec(id)!;
  return m[1] + m[2]!.replace(/[0-9]/g, "1").replace(/[A-Za-z]/g, "A") + (m[3] ?? "");
}

/** A scope that grants nothing the route declares (and needs no tags). */
function wrongScope(declared: readonly string[]): string {
  const candidates = ["dns:read", "users:read", "feature_settings:read", "logs:network:read", "webhooks:read", "devices:core:read", "policy_file:read"];
  return candidates.find((c) => !declared.some((d) => grants([c], d as Scope)))!;
}

type Ctx = { home: Fixture; foreign: Fixture };
/** What a credential kind makes of the route: the Authorization header, and the status it must get. */
type CredentialKind = { name: string; authorization(ctx: Ctx, declared: readonly string[]): Promise<string | undefined>; status: 401 | 403 };

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
  {
    name: "an access token with the wrong scope",
    status: 403,
    authorization: async ({ home }, declared) => bearer(await accessToken(home.app, home.apiKey, [wrongScope(declared)], [])),
  },
  {
    name: "a suspended user's API key",
    status: 401,
    authorization: async ({ home }) => {
      const { user, apiKey } = await seedUser(home, "admin");
      expect((await call(home.app, "GET", "/api/v2/tailnet/-/devices", { key: apiKey })).status).toBe(200);
      expect((await call(home.app, "POST", `/api/v2/users/${user.userId}/suspend`, { key: home.apiKey })).status).toBe(200);
      return basic(apiKey);
    },
  },
];

const scoped = ROUTES.filter((r) => r.route["x-required-scope"] !== undefined);
/** The other tailnet of every cell, and the home of the unscoped cells. */
const shared = {} as Ctx;
const ctx = shared;

beforeAll(async () => {
  shared.home = await setupTailnet({ tags: [] });
  shared.foreign = await setupTailnet({ tags: [] });
});

async function send(f: Fixture, req: Req, authorization: string | undefined) {
  return call(f.app, req.method, req.path, { headers: authorization ? { authorization } : {}, body: req.body });
}

describe("authorization matrix", () => {
  it("covers every route that declares a scope", () => {
    expect(scoped.filter((r) => !CASES[r.route.operationId!]?.length).map((r) => r.route.operationId)).toEqual([]);
  });

  for (const r of scoped) {
    const op = r.route.operationId!;
    if (!CASES[op]?.length) continue;
    const declared = [r.route["x-required-scope"] as string | string[]].flat();
    const resource = resourceOfTemplate(r.route.path);
    describe(op, () => {
      // A tailnet of its own per route: what one route's cells make does not pile up in another's.
      const ctx = {} as Ctx;
      beforeAll(async () => {
        ctx.home = await setupTailnet({ tags: [] });
        ctx.foreign = shared.foreign;
      });
      it("a valid credential with every scope succeeds (the request is well-formed)", async () => {
        const res = await send(ctx.home, await build(op, ctx.home), basic(ctx.home.apiKey));
        expect(res.status, res.text).toBeLessThan(300);
      });

      it.each(CREDENTIALS.map((k) => [k.name, k] as const))("%s", async (_name, kind) => {
        const req = await build(op, ctx.home);
        const res = await send(ctx.home, req, await kind.authorization(ctx, declared));
        expect(res.status, res.text).toBe(kind.status);
        expect(res.body).toEqual({
          message: kind.status === 401 ? "API token invalid" : "calling actor does not have enough permissions to perform this function",
        });
        // Nothing was done: the resource is still there.
        if (req.readPath) {
          const still = await call(ctx.home.app, "GET", req.readPath, { key: ctx.home.apiKey });
          expect(still.status, `${req.readPath}: ${still.text}`).toBe(200);
          if (resource === "key") expect(still.body.invalid).toBe(false);
        }
      });

      if (resource || r.route.path.includes("{tailnet}")) {
        it("another tailnet's credential on this tailnet's resource: 404, like a missing one", async () => {
          const req = await build(op, ctx.home);
          // Name the home tailnet explicitly: `-` would mean the caller's own.
          const path = req.path.replace("/tailnet/-/", `/tailnet/${ctx.home.tailnet.name}/`);
          const res = await send(ctx.foreign, { ...req, path }, basic(ctx.foreign.apiKey));
          expect(res.status, res.text).toBe(404);
          expect(res.body).toEqual({ message: "not found" });
          if (req.readPath) expect((await call(ctx.home.app, "GET", req.readPath, { key: ctx.home.apiKey })).status).toBe(200);
        });
      }

      if (resource) {
        it("another tailnet's resource is indistinguishable from a missing one (same status, same body)", async () => {
          const foreignReq = await build(op, ctx.foreign);
          expect(foreignReq.id, "the request names its resource").toBeTruthy();
          const theirs = await send(ctx.home, foreignReq, basic(ctx.home.apiKey));
          const missing = await send(ctx.home, { ...foreignReq, path: foreignReq.path.replace(foreignReq.id!, missingLike(foreignReq.id!)) }, basic(ctx.home.apiKey));
          expect(theirs.status).toBe(404);
          expect([theirs.status, theirs.text, theirs.headers.get("content-type")]).toEqual([missing.status, missing.text, missing.headers.get("content-type")]);
          // And the foreign resource is untouched.
          expect((await call(ctx.foreign.app, "GET", foreignReq.readPath!, { key: ctx.foreign.apiKey })).status).toBe(200);
        });
      }

      if (resource === "device" || resource === "key") {
        const write = r.route.method !== "get";
        // Members read everything but others' keys (hidden: 404), write only their own untagged devices,
        // and hold no key-writing scope at all (403 before any lookup).
        const memberStatus = write ? 403 : resource === "key" ? 404 : 200;
        it(`a member acting on another user's ${resource}: ${memberStatus}`, async () => {
          const member = await seedUser(ctx.home, "member");
          const req = await build(op, ctx.home);
          const res = await send(ctx.home, req, basic(member.apiKey));
          expect(res.status, res.text).toBe(memberStatus);
        });
      }
    });
  }
});

describe("unscoped routes: the token endpoint and the node API", () => {
  it("covers every route without a scope", () => {
    expect(ROUTES.filter((r) => r.route["x-required-scope"] === undefined).map((r) => r.route.operationId).sort()).toEqual(["acceptUserInvite", "oauthToken", "registerNode", "registrationPage", "reportNode", "userInvitePage"]);
    // The token endpoint and the node API have their cells below; the invitation and
    // registration pages are a person's browser flows, tested by their own suites.
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
