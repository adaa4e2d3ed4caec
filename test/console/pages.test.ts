/**
 * The console's pages and forms, in process: each form does what its API
 * endpoint does, answers with a message, and what the signed-in credential
 * may not do is neither offered nor done (the domain refuses a forged post).
 */
import { describe, expect, it } from "vitest";
import { createAuthKey } from "../../src/domain/keys.js";
import { operatorOf } from "../../src/domain/tailnets.js";
import { call, ConsoleAgent, createOAuthClient, decodeEntities, flashOf, hex64, registerDevice, seedUser, setupTailnet, testDeps, type Page } from "../helpers.js";

type T = Awaited<ReturnType<typeof setupTailnet>>;

async function admin(t?: T) {
  const s = t ?? (await setupTailnet());
  const agent = new ConsoleAgent(s.app);
  const res = await agent.signIn({ apiKey: s.apiKey });
  expect(res.status).toBe(303);
  await agent.follow(res); // the first page: the session's CSRF token
  return { ...s, agent };
}

/** Posts a form from `page` and follows the redirect to the page that shows its message. */
async function submit(agent: ConsoleAgent, path: string, form: Record<string, string | string[]> = {}): Promise<Page> {
  const res = await agent.post(path, form);
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return agent.follow(res);
}

const device = async (t: T, id: string) => (await call(t.app, "GET", `/api/v2/device/${id}?fields=all`, { key: t.apiKey })).body;

