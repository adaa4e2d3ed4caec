import { describe, expect, it } from "vitest";
import { accessToken, call, registerDevice, seedUser, setupTailnet } from "../helpers.js";

type S = Awaited<ReturnType<typeof setupTailnet>>;

const create = (s: S, key: string, body: unknown) => call(s.app, "POST", "/api/v2/tailnet/-/auth-keys", { key, body });
const list = (s: S, key: string, user?: string) => call(s.app, "GET", `/api/v2/tailnet/-/auth-keys${user ? `?user=${encodeURIComponent(user)}` : ""}`, { key });

describe("pre-auth keys per user (tailapi extension)", () => {
  it("defaults as headscale's: single use, one hour, preauthorized; devices belong to the user", async () => {
    const s = await setupTailnet();
    const alice = (await call(s.app, "POST", "/api/v2/tailnet/-/users", { key: s.apiKey, body: { loginName: "alice" } })).body;
    const r = await create(s, s.apiKey, { user: "alice" });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      keyType: "auth",
      user: "alice",
      userId: alice.id,
      uses: 0,
      invalid: false,
      expirySeconds: 3600,
      capabilities: { devices: { create: { reusable: false, ephemeral: false, preauthorized: true, tags: [] } } },
    });
    expect(r.body.key).toMatch(/^tskey-auth-/);
    const { device } = await registerDevice(s.app, r.body.key);
    expect(device).toMatchObject({ user: "alice", authorized: true });
    expect(device).not.toHaveProperty("tags");
    // Single use.
    const again = await call(s.app, "POST", "/machine/register", { body: { authKey: r.body.key, nodeKey: `nodekey:${"3".repeat(64)}`, machineKey: `mkey:${"4".repeat(64)}`, hostname: "x" } });
    expect(again.status).toBe(401);
    const listed = await list(s, s.apiKey, "alice");
    expect(listed.body.keys).toHaveLength(1);
    expect(listed.body.keys[0]).toMatchObject({ id: r.body.id, uses: 1, user: "alice" });
    expect(listed.body.keys[0]).not.toHaveProperty("key");
  });

  it("tags without a user make a key of no user: its devices are owned by their tags (tagged-devices)", async () => {
    const s = await setupTailnet();
    const r = await create(s, s.apiKey, { tags: ["tag:ci"], reusable: true, expirySeconds: 86400 });
    expect(r.status, r.text).toBe(200);
    expect(r.body).not.toHaveProperty("user");
    expect(r.body).not.toHaveProperty("userId");
    const { device } = await registerDevice(s.app, r.body.key);
    expect(device).toMatchObject({ user: "tagged-devices", tags: ["tag:ci"], keyExpiryDisabled: true });
    // Such a device keeps at least one tag.
    const untag = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/tags`, { key: s.apiKey, body: { tags: [] } });
    expect(untag.status).toBe(400);
    expect(untag.body.message).toMatch(/has no user/);
    // With neither user nor tags, the key is the caller's (as Tailscale's POST /keys).
    const mine = await create(s, s.apiKey, {});
    expect(mine.body.user).toBe(s.owner.loginName);
  });

  it("lists every state, by user; expire makes a key expired at once", async () => {
    const s = await setupTailnet();
    const { user: m } = await seedUser(s, "member");
    const a = (await create(s, s.apiKey, { user: m.loginName, reusable: true })).body;
    const b = (await create(s, s.apiKey, { user: m.userId })).body;
    await create(s, s.apiKey, { tags: ["tag:ci"] });
    expect((await list(s, s.apiKey)).body.keys.length).toBeGreaterThanOrEqual(3);
    // Made in the same instant (the test clock stands still): compared as a set.
    expect((await list(s, s.apiKey, m.loginName)).body.keys.map((k: { id: string }) => k.id).sort()).toEqual([a.id, b.id].sort());
    // Expire names the user: another user's name is a 404, and changes nothing.
    const wrong = await call(s.app, "POST", `/api/v2/tailnet/-/auth-keys/${a.id}/expire?user=${encodeURIComponent(s.owner.loginName)}`, { key: s.apiKey });
    expect(wrong.status).toBe(404);
    const r = await call(s.app, "POST", `/api/v2/tailnet/-/auth-keys/${a.id}/expire?user=${encodeURIComponent(m.loginName)}`, { key: s.apiKey });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ id: a.id, invalid: true });
    const reg = await call(s.app, "POST", "/machine/register", { body: { authKey: a.key, nodeKey: `nodekey:${"5".repeat(64)}`, machineKey: `mkey:${"6".repeat(64)}`, hostname: "x" } });
    expect(reg.status).toBe(401);
    expect(reg.body).toEqual({ message: "auth key has expired" });
    // Still listed, as expired; Tailscale's keys list (active keys only) no longer shows it.
    expect((await list(s, s.apiKey, m.loginName)).body.keys.find((k: { id: string }) => k.id === a.id).invalid).toBe(true);
    expect((await call(s.app, "GET", "/api/v2/tailnet/-/keys", { key: s.apiKey })).body.keys.map((k: { id: string }) => k.id)).not.toContain(a.id);
    expect((await call(s.app, "POST", `/api/v2/tailnet/-/auth-keys/kNOSUCHKEYCNTRL/expire`, { key: s.apiKey })).status).toBe(404);
  });

  it("refuses bad input, unowned tags, unknown users and other tailnets, creating nothing", async () => {
    const s = await setupTailnet();
    for (const [body, status, message] of [
      [{ user: "nobody" }, 404, /^no user "nobody" in this tailnet$/],
      [{ tags: ["tag:ghost"] }, 400, /^requested tags \[tag:ghost\] are invalid or not permitted$/],
      [{ tags: ["server"] }, 400, /^invalid tags\.0/],
      [{ expirySeconds: 0 }, 400, /^invalid expirySeconds: must be at least 1$/],
      [{ expirySeconds: 91 * 86400 }, 400, /at most 7776000/],
      [{ reusable: "yes" }, 400, /^invalid reusable/],
    ] as const) {
      const r = await create(s, s.apiKey, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.message).toMatch(message);
    }
    expect((await list(s, s.apiKey)).body.keys.map((k: { id: string }) => k.id)).toEqual([s.authKeyId]);
    const other = await setupTailnet();
    expect((await call(s.app, "GET", `/api/v2/tailnet/${other.tailnet.name}/auth-keys`, { key: s.apiKey })).status).toBe(404);
    expect((await call(s.app, "POST", `/api/v2/tailnet/-/auth-keys/${other.authKeyId}/expire`, { key: s.apiKey })).status).toBe(404);
    expect((await list(s, s.apiKey, "nobody")).status).toBe(404);
  });

  it("OAuth tokens make tagged keys only; members cannot make keys", async () => {
    const s = await setupTailnet();
    const token = await accessToken(s.app, s.apiKey, ["auth_keys"]);
    const untagged = await call(s.app, "POST", "/api/v2/tailnet/-/auth-keys", { bearer: token, body: {} });
    expect(untagged.status).toBe(400);
    expect(untagged.body.message).toMatch(/must have tags/);
    expect((await call(s.app, "POST", "/api/v2/tailnet/-/auth-keys", { bearer: token, body: { tags: ["tag:ci"] } })).status).toBe(200);
    const { apiKey: memberKey } = await seedUser(s, "member");
    expect((await create(s, memberKey, {})).status).toBe(403);
  });
});
