import { describe, expect, it } from "vitest";
import { accessToken, call, createOAuthClient, registerDevice, seedApiKey, seedUser, setupTailnet, tokenFor, uniqueName } from "../helpers.js";

type S = Awaited<ReturnType<typeof setupTailnet>>;

const NOT_FOUND = { message: "not found" };
const FORBIDDEN = { message: "calling actor does not have enough permissions to perform this function" };
const UNAUTHORIZED = { message: "API token invalid" };

const users = (s: S, key: string, query = "") => call(s.app, "GET", `/api/v2/tailnet/-/users${query}`, { key });
const user = (s: S, key: string, id: string) => call(s.app, "GET", `/api/v2/users/${id}`, { key });
const act = (s: S, key: string, id: string, op: string, body?: unknown) => call(s.app, "POST", `/api/v2/users/${id}/${op}`, { key, body });

/** An auth key whose devices are `login`'s, made by the owner through the pre-auth key extension. */
async function keyFor(s: S, login: string, o: { tags?: string[]; reusable?: boolean } = {}): Promise<{ id: string; key: string }> {
  const r = await call(s.app, "POST", "/api/v2/tailnet/-/auth-keys", { key: s.apiKey, body: { user: login, reusable: o.reusable ?? true, tags: o.tags ?? [] } });
  expect(r.status, r.text).toBe(200);
  return { id: r.body.id, key: r.body.key };
}

const report = (s: S, nodeToken: string) => call(s.app, "POST", "/machine/update", { bearer: nodeToken, body: {} });

describe("GET /tailnet/{tailnet}/users and /users/{id}", () => {
  it("answers every field of the User object, with device statistics", async () => {
    const s = await setupTailnet();
    const { user: alice } = await seedUser(s, "member");
    const k = await keyFor(s, alice.loginName);
    const personal = await registerDevice(s.app, k.key, { hostname: "laptop" });
    await registerDevice(s.app, (await keyFor(s, alice.loginName, { tags: ["tag:ci"] })).key, { hostname: "server" });
    expect((await report(s, personal.nodeToken)).status).toBe(200);

    const r = await user(s, s.apiKey, alice.userId);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      id: alice.userId,
      displayName: alice.loginName.split("@")[0],
      loginName: alice.loginName,
      profilePicUrl: "",
      tailnetId: s.tailnet.tailnetId,
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      type: "member",
      role: "member",
      status: "active",
      // Personal devices only: the tagged one is owned by its tag.
      deviceCount: 1,
      lastSeen: expect.stringMatching(/Z$/),
      currentlyConnected: true,
    });
    const list = await users(s, s.apiKey);
    expect(list.status).toBe(200);
    expect(list.body.users.map((u: { loginName: string }) => u.loginName)).toEqual([s.owner.loginName, alice.loginName]);
    expect(list.body.users[1]).toEqual(r.body);
    // Never seen: no lastSeen, not connected.
    expect(list.body.users[0]).not.toHaveProperty("lastSeen");
    expect(list.body.users[0]).toMatchObject({ role: "owner", deviceCount: 0, currentlyConnected: false, status: "active" });
  });

  it("filters by role and type (member by default, all for every user)", async () => {
    const s = await setupTailnet();
    const { user: admin } = await seedUser(s, "admin");
    await seedUser(s, "member");
    const shared = String(Date.now());
    const imp = await call(s.app, "POST", "/api/v2/tailnet/-/import", { key: s.apiKey, body: { users: [{ id: shared, loginName: "guest@other.example", type: "shared" }] } });
    expect(imp.status, imp.text).toBe(200);
    const byRole = await users(s, s.apiKey, "?role=admin");
    expect(byRole.body.users.map((u: { id: string }) => u.id)).toEqual([admin.userId]);
    expect((await users(s, s.apiKey)).body.users).toHaveLength(3);
    expect((await users(s, s.apiKey, "?type=shared")).body.users.map((u: { id: string }) => u.id)).toEqual([shared]);
    expect((await users(s, s.apiKey, "?type=all&role=all")).body.users).toHaveLength(4);
    for (const q of ["?type=nobody", "?role=king"]) {
      const bad = await users(s, s.apiKey, q);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(q.includes("type") ? /^invalid type: must be member, shared or all$/ : /^invalid role: must be one of owner, /);
    }
  });

  it("another tailnet's user and an unknown one are the same 404; members read users", async () => {
    const s = await setupTailnet();
    const other = await setupTailnet();
    for (const id of [other.owner.userId, "123456789012", "not-a-number"]) {
      const r = await user(s, s.apiKey, id);
      expect(r.status).toBe(404);
      expect(r.body).toEqual(NOT_FOUND);
    }
    expect((await call(s.app, "GET", `/api/v2/tailnet/${other.tailnet.name}/users`, { key: s.apiKey })).status).toBe(404);
    const { apiKey: memberKey } = await seedUser(s, "member");
    expect((await users(s, memberKey)).status).toBe(200);
  });
});