describe("Machines", () => {
  it("lists every machine with its owner, addresses, tags, OS, status and expiry; filters by text, user, tag, status and OS", async () => {
    const t = await admin();
    const web = await registerDevice(t.app, t.authKey, { hostname: "web", advertiseRoutes: ["10.0.0.0/24"] });
    const db = await registerDevice(t.app, t.authKey, { hostname: "db", os: "windows" });
    await call(t.app, "POST", `/api/v2/device/${db.device.nodeId}/tags`, { key: t.apiKey, body: { tags: ["tag:server"] } });
    const page = await t.agent.get("/admin/machines");
    expect(page.status).toBe(200);
    const rows = page.text.split("<tr>").slice(2);
    expect(rows).toHaveLength(2);
    const webRow = rows.find((r) => r.includes(">web<"))!;
    expect(webRow).toContain(t.owner.loginName);
    expect(webRow).toContain(web.device.addresses[0]);
    expect(webRow).toContain(web.device.addresses[1]);
    expect(webRow).toContain("Routes awaiting approval");
    expect(webRow).toContain("linux");
    const dbRow = rows.find((r) => r.includes(">db<"))!;
    expect(dbRow).toContain("tagged-devices");
    expect(dbRow).toContain("tag:server");
    expect(dbRow).toContain("Expiry disabled");

    const shown = async (q: string) => [...(await t.agent.get(`/admin/machines?${q}`)).text.matchAll(/<a href="\/admin\/machines\/(n\w+)">/g)].map((m) => m[1]);
    expect(await shown("q=web")).toEqual([web.device.nodeId]);
    expect(await shown(`q=${web.device.addresses[0]}`)).toEqual([web.device.nodeId]);
    expect(await shown("user=tagged-devices")).toEqual([db.device.nodeId]);
    expect(await shown("tag=tag:server")).toEqual([db.device.nodeId]);
    expect(await shown("os=windows")).toEqual([db.device.nodeId]);
    expect(await shown("status=online")).toEqual([]);
    expect((await shown("status=offline")).sort()).toEqual([web.device.nodeId, db.device.nodeId].sort());
    expect(await shown("q=nothing-like-it")).toEqual([]);
  });

  it("a machine's forms: rename, tags (own tags only offered), routes and exit node, approval, key expiry, IPv4, expire, delete", async () => {
    const t = await admin(await setupTailnet({ preauthorized: false, approval: true }));
    const { device: d } = await registerDevice(t.app, t.authKey, { hostname: "gw", advertiseRoutes: ["10.1.0.0/16", "0.0.0.0/0", "::/0"] });
    const path = `/admin/machines/${d.nodeId}`;
    const page = await t.agent.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Needs approval");
    // Every test tag is the owner's to apply, so every one is offered.
    for (const tag of ["tag:ci", "tag:server", "tag:web"]) expect(page.text).toContain(`value="${tag}"`);

    expect(flashOf(await submit(t.agent, `${path}/name`, { name: "Gateway" }))).toBe("Renamed to gateway.");
    expect(flashOf(await submit(t.agent, `${path}/tags`, { tags: ["tag:web", "tag:server"] }))).toBe("Tags set: tag:server, tag:web.");
    expect(flashOf(await submit(t.agent, `${path}/routes`, { routes: "10.1.0.0/16", exit: "1", more: "192.168.1.0/24" }))).toBe(
      "Approved routes: 10.1.0.0/16, 0.0.0.0/0, ::/0, 192.168.1.0/24.",
    );
    expect(flashOf(await submit(t.agent, `${path}/authorized`, { authorized: "true" }))).toBe("Machine approved.");
    expect(flashOf(await submit(t.agent, `${path}/key-expiry`, { disabled: "false" }))).toBe("Key expiry enabled again.");
    expect(flashOf(await submit(t.agent, `${path}/ip`, { ipv4: "100.64.7.7" }))).toBe("IPv4 address set to 100.64.7.7.");
    let now = await device(t, d.nodeId);
    expect(now).toMatchObject({
      name: expect.stringMatching(/^gateway\./),
      tags: ["tag:server", "tag:web"],
      enabledRoutes: ["10.1.0.0/16", "0.0.0.0/0", "::/0", "192.168.1.0/24"],
      authorized: true,
      keyExpiryDisabled: false,
      addresses: ["100.64.7.7", d.addresses[1]],
    });

    // Bad input: one clear sentence, nothing changed.
    const bad = await submit(t.agent, `${path}/routes`, { more: "10.1.0.1/16" });
    expect(flashOf(bad)).toBe('"10.1.0.1/16" is not a route: use a prefix with no host bits set, such as 10.0.0.0/24.');
    expect(flashOf(await submit(t.agent, `${path}/ip`, { ipv4: "8.8.8.8" }))).toMatch(/^Invalid ipv4 "8.8.8.8"/);
    expect(flashOf(await submit(t.agent, `${path}/tags`, { tags: "tag:undefined" }))).toBe("Requested tags [tag:undefined] are invalid or not permitted.");
    now = await device(t, d.nodeId);
    expect(now.enabledRoutes).toHaveLength(4);
    expect(now.addresses[0]).toBe("100.64.7.7");

    // Expire and delete go through a confirmation page.
    const confirm = await t.agent.get(`${path}/expire`);
    expect(confirm.text).toContain(`<form method="post" action="${path}/expire"`);
    expect(flashOf(await submit(t.agent, `${path}/expire`))).toBe("Key expired: the machine must re-authenticate.");
    expect(Date.parse((await device(t, d.nodeId)).expires)).toBeLessThanOrEqual(Date.now());
    expect((await t.agent.get(`${path}/delete`)).text).toContain("This cannot be undone");
    const deleted = await submit(t.agent, `${path}/delete`);
    expect(flashOf(deleted)).toBe("Machine gateway deleted.");
    expect((await call(t.app, "GET", `/api/v2/device/${d.nodeId}`, { key: t.apiKey })).status).toBe(404);
    expect((await t.agent.get(path)).status).toBe(404);
  });

  it("posture attributes: typed values, expiry, delete; node: ones read-only", async () => {
    const t = await admin();
    const { device: d } = await registerDevice(t.app, t.authKey);
    const path = `/admin/machines/${d.nodeId}`;
    expect(flashOf(await submit(t.agent, `${path}/attributes`, { key: "custom:tier", value: "gold", type: "string" }))).toBe("Attribute custom:tier set.");
    await submit(t.agent, `${path}/attributes`, { key: "custom:score", value: "42", type: "number", expiry: "2030-01-02T03:04" });
    await submit(t.agent, `${path}/attributes`, { key: "custom:ok", value: "true", type: "boolean" });
    expect(flashOf(await submit(t.agent, `${path}/attributes`, { key: "custom:bad", value: "4.5", type: "number" }))).toBe(
      'Invalid value for custom:bad: "4.5" is not a whole number.',
    );
    expect(flashOf(await submit(t.agent, `${path}/attributes`, { key: "node:os", value: "x", type: "string" }))).toMatch(/read-only/);
    const attrs = (await call(t.app, "GET", `/api/v2/device/${d.nodeId}/attributes`, { key: t.apiKey })).body;
    expect(attrs.attributes).toMatchObject({ "custom:tier": "gold", "custom:score": 42, "custom:ok": true, "node:os": "linux" });
    expect(attrs.expiries).toEqual({ "custom:score": "2030-01-02T03:04:00Z" });
    const page = await t.agent.get(path);
    expect(page.text).toContain('aria-label="Delete custom:tier"');
    expect(page.text).not.toContain('aria-label="Delete node:os"');
    expect(flashOf(await submit(t.agent, `${path}/attributes/delete`, { key: "custom:tier" }))).toBe("Attribute custom:tier deleted.");
    expect((await call(t.app, "GET", `/api/v2/device/${d.nodeId}/attributes`, { key: t.apiKey })).body.attributes["custom:tier"]).toBeUndefined();
  });

  it("another tailnet's machine is not found, like a missing one", async () => {
    const a = await admin();
    const b = await setupTailnet();
    const { device: d } = await registerDevice(b.app, b.authKey);
    for (const path of [`/admin/machines/${d.nodeId}`, `/admin/machines/${d.id}`, "/admin/machines/nNOPE0000CNTRL"]) {
      const res = await a.agent.get(path);
      expect(res.status).toBe(404);
      expect(res.text).toContain("Not found");
    }
    const post = await a.agent.post(`/admin/machines/${d.nodeId}/name`, { name: "mine" });
    expect(flashOf(await a.agent.follow(post))).toBe("Not found: it may have been deleted meanwhile.");
    expect((await device(b, d.nodeId)).name).toBe(d.name);
  });

  it("a member sees their own machine's forms, none on another's, and the domain refuses a forged admin action", async () => {
    const t = await setupTailnet();
    const { user, apiKey } = await seedUser(t, "member");
    // An auth key attributed to the member (made through the domain, as the operator acting as them).
    const d = testDeps();
    const asMember = { ...(await operatorOf(d, t.tailnet.name)), user: { id: user.userId, loginName: user.loginName, role: "member" as const } };
    const mine = (await createAuthKey(d, asMember, { reusable: true, ephemeral: false, preauthorized: true, tags: [], expirySeconds: 3600, description: "" })).secret;
    const { device: own } = await registerDevice(t.app, mine, { hostname: "bobs", advertiseRoutes: ["10.9.0.0/24"] });
    const { device: other } = await registerDevice(t.app, t.authKey, { hostname: "admins", advertiseRoutes: ["10.8.0.0/24"] });
    expect(own.user).toBe(user.loginName);
    const agent = new ConsoleAgent(t.app);
    await agent.follow(await agent.signIn({ apiKey }));

    const ownPage = await agent.get(`/admin/machines/${own.nodeId}`);
    expect(ownPage.text).toContain(`action="/admin/machines/${own.nodeId}/name"`); // a member renames their own
    expect(ownPage.text).not.toContain(`action="/admin/machines/${own.nodeId}/routes"`); // approving routes is an admin's
    expect(ownPage.text).not.toContain(`action="/admin/machines/${own.nodeId}/authorized"`);
    const otherPage = await agent.get(`/admin/machines/${other.nodeId}`);
    expect(otherPage.status).toBe(200);
    expect(otherPage.text).not.toMatch(/<form method="post" action="\/admin\/machines\//);
    expect(otherPage.text).not.toContain("Delete machine");

    // Forged posts, with the member's own valid CSRF token: refused by the domain, nothing changed.
    for (const [path, form] of [
      [`/admin/machines/${other.nodeId}/name`, { name: "stolen" }],
      [`/admin/machines/${other.nodeId}/delete`, {}],
      [`/admin/machines/${own.nodeId}/routes`, { routes: "10.9.0.0/24" }],
      [`/admin/machines/${other.nodeId}/authorized`, { authorized: "false" }],
      ["/admin/users", { loginName: "mallory", role: "owner" }],
    ] as const) {
      const res = await submit(agent, path, form);
      expect(flashOf(res), path).toBe("Not allowed: the credential you signed in with does not have the permissions this needs.");
    }
    expect(await device(t, other.nodeId)).toMatchObject({ name: other.name, authorized: true });
    expect((await device(t, own.nodeId)).enabledRoutes).toEqual([]);
    const users = (await call(t.app, "GET", "/api/v2/tailnet/-/keys", { key: t.apiKey })).status;
    expect(users).toBe(200);
    expect((await agent.get("/admin/users")).text).not.toContain("mallory");
    // Its own machine it may rename.
    expect(flashOf(await submit(agent, `/admin/machines/${own.nodeId}/name`, { name: "bobs-laptop" }))).toBe("Renamed to bobs-laptop.");
  });

  it("an OAuth client without devices:routes is not offered route approval and cannot post it", async () => {
    const t = await setupTailnet();
    const client = await createOAuthClient(t.app, t.apiKey, ["devices:core"], ["tag:ci"]);
    const { device: d } = await registerDevice(t.app, t.authKey, { advertiseRoutes: ["10.0.0.0/24"] });
    const agent = new ConsoleAgent(t.app);
    await agent.follow(await agent.signIn({ clientId: client.id, clientSecret: client.secret }));
    const page = await agent.get(`/admin/machines/${d.nodeId}`);
    expect(page.text).toContain(`action="/admin/machines/${d.nodeId}/authorized"`);
    expect(page.text).not.toContain(`action="/admin/machines/${d.nodeId}/routes"`);
    // Its tags are the only ones offered.
    expect(page.text).toContain('value="tag:ci"');
    expect(page.text).not.toContain('value="tag:server"');
    const res = await submit(agent, `/admin/machines/${d.nodeId}/routes`, { routes: "10.0.0.0/24" });
    expect(flashOf(res)).toMatch(/^Not allowed/);
    expect((await device(t, d.nodeId)).enabledRoutes).toEqual([]);
  });

  it("shares a machine: an invite from one tailnet, accepted in another's console; shown there read-only", async () => {
    const a = await admin();
    const b = await admin();
    const { device: d } = await registerDevice(a.app, a.authKey, { hostname: "nas" });
    const created = await submit(a.agent, `/admin/machines/${d.nodeId}/invites`, { multiUse: "1", email: "friend@example.org" });
    expect(flashOf(created)).toBe("Invite created: send its link to the person you share with.");
    const url = decodeEntities(/(http:\/\/localhost\/admin\/invite\/[A-Za-z0-9]{32})/.exec(created.text)![1]!);
    const path = new URL(url).pathname;

    const offer = await b.agent.get(path);
    expect(offer.status).toBe(200);
    expect(offer.text).toContain(b.tailnet.name);
    const accepted = await b.agent.post(path);
    expect(accepted.location).toBe(`/admin/machines/${d.nodeId}`);
    const shared = await b.agent.follow(accepted);
    expect(flashOf(shared)).toBe(`nas, shared by ${a.owner.loginName}, is now in your tailnet.`);
    expect(shared.text).toContain("Shared in");
    expect(shared.text).not.toMatch(/<form method="post" action="\/admin\/machines\//);
    // Forged writes on it are refused (read-only outside its tailnet).
    expect(flashOf(await submit(b.agent, `/admin/machines/${d.nodeId}/name`, { name: "mine" }))).toBe("Cannot modify devices outside of your tailnet.");
    // Accepting again in the same tailnet changes nothing; the sharer sees who accepted.
    const sharer = await a.agent.get(`/admin/machines/${d.nodeId}`);
    expect(sharer.text).toContain(b.owner.loginName);
    // Deleting the invite ends the share.
    const inviteId = /\/invites\/(\d+)\/delete/.exec(sharer.text)![1]!;
    expect(flashOf(await submit(a.agent, `/admin/machines/${d.nodeId}/invites/${inviteId}/delete`))).toMatch(/^Invite deleted/);
    expect((await b.agent.get(`/admin/machines/${d.nodeId}`)).status).toBe(404);
  });

  it("an unknown invite is refused with a message", async () => {
    const b = await admin();
    const res = await submit(b.agent, `/admin/invite/${"Z".repeat(32)}`);
    expect(flashOf(res)).toBe("Invite not found.");
  });
});

describe("Users", () => {
  it("lists users with roles and machine counts; creates one; a user's page lists their machines", async () => {
    const t = await admin();
    await registerDevice(t.app, t.authKey, { hostname: "laptop" });
    const page = await t.agent.get("/admin/users");
    const ownerRow = page.text.split("<tr>").slice(2).find((r) => r.includes(t.owner.loginName))!;
    expect(ownerRow).toContain("Owner");
    expect(ownerRow).toMatch(/<td>1<\/td>/);

    const created = await submit(t.agent, "/admin/users", { loginName: "alice", role: "member" });
    expect(flashOf(created)).toBe("User alice created.");
    expect(created.text).toContain("alice");
    const again = await submit(t.agent, "/admin/users", { loginName: "alice", role: "member" });
    expect(flashOf(again)).toBe("User alice already exists.");
    expect(flashOf(await submit(t.agent, "/admin/users", { loginName: "has space", role: "member" }))).toMatch(/^Invalid login name "has space"/);
    expect(flashOf(await submit(t.agent, "/admin/users", { loginName: "bob", role: "superuser" }))).toBe("Choose a role: owner, admin, it-admin, network-admin, billing-admin, auditor, member.");

    const ownerPage = await t.agent.get(`/admin/users/${t.owner.userId}`);
    expect(ownerPage.status).toBe(200);
    expect(ownerPage.text).toContain("laptop");
    expect((await t.agent.get("/admin/users/123")).status).toBe(404);
  });

  it("an admin is offered member and admin roles, an owner owner too", async () => {
    const t = await setupTailnet();
    const { apiKey } = await seedUser(t, "admin");
    const agent = new ConsoleAgent(t.app);
    await agent.follow(await agent.signIn({ apiKey }));
    const page = await agent.get("/admin/users");
    expect(page.text).toContain('<option value="admin">');
    expect(page.text).not.toContain('<option value="owner">');
    expect(flashOf(await submit(agent, "/admin/users", { loginName: "boss", role: "owner" }))).toMatch(/^Not allowed/);
    const owner = await admin(t);
    expect((await owner.agent.get("/admin/users")).text).toContain('<option value="owner">');
  });
});

describe("Keys", () => {
  it("generates an auth key with its options, shows the secret once, and it registers a machine", async () => {
    const t = await admin();
    const res = await t.agent.post("/admin/keys/auth", {
      description: "laptops",
      reusable: "1",
      ephemeral: "1",
      preauthorized: "1",
      tags: ["tag:web"],
      expiry: "86400",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const secret = /value="(tskey-auth-[^"]+)"/.exec(res.text)![1]!;
    const keyId = secret.split("-")[2]!;
    const key = (await call(t.app, "GET", `/api/v2/tailnet/-/keys/${keyId}`, { key: t.apiKey })).body;
    expect(key).toMatchObject({ description: "laptops", capabilities: { devices: { create: { reusable: true, ephemeral: true, preauthorized: true, tags: ["tag:web"] } } } });
    expect(Date.parse(key.expires) - Date.parse(key.created)).toBe(86_400_000);
    const reg = await registerDevice(t.app, secret, { hostname: "eph" });
    expect(reg.device.tags).toEqual(["tag:web"]);
    // Listed afterwards, never with its secret.
    const list = await t.agent.get("/admin/keys");
    expect(list.text).toContain(keyId);
    expect(list.text).not.toContain(secret);
  });

  it("refuses a bad expiry or tags it may not give, creating nothing", async () => {
    const t = await admin();
    const before = (await call(t.app, "GET", "/api/v2/tailnet/-/keys", { key: t.apiKey })).body.keys.length;
    expect(flashOf(await submit(t.agent, "/admin/keys/auth", { expiry: "999999999" }))).toBe("Choose an expiry from the list.");
    expect(flashOf(await submit(t.agent, "/admin/keys/auth", { expiry: "3600", tags: "tag:nobody" }))).toBe(
      "Requested tags [tag:nobody] are invalid or not permitted.",
    );
    expect((await call(t.app, "GET", "/api/v2/tailnet/-/keys", { key: t.apiKey })).body.keys.length).toBe(before);
  });

  it("generates an API access token acting as a chosen user, and an OAuth client from scope and tag lists", async () => {
    const t = await admin();
    const { user } = await seedUser(t, "member");
    const api = await t.agent.post("/admin/keys/api", { user: user.loginName, expiry: "3600", description: "script" });
    expect(api.status).toBe(200);
    const token = /value="(tskey-api-[^"]+)"/.exec(api.text)![1]!;
    expect(api.text).toContain(`It acts as ${user.loginName}`);
    expect((await call(t.app, "GET", "/api/v2/tailnet/-/devices", { key: token })).status).toBe(200);
    expect((await call(t.app, "POST", "/api/v2/tailnet/-/acl", { key: token, body: {} })).status).toBe(403); // a member's key

    const page = await t.agent.get("/admin/keys");
    expect(page.text).toContain('name="scope:devices:core"');
    expect(page.text).toContain('name="scope:logs:configuration"');
    const client = await t.agent.post("/admin/keys/oauth", { "scope:devices:core": "write", "scope:policy_file": "read", "scope:dns": "", tags: "tag:ci", description: "ci" });
    expect(client.status).toBe(200);
    const secret = /value="(tskey-client-[^"]+)"/.exec(client.text)![1]!;
    const id = secret.split("-")[2]!;
    expect(client.text).toContain(id);
    const row = (await call(t.app, "GET", `/api/v2/tailnet/-/keys/${id}`, { key: t.apiKey })).body;
    expect(row).toMatchObject({ scopes: ["devices:core", "policy_file:read"], tags: ["tag:ci"], description: "ci" });
    // The console signs in with it.
    const agent = new ConsoleAgent(t.app);
    expect((await agent.signIn({ clientId: id, clientSecret: secret })).status).toBe(303);
    // A client with devices:core needs tags: refused with Tailscale's message.
    expect(flashOf(await submit(t.agent, "/admin/keys/oauth", { "scope:devices:core": "write" }))).toBe(
      "OAuth clients with scopes devices:core must have tags.",
    );
  });

  it("revokes a key after a confirmation; a member may not", async () => {
    const t = await admin();
    const { id } = await (async () => {
      const r = await call(t.app, "POST", "/api/v2/tailnet/-/keys", { key: t.apiKey, body: { capabilities: { devices: { create: {} } } } });
      return r.body;
    })();
    const confirm = await t.agent.get(`/admin/keys/${id}/revoke`);
    expect(confirm.text).toContain("Machines can no longer register with it");
    expect(flashOf(await submit(t.agent, `/admin/keys/${id}/revoke`))).toBe(`Auth key ${id} revoked.`);
    expect((await call(t.app, "GET", `/api/v2/tailnet/-/keys/${id}`, { key: t.apiKey })).body.invalid).toBe(true);

    const { apiKey } = await seedUser(t, "member");
    const agent = new ConsoleAgent(t.app);
    await agent.follow(await agent.signIn({ apiKey }));
    const page = await agent.get("/admin/keys");
    expect(page.text).not.toContain("/revoke");
    expect(page.text).not.toContain('action="/admin/keys/api"');
    const adminKeyId = t.apiKey.split("-")[2]!;
    expect(flashOf(await submit(agent, `/admin/keys/${adminKeyId}/revoke`))).toMatch(/^Not (allowed|found)/);
    expect((await call(t.app, "GET", "/api/v2/tailnet/-/devices", { key: t.apiKey })).status).toBe(200);
  });
});

