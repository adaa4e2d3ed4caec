/**
 * The console's user administration, pre-auth keys per user, pending web
 * registrations and rule previews, in process (the users guide's GUI column:
 * create, list with machine counts, a user's machines, pre-auth keys, delete
 * with what goes with the user).
 */
import { describe, expect, it } from "vitest";
import { call, ConsoleAgent, decodeEntities, flashOf, hex64, registerDevice, seedUser, setPolicy, setupTailnet, TEST_POLICY, type Page } from "../helpers.js";

async function admin() {
  const t = await setupTailnet();
  const agent = new ConsoleAgent(t.app);
  await agent.follow(await agent.signIn({ apiKey: t.apiKey }));
  return { ...t, agent };
}

async function submit(agent: ConsoleAgent, path: string, form: Record<string, string | string[]> = {}): Promise<Page> {
  const res = await agent.post(path, form);
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return agent.follow(res);
}

const userId = async (t: Awaited<ReturnType<typeof admin>>, login: string) =>
  (await call(t.app, "GET", "/api/v2/tailnet/-/users", { key: t.apiKey })).body.users.find((u: any) => u.loginName === login).id as string;

describe("Users, as the users guide walks through them", () => {
  it("create a user, a pre-auth key for them, see their machine, then delete them and their machine with it", async () => {
    const t = await admin();
    expect(flashOf(await submit(t.agent, "/admin/users", { loginName: "alice", role: "member" }))).toBe("User alice created.");
    const id = await userId(t, "alice");

    // Keys → Generate auth key, user alice, reusable, 1 day.
    const keys = await t.agent.get("/admin/keys?user=alice");
    expect(keys.text).toMatch(/<option value="alice" selected="">alice<\/option>/);
    const created = await t.agent.post("/admin/keys/auth", { user: "alice", reusable: "1", preauthorized: "1", expiry: "86400" });
    expect(created.status).toBe(200);
    expect(created.text).toContain("Machines registered with it belong to alice.");
    const authKey = /value="(tskey-auth-[^"]+)"/.exec(created.text)![1]!;
    const { device } = await registerDevice(t.app, authKey, { hostname: "alice-laptop" });
    expect(device.user).toBe("alice");

    // Users: alice with one machine; her page lists it and her pre-auth key.
    const list = await t.agent.get("/admin/users");
    const row = list.text.split("<tr>").slice(2).find((r) => r.includes(">alice<"))!;
    expect(row).toMatch(/<td>Member<\/td><td>1<\/td>/);
    const page = await t.agent.get(`/admin/users/${id}`);
    expect(page.text).toContain("alice-laptop");
    expect(page.text).toContain(authKey.split("-")[2]);

    // Delete, after a confirmation that names what goes with her.
    const confirm = await t.agent.get(`/admin/users/${id}/delete`);
    expect(decodeEntities(confirm.text)).toContain("1 machine: alice-laptop");
    expect(confirm.text).toContain(authKey.split("-")[2]);
    const gone = await submit(t.agent, `/admin/users/${id}/delete`);
    expect(flashOf(gone)).toMatch(/^User alice deleted, with 1 machine and 1 key\.$/);
    expect(gone.text).not.toContain(">alice<");
    expect((await call(t.app, "GET", `/api/v2/device/${device.nodeId}`, { key: t.apiKey })).status).toBe(404);
    expect((await t.agent.get("/admin/machines")).text).not.toContain("alice-laptop");
  });

  it("renames, changes the role, suspends and restores a user; an admin may not touch an owner", async () => {
    const t = await admin();
    const { user } = await seedUser(t, "member");
    const path = `/admin/users/${user.userId}`;
    expect(flashOf(await submit(t.agent, `${path}/rename`, { loginName: "bob", displayName: "Bob" }))).toBe("Renamed to bob.");
    expect(flashOf(await submit(t.agent, `${path}/role`, { role: "admin" }))).toBe("Role set to Admin.");
    expect(flashOf(await submit(t.agent, `${path}/suspend`))).toBe("User suspended: their keys and machines stop working until restored.");
    let u = (await call(t.app, "GET", `/api/v2/users/${user.userId}`, { key: t.apiKey })).body;
    expect(u).toMatchObject({ loginName: "bob", displayName: "Bob", role: "admin", status: "suspended" });
    expect(flashOf(await submit(t.agent, `${path}/restore`))).toBe("User restored.");
    u = (await call(t.app, "GET", `/api/v2/users/${user.userId}`, { key: t.apiKey })).body;
    expect(u.status).not.toBe("suspended");
    // Yourself: refused with the domain's sentence.
    expect(flashOf(await submit(t.agent, `/admin/users/${t.owner.userId}/suspend`))).toBe("You cannot suspend yourself.");

    const { apiKey } = await seedUser(t, "admin");
    const other = new ConsoleAgent(t.app);
    await other.follow(await other.signIn({ apiKey }));
    const ownerPage = await other.get(`/admin/users/${t.owner.userId}`);
    expect(ownerPage.text).not.toContain(`action="/admin/users/${t.owner.userId}/role"`);
    expect(flashOf(await submit(other, `/admin/users/${t.owner.userId}/suspend`))).toMatch(/^Not allowed/);
  });

  it("a member is offered no user administration and no pre-auth keys, and the domain refuses them", async () => {
    const t = await admin();
    const { user, apiKey } = await seedUser(t, "member");
    const agent = new ConsoleAgent(t.app);
    await agent.follow(await agent.signIn({ apiKey }));
    const users = await agent.get("/admin/users");
    expect(users.text).not.toContain('action="/admin/users"');
    expect((await agent.get(`/admin/users/${t.owner.userId}`)).text).not.toContain("Delete user");
    expect(flashOf(await submit(agent, `/admin/users/${t.owner.userId}/delete`))).toMatch(/^Not allowed/);
    const keys = await agent.get("/admin/keys");
    expect(keys.text).not.toContain('action="/admin/keys/auth"');
    expect(flashOf(await submit(agent, "/admin/keys/auth", { user: user.loginName, expiry: "3600" }))).toMatch(/^Not allowed/);
  });
});