describe("POST /users/{id}/role", () => {
  it("only owners touch owners; admins change the roles below; the last owner stays", async () => {
    const s = await setupTailnet();
    const { user: admin, apiKey: adminKey } = await seedUser(s, "admin");
    const { user: m } = await seedUser(s, "member");
    // An admin may make a member an IT admin, but not an owner, and may not change the owner.
    expect((await act(s, adminKey, m.userId, "role", { role: "it-admin" })).status).toBe(200);
    expect((await user(s, s.apiKey, m.userId)).body.role).toBe("it-admin");
    expect((await act(s, adminKey, m.userId, "role", { role: "owner" })).body).toEqual(FORBIDDEN);
    expect((await act(s, adminKey, s.owner.userId, "role", { role: "member" })).body).toEqual(FORBIDDEN);
    // The last owner cannot be demoted, even by themselves.
    const last = await act(s, s.apiKey, s.owner.userId, "role", { role: "admin" });
    expect(last.status).toBe(400);
    expect(last.body).toEqual({ message: `${s.owner.loginName} is the tailnet's last owner and cannot be demoted` });
    // With a second owner, the first may step down.
    expect((await act(s, s.apiKey, admin.userId, "role", { role: "owner" })).status).toBe(200);
    expect((await act(s, s.apiKey, s.owner.userId, "role", { role: "admin" })).status).toBe(200);
    expect((await user(s, adminKey, s.owner.userId)).body.role).toBe("admin");
  });

  it("refuses a bad role and a member's key, changing nothing", async () => {
    const s = await setupTailnet();
    const { user: m, apiKey: memberKey } = await seedUser(s, "member");
    const bad = await act(s, s.apiKey, m.userId, "role", { role: "king" });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^invalid role: must be one of owner, admin, /);
    expect((await act(s, s.apiKey, m.userId, "role", {})).body).toEqual({ message: "role is required" });
    expect((await act(s, memberKey, m.userId, "role", { role: "admin" })).body).toEqual(FORBIDDEN);
    expect((await user(s, s.apiKey, m.userId)).body.role).toBe("member");
    expect((await act(s, s.apiKey, "123456789012", "role", { role: "admin" })).status).toBe(404);
  });

  it("a member's key gets the new role's rights at once", async () => {
    const s = await setupTailnet();
    const { user: m, apiKey: memberKey } = await seedUser(s, "member");
    const dev = await registerDevice(s.app, s.authKey);
    expect((await call(s.app, "DELETE", `/api/v2/device/${dev.device.nodeId}`, { key: memberKey })).status).toBe(403);
    await act(s, s.apiKey, m.userId, "role", { role: "admin" });
    expect((await call(s.app, "DELETE", `/api/v2/device/${dev.device.nodeId}`, { key: memberKey })).status).toBe(200);
  });
});

describe("suspend and restore", () => {
  it("a suspended user's API keys and personal devices stop working until restored; tagged devices go on", async () => {
    const s = await setupTailnet();
    const { user: m, apiKey: memberKey } = await seedUser(s, "member");
    const k = await keyFor(s, m.loginName);
    const personal = await registerDevice(s.app, k.key, { hostname: "laptop" });
    const tagged = await registerDevice(s.app, (await keyFor(s, m.loginName, { tags: ["tag:ci"] })).key, { hostname: "server" });

    const r = await act(s, s.apiKey, m.userId, "suspend");
    expect(r.status, r.text).toBe(200);
    expect(r.text).toBe("");
    expect((await user(s, s.apiKey, m.userId)).body.status).toBe("suspended");
    const refused = await users(s, memberKey);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(UNAUTHORIZED);
    const node = await report(s, personal.nodeToken);
    expect(node.status).toBe(403);
    expect(node.body.message).toMatch(/suspended/);
    expect((await report(s, tagged.nodeToken)).status).toBe(200);
    // Their auth key registers nothing while they are suspended.
    const reg = await call(s.app, "POST", "/machine/register", {
      body: { authKey: k.key, nodeKey: `nodekey:${"1".repeat(64)}`, machineKey: `mkey:${"2".repeat(64)}`, hostname: "new" },
    });
    expect(reg.status).toBe(403);
    expect(reg.body.message).toMatch(/suspended/);
    // Suspending again is harmless.
    expect((await act(s, s.apiKey, m.userId, "suspend")).status).toBe(200);

    expect((await act(s, s.apiKey, m.userId, "restore")).status).toBe(200);
    expect((await user(s, s.apiKey, m.userId)).body.status).toBe("active");
    expect((await users(s, memberKey)).status).toBe(200);
    expect((await report(s, personal.nodeToken)).status).toBe(200);
  });

  it("the last owner, and one's own user, cannot be suspended", async () => {
    const s = await setupTailnet();
    const { apiKey: adminKey, user: admin } = await seedUser(s, "admin");
    const self = await act(s, adminKey, admin.userId, "suspend");
    expect(self.status).toBe(400);
    expect(self.body).toEqual({ message: "you cannot suspend yourself" });
    expect((await act(s, adminKey, s.owner.userId, "suspend")).body).toEqual(FORBIDDEN);
    const { user: owner2 } = await seedUser(s, "owner");
    expect((await act(s, s.apiKey, owner2.userId, "suspend")).status).toBe(200);
    const last = await act(s, (await seedApiKey(s, { userLogin: owner2.loginName })).secret, s.owner.userId, "suspend");
    // owner2 is suspended: its key does not work at all.
    expect(last.status).toBe(401);
  });
});