describe("Access controls", () => {
  it("validates and saves the policy file exactly as written (comments kept, line ends normalised)", async () => {
    const t = await admin();
    const page = await t.agent.get("/admin/acl");
    const etag = /name="etag" value="([^"]+)"/.exec(page.text)![1]!;
    const text = '// comment kept\r\n{\r\n  "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}], // trailing\r\n}\r\n';
    const valid = await t.agent.post("/admin/acl", { do: "validate", policy: text, etag: decodeEntities(etag) });
    expect(valid.status).toBe(200);
    expect(flashOf(valid)).toBe("The policy file is valid, and its tests pass.");
    const invalid = await t.agent.post("/admin/acl", { do: "validate", policy: '{"acls": [{"action": "deny"}]}', etag: decodeEntities(etag) });
    expect(invalid.status).toBe(400);
    expect(flashOf(invalid)).toBe('Invalid policy: acls[0].action: must be "accept".');
    expect(invalid.text).toContain("&quot;deny&quot;"); // the text stays in the editor
    const saved = await submit(t.agent, "/admin/acl", { do: "save", policy: text, etag: decodeEntities(etag) });
    expect(flashOf(saved)).toBe("Policy file saved.");
    const stored = await call(t.app, "GET", "/api/v2/tailnet/-/acl", { key: t.apiKey, headers: { Accept: "application/hujson" } });
    expect(stored.text).toBe(text.replace(/\r\n/g, "\n"));
    expect(saved.text).toContain("// comment kept");
  });

  it("refuses a save over someone else's newer edit, keeping the text; an invalid policy is not saved", async () => {
    const t = await admin();
    const page = await t.agent.get("/admin/acl");
    const etag = decodeEntities(/name="etag" value="([^"]+)"/.exec(page.text)![1]!);
    await call(t.app, "POST", "/api/v2/tailnet/-/acl", { key: t.apiKey, rawBody: '{"acls": []} // theirs', headers: { "content-type": "application/hujson" } });
    const mine = '{"acls": []} // mine';
    const res = await t.agent.post("/admin/acl", { do: "save", policy: mine, etag });
    expect(res.status).toBe(412);
    expect(flashOf(res)).toMatch(/^Not saved: someone else saved the policy file after you opened it/);
    expect(res.text).toContain("// mine");
    expect(res.text).toContain("// theirs");
    const stored = await call(t.app, "GET", "/api/v2/tailnet/-/acl", { key: t.apiKey, headers: { Accept: "application/hujson" } });
    expect(stored.text).toBe('{"acls": []} // theirs');
    // Saving again from that page is deliberate: it carries the current ETag now.
    const newer = decodeEntities(/name="etag" value="([^"]+)"/.exec(res.text)![1]!);
    expect(newer).toBe(stored.headers.get("etag"));
    const bad = await t.agent.post("/admin/acl", { do: "save", policy: "{nope", etag: newer });
    expect(bad.status).toBe(400);
    expect(flashOf(bad)).toMatch(/^Invalid policy: line 1/);
    expect((await call(t.app, "GET", "/api/v2/tailnet/-/acl", { key: t.apiKey, headers: { Accept: "application/hujson" } })).text).toBe(stored.text);
  });
});