describe("Pending registrations", () => {
  it("approves a machine waiting for web authentication for a chosen user", async () => {
    const t = await admin();
    await submit(t.agent, "/admin/users", { loginName: "carol", role: "member" });
    const body = { nodeKey: `nodekey:${hex64()}`, machineKey: `mkey:${hex64()}`, hostname: "kiosk", tailnet: t.tailnet.name };
    const first = await call(t.app, "POST", "/machine/register", { body });
    const key = first.body.registrationKey as string;
    // The machine's registration page points an admin here.
    expect((await call(t.app, "GET", `/register/${key}`)).text).toContain(`href="http://localhost/admin/registrations?key=${key}"`);
    const page = await t.agent.get(`/admin/registrations?key=${key}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("kiosk");
    const res = await t.agent.post(`/admin/registrations/approve?key=${key}`, { key, user: "carol" });
    expect(res.status).toBe(303);
    const machine = await t.agent.follow(res);
    expect(flashOf(machine)).toBe("kiosk registered for carol.");
    const collected = await call(t.app, "POST", "/machine/register", { body });
    expect(collected.body.device).toMatchObject({ user: "carol", hostname: "kiosk" });
    // Unknown or another tailnet's key: nothing waits.
    expect((await t.agent.get(`/admin/registrations?key=${"Q".repeat(32)}`)).text).toContain("No machine waits with that key");
  });
});

describe("Access controls: tests and preview", () => {
  it("Validate runs the policy's tests and lists failures; Preview lists the rules for a user", async () => {
    const t = await admin();
    await setPolicy(t.app, t.apiKey, TEST_POLICY);
    const page = await t.agent.get("/admin/acl");
    const etag = decodeEntities(/name="etag" value="([^"]+)"/.exec(page.text)![1]!);
    const policy = JSON.stringify({
      ...JSON.parse(TEST_POLICY),
      acls: [{ action: "accept", src: ["group:ops"], dst: ["tag:server:22"] }],
      groups: { "group:ops": ["ops@example.com"] },
      tests: [{ src: "ops@example.com", accept: ["tag:server:80"] }],
    });
    const failing = await t.agent.post("/admin/acl", { do: "validate", policy, etag });
    expect(failing.status).toBe(400);
    expect(failing.text).toContain("Failing tests");
    expect(failing.text).toContain("ops@example.com");
    const saved = await t.agent.post("/admin/acl", { do: "save", policy, etag });
    expect(saved.status).toBe(400);
    expect(flashOf(saved)).toBe("Not saved: the policy's tests failed.");
    const preview = await t.agent.post("/admin/acl", { do: "preview", policy, etag, previewType: "user", previewFor: "ops@example.com" });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain("Rules for ops@example.com");
    expect(preview.text).toContain("tag:server:22");
    const none = await t.agent.post("/admin/acl", { do: "preview", policy, etag, previewType: "ipport", previewFor: "100.64.0.1:443" });
    expect(none.text).toContain("No rule applies.");
  });
});