describe("POST /users/{id}/approve", () => {
  it("approves a user waiting for approval; a no-op otherwise", async () => {
    const s = await setupTailnet();
    const id = String(Date.now());
    await call(s.app, "POST", "/api/v2/tailnet/-/import", { key: s.apiKey, body: { users: [{ id, loginName: "waiting@example.com", status: "needs-approval" }] } });
    expect((await user(s, s.apiKey, id)).body.status).toBe("needs-approval");
    expect((await act(s, s.apiKey, id, "approve")).status).toBe(200);
    expect((await user(s, s.apiKey, id)).body.status).toBe("active");
    expect((await act(s, s.apiKey, id, "approve")).status).toBe(200);
    expect((await act(s, s.apiKey, "123456789012", "approve")).body).toEqual(NOT_FOUND);
  });
});

describe("POST /users/{id}/delete", () => {
  it("removes the user with their personal devices, API keys and auth keys; tagged devices and OAuth clients stay", async () => {
    const s = await setupTailnet();
    const { user: m } = await seedUser(s, "admin");
    const memberKey = (await seedApiKey(s, { userLogin: m.loginName })).secret;
    const k = await keyFor(s, m.loginName);
    const personal = await registerDevice(s.app, k.key, { hostname: "laptop" });
    const tagged = await registerDevice(s.app, (await keyFor(s, m.loginName, { tags: ["tag:ci"] })).key, { hostname: "server" });
    const client = await createOAuthClient(s.app, memberKey, ["devices:core:read"], ["tag:ci"]);
    const apiKeyId = memberKey.split("-")[2]!;

    const r = await act(s, s.apiKey, m.userId, "delete");
    expect(r.status, r.text).toBe(200);
    expect(r.text).toBe("");
    expect((await user(s, s.apiKey, m.userId)).status).toBe(404);
    expect((await users(s, s.apiKey)).body.users.map((u: { id: string }) => u.id)).not.toContain(m.userId);
    expect((await call(s.app, "GET", `/api/v2/device/${personal.device.nodeId}`, { key: s.apiKey })).status).toBe(404);
    const kept = await call(s.app, "GET", `/api/v2/device/${tagged.device.nodeId}`, { key: s.apiKey });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ user: "tagged-devices", tags: ["tag:ci"] });
    for (const id of [k.id, apiKeyId]) expect((await call(s.app, "GET", `/api/v2/tailnet/-/keys/${id}`, { key: s.apiKey })).status).toBe(404);
    expect((await users(s, memberKey)).status).toBe(401);
    expect((await report(s, personal.nodeToken)).status).toBe(401);
    expect((await report(s, tagged.nodeToken)).status).toBe(200);
    // The OAuth client they made still mints working tokens.
    expect((await call(s.app, "GET", `/api/v2/tailnet/-/keys/${client.id}`, { key: s.apiKey })).body).not.toHaveProperty("userId");
    expect((await tokenFor(s.app, client)).status).toBe(200);
    // Gone is gone.
    expect((await act(s, s.apiKey, m.userId, "delete")).status).toBe(404);
  });

  it("the last owner and one's own user cannot be deleted; admins cannot delete owners", async () => {
    const s = await setupTailnet();
    const { user: admin, apiKey: adminKey } = await seedUser(s, "admin");
    expect((await act(s, adminKey, s.owner.userId, "delete")).body).toEqual(FORBIDDEN);
    expect((await act(s, adminKey, admin.userId, "delete")).body).toEqual({ message: "you cannot delete yourself" });
    // An OAuth token (no user) with the users scope acts as an admin: no owners.
    const token = await accessToken(s.app, s.apiKey, ["users"]);
    expect((await call(s.app, "POST", `/api/v2/users/${s.owner.userId}/delete`, { bearer: token })).body).toEqual(FORBIDDEN);
    expect((await call(s.app, "POST", `/api/v2/users/${admin.userId}/delete`, { bearer: token })).status).toBe(200);
    const { user: o2, apiKey: o2Key } = await seedUser(s, "owner");
    expect((await act(s, o2Key, s.owner.userId, "delete")).status).toBe(200);
    const last = await act(s, o2Key, o2.userId, "delete");
    expect(last.body).toEqual({ message: "you cannot delete yourself" });
  });
});

