import { describe, expect, it } from "vitest";
import { accessToken, call, registerDevice, seedUser, setupTailnet } from "../helpers.js";

async function two() {
  const a = await setupTailnet();
  const b = await setupTailnet();
  const { device } = await registerDevice(a.app, a.authKey, { hostname: "shared-box" });
  return { a, b, device };
}

const invite = async (s: Awaited<ReturnType<typeof setupTailnet>>, deviceId: string, specs: unknown[] = [{}]) =>
  call(s.app, "POST", `/api/v2/device/${deviceId}/device-invites`, { key: s.apiKey, body: specs });

describe("device invites", () => {
  it("creates invites as Tailscale's DeviceInvite objects with unguessable URLs; lists and gets them", async () => {
    const { a, device } = await two();
    const r = await invite(a, device.nodeId, [{}, { multiUse: true, allowExitNode: true, email: "friend@example.org" }]);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toHaveLength(2);
    const [plain, emailed] = r.body;
    expect(plain).toEqual({
      id: expect.stringMatching(/^\d+$/),
      created: expect.stringMatching(/Z$/),
      tailnetId: Number(a.tailnet.tailnetId),
      deviceId: Number(device.id),
      sharerId: Number(a.owner.userId),
      multiUse: false,
      allowExitNode: false,
      inviteUrl: expect.stringMatching(/^http:\/\/localhost\/admin\/invite\/[A-Za-z0-9]{32}$/),
      accepted: false,
    });
    expect(emailed).toMatchObject({ multiUse: true, allowExitNode: true, email: "friend@example.org", lastEmailSentAt: expect.stringMatching(/Z$/) });
    expect(plain.inviteUrl).not.toBe(emailed.inviteUrl);
    const list = await call(a.app, "GET", `/api/v2/device/${device.id}/device-invites`, { key: a.apiKey });
    expect(list.body.map((i: any) => i.id).sort()).toEqual([plain.id, emailed.id].sort());
    expect((await call(a.app, "GET", `/api/v2/device-invites/${plain.id}`, { key: a.apiKey })).body).toEqual(plain);
  });

  it.each([[[]], [[{ email: "not an email" }]], [{ multiUse: true }], [[{ multiUse: "yes" }]]])("refuses %j with a 400", async (body) => {
    const { a, device } = await two();
    const r = await call(a.app, "POST", `/api/v2/device/${device.nodeId}/device-invites`, { key: a.apiKey, body });
    expect(r.status).toBe(400);
    expect((await call(a.app, "GET", `/api/v2/device/${device.nodeId}/device-invites`, { key: a.apiKey })).body).toEqual([]);
  });

  it("accepting shares the device into the accepter's tailnet: external, read-only, with the sharer's data", async () => {
    const { a, b, device } = await two();
    const inv = (await invite(a, device.nodeId, [{ allowExitNode: true }])).body[0];
    const r = await call(b.app, "POST", "/api/v2/device-invites/-/accept", { key: b.apiKey, body: { invite: inv.inviteUrl } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      device: { id: device.nodeId, os: "linux", name: device.name.split(".")[0], fqdn: device.name, ipv4: device.addresses[0], ipv6: device.addresses[1], includeExitNode: true },
      sharer: { id: a.owner.userId, displayName: a.owner.displayName, loginName: a.owner.loginName, profilePicURL: "" },
      acceptedBy: { id: b.owner.userId, displayName: b.owner.displayName, loginName: b.owner.loginName, profilePicURL: "" },
    });
    const list = (await call(b.app, "GET", "/api/v2/tailnet/-/devices", { key: b.apiKey })).body.devices;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ nodeId: device.nodeId, isExternal: true, user: a.owner.loginName, name: device.name, created: "", machineKey: "" });
    const one = await call(b.app, "GET", `/api/v2/device/${device.nodeId}?fields=all`, { key: b.apiKey });
    expect(one.status).toBe(200);
    expect(one.body.isExternal).toBe(true);
    expect(one.body.postureAttributes).toBeUndefined();
    // The invite now reads as accepted, by B's user.
    const after = (await call(a.app, "GET", `/api/v2/device-invites/${inv.id}`, { key: a.apiKey })).body;
    expect(after).toMatchObject({ accepted: true, acceptedBy: { id: Number(b.owner.userId), loginName: b.owner.loginName, profilePicUrl: "" } });
    // Read-only in B: delete is 501 in Tailscale's words, every other write a clear 403; nothing changes in A.
    const del = await call(b.app, "DELETE", `/api/v2/device/${device.nodeId}`, { key: b.apiKey });
    expect(del.status).toBe(501);
    expect(del.body).toEqual({ message: "cannot delete devices outside of your tailnet" });
    for (const [path, body] of [
      ["name", { name: "mine-now" }],
      ["tags", { tags: ["tag:ci"] }],
      ["authorized", { authorized: false }],
      ["routes", { routes: [] }],
      ["ip", { ipv4: "100.99.9.9" }],
      ["key", { keyExpiryDisabled: true }],
      ["expire", undefined],
      ["attributes/custom:x", { value: true }],
      ["device-invites", [{}]],
    ] as const) {
      const w = await call(b.app, "POST", `/api/v2/device/${device.nodeId}/${path}`, { key: b.apiKey, body });
      expect(w.status, path).toBe(403);
      expect(w.body, path).toEqual({ message: "cannot modify devices outside of your tailnet" });
    }
    const inA = (await call(a.app, "GET", `/api/v2/device/${device.nodeId}?fields=all`, { key: a.apiKey })).body;
    expect(inA).toMatchObject({ name: device.name, authorized: true, isExternal: false });
  });

  it("a single-use invite is accepted once; a multi-use one by many; a deleted one by nobody", async () => {
    const { a, b, device } = await two();
    const c = await setupTailnet();
    const [single, multi, doomed] = (await invite(a, device.nodeId, [{}, { multiUse: true }, {}])).body;
    const accept = (t: typeof b, code: string) => call(t.app, "POST", "/api/v2/device-invites/-/accept", { key: t.apiKey, body: { invite: code } });
    expect((await accept(b, single.inviteUrl.split("/").pop())).status).toBe(200);
    const again = await accept(c, single.inviteUrl);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ message: "this invite has already been accepted" });
    expect((await accept(b, multi.inviteUrl)).status).toBe(200);
    expect((await accept(c, multi.inviteUrl)).status).toBe(200);
    expect((await call(c.app, "GET", "/api/v2/tailnet/-/devices", { key: c.apiKey })).body.devices).toHaveLength(1);
    expect((await call(a.app, "DELETE", `/api/v2/device-invites/${doomed.id}`, { key: a.apiKey })).status).toBe(200);
    const gone = await accept(b, doomed.inviteUrl);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ message: "invite not found" });
    expect((await accept(b, "not-a-code")).status).toBe(404);
    // Into its own tailnet: refused.
    const own = (await invite(a, device.nodeId)).body[0];
    expect((await accept(a, own.inviteUrl)).status).toBe(400);
  });

  it("the owner deleting the device removes it everywhere; deleting the invite ends the share", async () => {
    const { a, b, device } = await two();
    const [inv1] = (await invite(a, device.nodeId)).body;
    await call(b.app, "POST", "/api/v2/device-invites/-/accept", { key: b.apiKey, body: { invite: inv1.inviteUrl } });
    expect((await call(a.app, "DELETE", `/api/v2/device-invites/${inv1.id}`, { key: a.apiKey })).status).toBe(200);
    expect((await call(b.app, "GET", "/api/v2/tailnet/-/devices", { key: b.apiKey })).body.devices).toEqual([]);
    const [inv2] = (await invite(a, device.nodeId)).body;
    await call(b.app, "POST", "/api/v2/device-invites/-/accept", { key: b.apiKey, body: { invite: inv2.inviteUrl } });
    expect((await call(b.app, "GET", "/api/v2/tailnet/-/devices", { key: b.apiKey })).body.devices).toHaveLength(1);
    expect((await call(a.app, "DELETE", `/api/v2/device/${device.nodeId}`, { key: a.apiKey })).status).toBe(200);
    expect((await call(b.app, "GET", "/api/v2/tailnet/-/devices", { key: b.apiKey })).body.devices).toEqual([]);
    expect((await call(b.app, "GET", `/api/v2/device/${device.nodeId}`, { key: b.apiKey })).status).toBe(404);
  });

  it("resend: at most once a minute (429 with Retry-After); an invite without an email has nothing to resend", async () => {
    const { a, device } = await two();
    const [plain, emailed] = (await invite(a, device.nodeId, [{}, { email: "x@example.org" }])).body;
    const resend = (id: string) => call(a.app, "POST", `/api/v2/device-invites/${id}/resend`, { key: a.apiKey });
    expect((await resend(plain.id)).status).toBe(400);
    const soon = await resend(emailed.id);
    expect(soon.status).toBe(429);
    expect(Number(soon.headers.get("retry-after"))).toBeGreaterThanOrEqual(59);
    expect(soon.body).toEqual({ message: "an invite's email can be resent once a minute" });
    a.clock.advance(61_000);
    const ok = await resend(emailed.id);
    expect(ok.status).toBe(200);
    expect((await call(a.app, "GET", `/api/v2/device-invites/${emailed.id}`, { key: a.apiKey })).body.lastEmailSentAt).not.toBe(emailed.lastEmailSentAt);
  });

  it("another tailnet's invite is a 404 like a missing one; OAuth tokens can neither share nor accept", async () => {
    const { a, b, device } = await two();
    const [inv] = (await invite(a, device.nodeId)).body;
    for (const id of [inv.id, "1234567890"]) {
      expect((await call(b.app, "GET", `/api/v2/device-invites/${id}`, { key: b.apiKey })).status).toBe(404);
      expect((await call(b.app, "DELETE", `/api/v2/device-invites/${id}`, { key: b.apiKey })).status).toBe(404);
    }
    expect((await call(a.app, "GET", `/api/v2/device-invites/${inv.id}`, { key: a.apiKey })).status).toBe(200);
    const token = await accessToken(b.app, b.apiKey, ["device_invites"], []);
    const r = await call(b.app, "POST", "/api/v2/device-invites/-/accept", { bearer: token, body: { invite: inv.inviteUrl } });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/needs a user's API key/);
  });

  it("a member shares only their own untagged devices", async () => {
    const { a, device } = await two();
    const member = await seedUser(a, "member");
    const r = await call(a.app, "POST", `/api/v2/device/${device.nodeId}/device-invites`, { key: member.apiKey, body: [{}] });
    expect(r.status).toBe(403);
  });
});
