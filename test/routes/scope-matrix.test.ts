import { describe, expect, it } from "vitest";
import { ALL_SCOPE_NAMES, grants, type Scope } from "../../src/auth/scopes.js";
import { ROUTES } from "../../src/routes/index.js";
import { accessToken, call, createAuthKey, createOAuthClient, hex64, registerDevice, seedApiKey, seedUser, setupTailnet, TEST_POLICY, uniqueName } from "../helpers.js";

type Fixture = Awaited<ReturnType<typeof setupTailnet>>;
type Req = { method: string; path: string; body?: unknown };
/** `filters`: the route answers to any of its scopes and shows what each allows, so only holding none of them is a 403. */
type Variant = { scope: Scope; request: (f: Fixture) => Promise<Req>; filters?: boolean; userOnly?: boolean };

const device = async (f: Fixture) => (await registerDevice(f.app, f.authKey)).device.nodeId;
const authKeyId = async (f: Fixture) => (await createAuthKey(f.app, f.apiKey, { tags: ["tag:ci"] })).id;
const clientId = async (f: Fixture) => (await createOAuthClient(f.app, f.apiKey, ["dns:read"], [])).id;
const apiKeyId = async (f: Fixture) => (await seedApiKey(f)).row.keyId;
const withAttribute = async (f: Fixture) => {
  const id = await device(f);
  await call(f.app, "POST", `/api/v2/device/${id}/attributes/custom:tier`, { key: f.apiKey, body: { value: "gold" } });
  return id;
};
const member = async (f: Fixture) => (await seedUser(f, "member")).user.userId;
const userInviteOf = async (f: Fixture, email?: string) =>
  (await call(f.app, "POST", "/api/v2/tailnet/-/user-invites", { key: f.apiKey, body: [{ email }] })).body[0].id as string;
/** A node waiting for approval (web authentication), by its registration key. */
const pending = async (f: Fixture) =>
  (await call(f.app, "POST", "/machine/register", { body: { tailnet: f.tailnet.name, nodeKey: `nodekey:${hex64()}`, machineKey: `mkey:${hex64()}`, hostname: "web" } })).body
    .registrationKey as string;
const inviteOf = async (f: Fixture, body: unknown[] = [{}]) =>
  (await call(f.app, "POST", `/api/v2/device/${await device(f)}/device-invites`, { key: f.apiKey, body })).body[0] as { id: string; inviteUrl: string };

/**
 * For every route with a declared scope: one request per scope that can
 * satisfy it, built fresh for each call. A route missing here fails the
 * "covers every route" test, so new routes join the matrix.
 */
