import type { Scope } from "../../src/auth/scopes.js";
import { call, createAuthKey, createOAuthClient, hex64, registerDevice, seedApiKey, seedUser, setupTailnet, TEST_POLICY, uniqueName } from "../helpers.js";

/**
 * For every route with a declared scope: one valid request per scope that can
 * satisfy it, built fresh for each call on a fresh tailnet. Used by the scope
 * matrix (test/routes/scope-matrix.test.ts) and the audit coverage test
 * (test/routes/audit-coverage.test.ts); a route missing here fails both.
 */
export type Fixture = Awaited<ReturnType<typeof setupTailnet>>;
export type Req = { method: string; path: string; body?: unknown };
/** `filters`: the route answers to any of its scopes and shows what each allows, so only holding none of them is a 403. `userOnly`: only a user's API key may do it. */
export type Variant = { scope: Scope; request: (f: Fixture) => Promise<Req>; filters?: boolean; userOnly?: boolean };

const device = async (f: Fixture) => (await registerDevice(f.app, f.authKey)).device.nodeId;
const authKeyId = async (f: Fixture) => (await createAuthKey(f.app, f.apiKey, { tags: ["tag:ci"] })).id;
const clientId = async (f: Fixture) => (await createOAuthClient(f.app, f.apiKey, ["dns:read"], [])).id;
const apiKeyId = async (f: Fixture) => (await seedApiKey(f)).row.keyId;
const withAttribute = async (f: Fixture) => {
  const id = await device(f);
  await call(f.app, "POST", `/api/v2/device/${id}/attributes/custom:tier`, { key: f.apiKey, body: { value: "gold" } });
  return id;
};
const inviteOf = async (f: Fixture, body: unknown[] = [{}]) =>
  (await call(f.app, "POST", `/api/v2/device/${await device(f)}/device-invites`, { key: f.apiKey, body })).body[0] as { id: string; inviteUrl: string };

const member = async (f: Fixture) => (await seedUser(f, "member")).user.userId;
const userInviteOf = async (f: Fixture, email?: string) =>
  (await call(f.app, "POST", "/api/v2/tailnet/-/user-invites", { key: f.apiKey, body: [{ email }] })).body[0].id as string;
/** A node waiting for approval (web authentication), by its registration key. */
const pending = async (f: Fixture) =>
  (await call(f.app, "POST", "/machine/register", { body: { tailnet: f.tailnet.name, nodeKey: `nodekey:${hex64()}`, machineKey: `mkey:${hex64()}`, hostname: "web" } })).body
    .registrationKey as string;
const loginName = (prefix: string) => uniqueName(prefix).replace(".test", "");

/** Sets something up with the owner's API key; fails loudly if it does not work. */
const owner = async (f: Fixture, method: string, path: string, body?: unknown) => {
  const r = await call(f.app, method, path, { key: f.apiKey, body });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
};
const webhook = async (f: Fixture) => (await owner(f, "POST", "/api/v2/tailnet/-/webhooks", { endpointUrl: "https://hooks.example.com/t", subscriptions: ["nodeCreated"] })).endpointId as string;
const integration = async (f: Fixture) => (await owner(f, "POST", "/api/v2/tailnet/-/posture/integrations", { provider: "kolide", clientSecret: "s3cret" })).id as string;
const logStream = async (f: Fixture) => owner(f, "PUT", "/api/v2/tailnet/-/logging/configuration/stream", { destinationType: "elastic", url: "https://logs.example.com/in", token: "t0ken" });
const nameserver = (f: Fixture) => owner(f, "POST", "/api/v2/tailnet/-/dns/nameservers", { dns: ["8.8.8.8"] });
const window = () => {
  const now = Date.now();
  return `start=${new Date(now - 3600_000).toISOString()}&end=${new Date(now + 3600_000).toISOString()}`;
};
const get = (path: string) => async (): Promise<Req> => ({ method: "GET", path });

/**
 * For every route with a declared scope: one request per scope that can
 * satisfy it, built fresh for each call. A route missing here fails the
 * "covers every route" test, so new routes join the matrix.
 */