describe("Access controls managed elsewhere", () => {
  it("locks the editor while aclsExternallyManagedOn (the API keeps accepting the file)", async () => {
    const t = await admin();
    const before = (await call(t.app, "GET", "/api/v2/tailnet/-/acl", { key: t.apiKey, headers: { Accept: "application/hujson" } })).text;
    await call(t.app, "PATCH", "/api/v2/tailnet/-/settings", { key: t.apiKey, body: { aclsExternallyManagedOn: true, aclsExternalLink: "https://git.example.com/policy" } });
    const page = await t.agent.get("/admin/acl");
    expect(page.text).toContain("managed elsewhere");
    expect(page.text).toContain('href="https://git.example.com/policy"');
    expect(page.text).not.toContain('value="save"');
    expect(page.text).toMatch(/<textarea[^>]*readonly/);
    const etag = decodeEntities(/name="etag" value="([^"]+)"/.exec(page.text)![1]!);
    const res = await t.agent.post("/admin/acl", { do: "save", policy: '{"acls": []}', etag });
    expect(res.status).toBe(400);
    expect(flashOf(res)).toMatch(/^The policy file is managed elsewhere/);
    expect((await call(t.app, "GET", "/api/v2/tailnet/-/acl", { key: t.apiKey, headers: { Accept: "application/hujson" } })).text).toBe(before);
    expect((await call(t.app, "POST", "/api/v2/tailnet/-/acl", { key: t.apiKey, body: { acls: [] } })).status).toBe(200);
  });
});