const CASES: Record<string, Variant[]> = {
  listTailnetDevices: [{ scope: "devices:core:read", request: async () => ({ method: "GET", path: "/api/v2/tailnet/-/devices" }) }],
  getDevice: [{ scope: "devices:core:read", request: async (f) => ({ method: "GET", path: `/api/v2/device/${await device(f)}` }) }],
  deleteDevice: [{ scope: "devices:core", request: async (f) => ({ method: "DELETE", path: `/api/v2/device/${await device(f)}` }) }],
  expireDeviceKey: [{ scope: "devices:core", request: async (f) => ({ method: "POST", path: `/api/v2/device/${await device(f)}/expire` }) }],
  listDeviceRoutes: [{ scope: "devices:routes:read", request: async (f) => ({ method: "GET", path: `/api/v2/device/${await device(f)}/routes` }) }],
  setDeviceRoutes: [
    { scope: "devices:routes", request: async (f) => ({ method: "POST", path: `/api/v2/device/${await device(f)}/routes`, body: { routes: ["10.0.0.0/24"] } }) },
  ],
  authorizeDevice: [
    { scope: "devices:core", request: async (f) => ({ method: "POST", path: `/api/v2/device/${await device(f)}/authorized`, body: { authorized: true } }) },
  ],
  setDeviceName: [{ scope: "devices:core", request: async (f) => ({ method: "POST", path: `/api/v2/device/${await device(f)}/name`, body: { name: "renamed" } }) }],
  setDeviceTags: [{ scope: "devices:core", request: async (f) => ({ method: "POST", path: `/api/v2/device/${await device(f)}/tags`, body: { tags: ["tag:ci"] } }) }],
  updateDeviceKey: [
    { scope: "devices:core", request: async (f) => ({ method: "POST", path: `/api/v2/device/${await device(f)}/key`, body: { keyExpiryDisabled: true } }) },
  ],
  setDeviceIp: [
    {
      scope: "devices:core",
      request: async (f) => ({ method: "POST", path: `/api/v2/device/${await device(f)}/ip`, body: { ipv4: `100.96.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}` } }),
    },
  ],
  getDevicePostureAttributes: [{ scope: "devices:posture_attributes:read", request: async (f) => ({ method: "GET", path: `/api/v2/device/${await device(f)}/attributes` }) }],
  setCustomDevicePostureAttributes: [
    {
      scope: "devices:posture_attributes",
      request: async (f) => ({ method: "POST", path: `/api/v2/device/${await device(f)}/attributes/custom:tier`, body: { value: "gold", expiry: "0001-01-01T00:00:00Z", comment: "" } }),
    },
  ],
  deleteCustomDevicePostureAttributes: [
    { scope: "devices:posture_attributes", request: async (f) => ({ method: "DELETE", path: `/api/v2/device/${await withAttribute(f)}/attributes/custom:tier` }) },
  ],
  batchUpdateCustomDevicePostureAttributes: [
    {
      scope: "devices:posture_attributes",
      request: async (f) => ({ method: "PATCH", path: "/api/v2/tailnet/-/device-attributes", body: { nodes: { [await device(f)]: { "custom:tier": { value: "gold" } } } } }),
    },
  ],
  listDeviceInvites: [{ scope: "device_invites:read", request: async (f) => ({ method: "GET", path: `/api/v2/device/${await device(f)}/device-invites` }) }],
  createDeviceInvites: [
    { scope: "device_invites", userOnly: true, request: async (f) => ({ method: "POST", path: `/api/v2/device/${await device(f)}/device-invites`, body: [{}] }) },
  ],
  getDeviceInvite: [{ scope: "device_invites:read", request: async (f) => ({ method: "GET", path: `/api/v2/device-invites/${(await inviteOf(f)).id}` }) }],
  deleteDeviceInvite: [{ scope: "device_invites", request: async (f) => ({ method: "DELETE", path: `/api/v2/device-invites/${(await inviteOf(f)).id}` }) }],
  resendDeviceInvite: [
    {
      scope: "device_invites",
      userOnly: true,
      request: async (f) => {
        const id = (await inviteOf(f, [{ email: "x@example.org" }])).id;
        f.clock.advance(61_000); // past the once-a-minute limit
        return { method: "POST", path: `/api/v2/device-invites/${id}/resend` };
      },
    },
  ],
  acceptDeviceInvite: [
    {
      scope: "device_invites",
      userOnly: true,
      request: async () => {
        const other = await setupTailnet();
        return { method: "POST", path: "/api/v2/device-invites/-/accept", body: { invite: (await inviteOf(other)).inviteUrl } };
      },
    },
  ],
  getPolicyFile: [{ scope: "policy_file:read", request: async () => ({ method: "GET", path: "/api/v2/tailnet/-/acl" }) }],
  setPolicyFile: [{ scope: "policy_file", request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/acl", body: JSON.parse(TEST_POLICY) }) }],
  validateAndTestPolicyFile: [{ scope: "policy_file:read", request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/acl/validate", body: JSON.parse(TEST_POLICY) }) }],
  previewRuleMatches: [
    {
      scope: "policy_file:read",
      request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/acl/preview?type=user&previewFor=alice@example.com", body: JSON.parse(TEST_POLICY) }),
    },
  ],
  listUsers: [{ scope: "users:read", request: async () => ({ method: "GET", path: "/api/v2/tailnet/-/users" }) }],
  getUser: [{ scope: "users:read", request: async (f) => ({ method: "GET", path: `/api/v2/users/${f.owner.userId}` }) }],
  updateUserRole: [{ scope: "users", request: async (f) => ({ method: "POST", path: `/api/v2/users/${await member(f)}/role`, body: { role: "auditor" } }) }],
  approveUser: [{ scope: "users", request: async (f) => ({ method: "POST", path: `/api/v2/users/${await member(f)}/approve` }) }],
  suspendUser: [{ scope: "users", request: async (f) => ({ method: "POST", path: `/api/v2/users/${await member(f)}/suspend` }) }],
  restoreUser: [{ scope: "users", request: async (f) => ({ method: "POST", path: `/api/v2/users/${await member(f)}/restore` }) }],
  deleteUser: [{ scope: "users", request: async (f) => ({ method: "POST", path: `/api/v2/users/${await member(f)}/delete` }) }],
  createUser: [{ scope: "users", request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/users", body: { loginName: uniqueName("u").replace(".test", "") } }) }],
  renameUser: [
    { scope: "users", request: async (f) => ({ method: "POST", path: `/api/v2/users/${await member(f)}/rename`, body: { loginName: uniqueName("r").replace(".test", "") } }) },
  ],
  listUserInvites: [{ scope: "users:read", request: async () => ({ method: "GET", path: "/api/v2/tailnet/-/user-invites" }) }],
  createUserInvites: [{ scope: "users", request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/user-invites", body: [{ role: "member" }] }) }],
  getUserInvite: [{ scope: "users:read", request: async (f) => ({ method: "GET", path: `/api/v2/user-invites/${await userInviteOf(f)}` }) }],
  deleteUserInvite: [{ scope: "users", request: async (f) => ({ method: "DELETE", path: `/api/v2/user-invites/${await userInviteOf(f)}` }) }],
  resendUserInvite: [
    {
      scope: "users",
      request: async (f) => {
        const id = await userInviteOf(f, "someone@example.org");
        f.clock.advance(61_000); // past the once-a-minute limit
        return { method: "POST", path: `/api/v2/user-invites/${id}/resend` };
      },
    },
  ],
  listAuthKeys: [{ scope: "auth_keys:read", request: async () => ({ method: "GET", path: "/api/v2/tailnet/-/auth-keys" }) }],
  createAuthKeyForUser: [{ scope: "auth_keys", request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/auth-keys", body: { tags: ["tag:ci"] } }) }],
  expireAuthKey: [{ scope: "auth_keys", request: async (f) => ({ method: "POST", path: `/api/v2/tailnet/-/auth-keys/${await authKeyId(f)}/expire` }) }],
  approveRegistration: [
    {
      scope: "devices:core",
      request: async (f) => ({ method: "POST", path: `/api/v2/tailnet/-/registrations/${await pending(f)}/approve`, body: { user: f.owner.loginName } }),
    },
  ],
  importTailnet: [
    {
      scope: "all",
      request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/import", body: { users: [{ id: String(Date.now()), loginName: uniqueName("i").replace(".test", "") }] } }),
    },
  ],
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
      const read = v.scope.endsWith(":read");
      describe(`${op} (${v.scope})`, () => {
        it(`succeeds with exactly ${v.scope}`, async () => {
          const f = await setupTailnet();
          const res = await send(f, await accessToken(f.app, f.apiKey, [v.scope]), await v.request(f));
          if (v.userOnly) {
            // Past the scope check, the operation itself wants a person: a user's API key does it.
            expect(res.status, res.text).toBe(403);
            expect(res.body.message).toMatch(/needs a user's API key/);
            const withKey = await call(f.app, (await v.request(f)).method, (await v.request(f)).path, { key: f.apiKey, body: (await v.request(f)).body });
            expect(withKey.status, withKey.text).toBeLessThan(300);
          } else expect(res.status, res.text).toBeLessThan(300);
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
          if (v.userOnly) expect(res.body.message, res.text).toMatch(/needs a user's API key/);
          else expect(res.status, res.text).toBeLessThan(300);
        });
      });
    }
  }
});