export const CASES: Record<string, Variant[]> = {
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
  listDnsNameservers: [{ scope: "dns:read", request: get("/api/v2/tailnet/-/dns/nameservers") }],
  setDnsNameservers: [{ scope: "dns", request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/dns/nameservers", body: { dns: ["8.8.8.8", "2001:4860:4860::8888"] } }) }],
  getDnsPreferences: [{ scope: "dns:read", request: get("/api/v2/tailnet/-/dns/preferences") }],
  setDnsPreferences: [
    { scope: "dns", request: async (f) => (await nameserver(f), { method: "POST", path: "/api/v2/tailnet/-/dns/preferences", body: { magicDNS: true } }) },
  ],
  listDnsSearchPaths: [{ scope: "dns:read", request: get("/api/v2/tailnet/-/dns/searchpaths") }],
  setDnsSearchPaths: [{ scope: "dns", request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/dns/searchpaths", body: { searchPaths: ["corp.example.com"] } }) }],
  getSplitDns: [{ scope: "dns:read", request: get("/api/v2/tailnet/-/dns/split-dns") }],
  updateSplitDns: [{ scope: "dns", request: async () => ({ method: "PATCH", path: "/api/v2/tailnet/-/dns/split-dns", body: { "corp.example.com": ["10.0.0.53"] } }) }],
  setSplitDns: [{ scope: "dns", request: async () => ({ method: "PUT", path: "/api/v2/tailnet/-/dns/split-dns", body: { "corp.example.com": ["10.0.0.53"] } }) }],
  getDnsConfiguration: [{ scope: "dns:read", request: get("/api/v2/tailnet/-/dns/configuration") }],
  setDnsConfiguration: [
    { scope: "dns", request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/dns/configuration", body: { nameservers: [{ address: "1.1.1.1" }], searchPaths: ["corp.example.com"] } }) },
  ],
  getTailnetSettings: [{ scope: "feature_settings:read", request: get("/api/v2/tailnet/-/settings") }],
  updateTailnetSettings: [
    { scope: "feature_settings", request: async () => ({ method: "PATCH", path: "/api/v2/tailnet/-/settings", body: { devicesAutoUpdatesOn: true } }) },
    { scope: "policy_file", request: async () => ({ method: "PATCH", path: "/api/v2/tailnet/-/settings", body: { aclsExternalLink: "https://git.example.com/policy" } }) },
    { scope: "logs:network", request: async () => ({ method: "PATCH", path: "/api/v2/tailnet/-/settings", body: { networkFlowLoggingOn: true } }) },
    { scope: "networking_settings", request: async () => ({ method: "PATCH", path: "/api/v2/tailnet/-/settings", body: { routeSelection: "regional-routing" } }) },
  ],
  getContacts: [{ scope: "account_settings:read", request: get("/api/v2/tailnet/-/contacts") }],
  updateContact: [{ scope: "account_settings", request: async () => ({ method: "PATCH", path: "/api/v2/tailnet/-/contacts/support", body: { email: "help@example.com" } }) }],
  resendContactVerificationEmail: [
    {
      scope: "account_settings",
      request: async (f) => (
        await owner(f, "PATCH", "/api/v2/tailnet/-/contacts/security", { email: "sec@example.com" }),
        { method: "POST", path: "/api/v2/tailnet/-/contacts/security/resend-verification-email" }
      ),
    },
  ],
  listWebhooks: [{ scope: "webhooks:read", request: get("/api/v2/tailnet/-/webhooks") }],
  createWebhook: [
    { scope: "webhooks", request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/webhooks", body: { endpointUrl: "https://hooks.example.com/x", subscriptions: ["nodeCreated"] } }) },
  ],
  getWebhook: [{ scope: "webhooks:read", request: async (f) => ({ method: "GET", path: `/api/v2/webhooks/${await webhook(f)}` }) }],
  updateWebhook: [{ scope: "webhooks", request: async (f) => ({ method: "PATCH", path: `/api/v2/webhooks/${await webhook(f)}`, body: { subscriptions: ["nodeDeleted"] } }) }],
  deleteWebhook: [{ scope: "webhooks", request: async (f) => ({ method: "DELETE", path: `/api/v2/webhooks/${await webhook(f)}` }) }],
  testWebhook: [{ scope: "webhooks", request: async (f) => ({ method: "POST", path: `/api/v2/webhooks/${await webhook(f)}/test` }) }],
  rotateWebhookSecret: [{ scope: "webhooks", request: async (f) => ({ method: "POST", path: `/api/v2/webhooks/${await webhook(f)}/rotate` }) }],
  listConfigurationAuditLogs: [{ scope: "logs:configuration:read", request: async () => ({ method: "GET", path: `/api/v2/tailnet/-/logging/configuration?${window()}` }) }],
  listNetworkFlowLogs: [{ scope: "logs:network:read", request: async () => ({ method: "GET", path: `/api/v2/tailnet/-/logging/network?${window()}` }) }],
  getLogStreamingConfiguration: [{ scope: "log_streaming:read", request: async (f) => (await logStream(f), { method: "GET", path: "/api/v2/tailnet/-/logging/configuration/stream" }) }],
  getLogStreamingStatus: [{ scope: "log_streaming:read", request: async (f) => (await logStream(f), { method: "GET", path: "/api/v2/tailnet/-/logging/configuration/stream/status" }) }],
  setLogStreamingConfiguration: [
    { scope: "log_streaming", request: async () => ({ method: "PUT", path: "/api/v2/tailnet/-/logging/network/stream", body: { destinationType: "splunk", url: "https://splunk.example.com/hec", token: "x" } }) },
  ],
  disableLogStreaming: [{ scope: "log_streaming", request: async (f) => (await logStream(f), { method: "DELETE", path: "/api/v2/tailnet/-/logging/configuration/stream" }) }],
  getPostureIntegrations: [{ scope: "feature_settings:read", request: get("/api/v2/tailnet/-/posture/integrations") }],
  createPostureIntegration: [
    { scope: "feature_settings", request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/posture/integrations", body: { provider: "falcon", cloudId: "us-1", clientId: "abc", clientSecret: "s" } }) },
  ],
  getPostureIntegration: [{ scope: "feature_settings:read", request: async (f) => ({ method: "GET", path: `/api/v2/posture/integrations/${await integration(f)}` }) }],
  updatePostureIntegration: [
    { scope: "feature_settings", request: async (f) => ({ method: "PATCH", path: `/api/v2/posture/integrations/${await integration(f)}`, body: { cloudId: "eu-1" } }) },
  ],
  deletePostureIntegration: [{ scope: "feature_settings", request: async (f) => ({ method: "DELETE", path: `/api/v2/posture/integrations/${await integration(f)}` }) }],
  previewRuleMatches: [
    {
      scope: "policy_file:read",
      request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/acl/preview?type=user&previewFor=alice@example.com", body: JSON.parse(TEST_POLICY) }),
    },
  ],
  listUsers: [{ scope: "users:read", request: get("/api/v2/tailnet/-/users") }],
  getUser: [{ scope: "users:read", request: async (f) => ({ method: "GET", path: `/api/v2/users/${f.owner.userId}` }) }],
  updateUserRole: [{ scope: "users", request: async (f) => ({ method: "POST", path: `/api/v2/users/${await member(f)}/role`, body: { role: "auditor" } }) }],
  approveUser: [{ scope: "users", request: async (f) => ({ method: "POST", path: `/api/v2/users/${await member(f)}/approve` }) }],
  suspendUser: [{ scope: "users", request: async (f) => ({ method: "POST", path: `/api/v2/users/${await member(f)}/suspend` }) }],
  restoreUser: [{ scope: "users", request: async (f) => ({ method: "POST", path: `/api/v2/users/${await member(f)}/restore` }) }],
  deleteUser: [{ scope: "users", request: async (f) => ({ method: "POST", path: `/api/v2/users/${await member(f)}/delete` }) }],
  createUser: [{ scope: "users", request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/users", body: { loginName: loginName("u") } }) }],
  renameUser: [{ scope: "users", request: async (f) => ({ method: "POST", path: `/api/v2/users/${await member(f)}/rename`, body: { loginName: loginName("r") } }) }],
  listUserInvites: [{ scope: "users:read", request: get("/api/v2/tailnet/-/user-invites") }],
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
  listAuthKeys: [{ scope: "auth_keys:read", request: get("/api/v2/tailnet/-/auth-keys") }],
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
      request: async () => ({ method: "POST", path: "/api/v2/tailnet/-/import", body: { users: [{ id: String(Date.now()), loginName: loginName("i") }] } }),
    },
  ],
};