describe("README", () => {
  it("names, in its Web console section, only links, buttons and headings the pages show", async () => {
    const { readFile } = await import("node:fs/promises");
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Web console"), readme.indexOf("## Walkthrough with curl"));
    const terms = [...new Set([...section.matchAll(/\*\*([^*]+)\*\*|(?<!\*)\*([^*]+)\*(?!\*)/g)].map((m) => (m[1] ?? m[2])!))];
    expect(terms.length).toBeGreaterThan(10);
    const t = await setupTailnet();
    const { device: d } = await registerDevice(t.app, t.authKey);
    const agent = new ConsoleAgent(t.app);
    const login = await agent.get("/admin/login");
    await agent.follow(await agent.signIn({ apiKey: t.apiKey }));
    const pages = [login.text];
    const hook = await call(t.app, "POST", "/api/v2/tailnet/-/webhooks", { key: t.apiKey, body: { endpointUrl: "https://hooks.example.com/in", subscriptions: ["nodeCreated"] } });
    // A suspended user (Restore user) and a machine waiting for web authentication (Approve machine).
    const { user: suspended } = await seedUser(t, "member");
    expect((await call(t.app, "POST", `/api/v2/users/${suspended.userId}/suspend`, { key: t.apiKey })).status).toBe(200);
    const waiting = await call(t.app, "POST", "/machine/register", { body: { nodeKey: `nodekey:${hex64()}`, machineKey: `mkey:${hex64()}`, hostname: "w", tailnet: t.tailnet.name } });
    for (const path of [`/admin/users/${suspended.userId}`, `/admin/registrations?key=${waiting.body.registrationKey}`, `/admin/webhooks/${hook.body.endpointId}`, "/admin/webhooks", "/admin/dns", "/admin/logs", "/admin/settings", "/admin/machines", `/admin/machines/${d.nodeId}`, "/admin/users", `/admin/users/${t.owner.userId}`, "/admin/keys", "/admin/acl", `/admin/invite/${"a".repeat(32)}`]) {
      pages.push((await agent.get(path)).text);
    }
    pages.push((await agent.post("/admin/keys/auth", { expiry: "3600" })).text); // the secret, with its Copy button
    const shown = decodeEntities(pages.join("\n").replace(/<[^>]+>/g, " ").replace(/\s+/g, " "));
    const missing = terms.filter((term) => !term.startsWith("http") && !shown.includes(term));
    expect(missing).toEqual([]);
  });
});