describe("POST /tailnet/{tailnet}/users (tailapi extension)", () => {
  it("creates users with headscale's bare names or login names; 409 for a taken one", async () => {
    const s = await setupTailnet();
    const r = await call(s.app, "POST", "/api/v2/tailnet/-/users", { key: s.apiKey, body: { loginName: "alice" } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ loginName: "alice", displayName: "alice", role: "member", status: "active", deviceCount: 0, type: "member" });
    const full = await call(s.app, "POST", "/api/v2/tailnet/-/users", { key: s.apiKey, body: { loginName: "bob@example.com", displayName: "Bob B.", role: "auditor" } });
    expect(full.body).toMatchObject({ loginName: "bob@example.com", displayName: "Bob B.", role: "auditor" });
    const dup = await call(s.app, "POST", "/api/v2/tailnet/-/users", { key: s.apiKey, body: { loginName: "Alice" } });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ message: "user Alice already exists" });
  });

  it.each([
    [{ loginName: "" }, /^invalid loginName: must not be empty$/],
    [{ loginName: "two words" }, /expected a name \(alice\) or an email address/],
    [{ loginName: "a@b@c" }, /expected a name/],
    [{ loginName: "12345" }, /would read as a user id/],
    [{ loginName: "tagged-devices" }, /names the owner of tagged devices/],
    [{ loginName: "x", role: "king" }, /^invalid role/],
    [{}, /^loginName is required$/],
  ])("refuses %j with a 400, creating nothing", async (body, message) => {
    const s = await setupTailnet();
    const r = await call(s.app, "POST", "/api/v2/tailnet/-/users", { key: s.apiKey, body });
    expect(r.status, r.text).toBe(400);
    expect(r.body.message).toMatch(message);
    expect((await users(s, s.apiKey, "?type=all")).body.users).toHaveLength(1);
  });

  it("only user administrators create users, and only owners create owners", async () => {
    const s = await setupTailnet();
    const { apiKey: memberKey } = await seedUser(s, "member");
    const { apiKey: adminKey } = await seedUser(s, "admin");
    expect((await call(s.app, "POST", "/api/v2/tailnet/-/users", { key: memberKey, body: { loginName: "x" } })).body).toEqual(FORBIDDEN);
    expect((await call(s.app, "POST", "/api/v2/tailnet/-/users", { key: adminKey, body: { loginName: "x", role: "owner" } })).body).toEqual(FORBIDDEN);
    expect((await call(s.app, "POST", "/api/v2/tailnet/-/users", { key: adminKey, body: { loginName: "x", role: "admin" } })).status).toBe(200);
    expect((await call(s.app, "POST", "/api/v2/tailnet/-/users", { key: s.apiKey, body: { loginName: "y", role: "owner" } })).status).toBe(200);
    const other = await setupTailnet();
    expect((await call(s.app, "POST", `/api/v2/tailnet/${other.tailnet.name}/users`, { key: s.apiKey, body: { loginName: "z" } })).status).toBe(404);
  });
});

describe("POST /users/{id}/rename (tailapi extension)", () => {
  it("renames; the display name follows unless set apart; 409 for a taken name", async () => {
    const s = await setupTailnet();
    const a = (await call(s.app, "POST", "/api/v2/tailnet/-/users", { key: s.apiKey, body: { loginName: "alice" } })).body;
    const r = await act(s, s.apiKey, a.id, "rename", { loginName: "alice2" });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ id: a.id, loginName: "alice2", displayName: "alice2" });
    const named = await act(s, s.apiKey, a.id, "rename", { loginName: "alice3", displayName: "Alice" });
    expect(named.body).toMatchObject({ loginName: "alice3", displayName: "Alice" });
    expect((await act(s, s.apiKey, a.id, "rename", { loginName: "alice4" })).body.displayName).toBe("Alice");
    const taken = await act(s, s.apiKey, a.id, "rename", { loginName: s.owner.loginName });
    expect(taken.status).toBe(409);
    expect((await act(s, s.apiKey, a.id, "rename", { loginName: "no spaces" })).status).toBe(400);
    expect((await user(s, s.apiKey, a.id)).body.loginName).toBe("alice4");
    const other = await setupTailnet();
    expect((await act(s, s.apiKey, other.owner.userId, "rename", { loginName: uniqueName("x") })).status).toBe(404);
  });
});
