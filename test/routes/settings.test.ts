import { describe, expect, it } from "vitest";
import { accessToken, call, createAuthKey, registerDevice, seedTailnet, setupTailnet, testSql } from "../helpers.js";

const SETTINGS = "/api/v2/tailnet/-/settings";

describe("tailnet settings", () => {
  it("a new tailnet has tailapi's defaults", async () => {
    const s = await setupTailnet();
    expect((await call(s.app, "GET", SETTINGS, { key: s.apiKey })).body).toEqual({
      aclsExternallyManagedOn: false,
      aclsExternalLink: "",
      devicesApprovalOn: false,
      devicesAutoUpdatesOn: false,
      devicesKeyDurationDays: 180,
      usersApprovalOn: false,
      usersRoleAllowedToJoinExternalTailnets: "member",
      networkFlowLoggingOn: false,
      regionalRoutingOn: false,
      postureIdentityCollectionOn: false,
      httpsEnabled: false,
      routeSelection: "active-passive-failover",
    });
  });

  it("PATCH changes the fields given and leaves null or absent ones; regionalRoutingOn follows routeSelection", async () => {
    const s = await setupTailnet();
    const r = await call(s.app, "PATCH", SETTINGS, {
      key: s.apiKey,
      body: { devicesAutoUpdatesOn: true, usersApprovalOn: true, aclsExternallyManagedOn: null, aclsExternalLink: null, regionalRoutingOn: true },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ devicesAutoUpdatesOn: true, usersApprovalOn: true, aclsExternallyManagedOn: false, regionalRoutingOn: true, routeSelection: "regional-routing" });
    const both = await call(s.app, "PATCH", SETTINGS, { key: s.apiKey, body: { regionalRoutingOn: false, routeSelection: "magicroute" } });
    expect(both.status).toBe(400);
    expect((await call(s.app, "GET", SETTINGS, { key: s.apiKey })).body).toMatchObject({ routeSelection: "regional-routing" });
  });

  it("bad values are a 400 naming the field, and change nothing", async () => {
    const s = await setupTailnet();
    const before = (await call(s.app, "GET", SETTINGS, { key: s.apiKey })).body;
    for (const [body, message] of [
      [{ devicesKeyDurationDays: 0 }, /^invalid devicesKeyDurationDays: must be at least 1$/],
      [{ devicesKeyDurationDays: 181 }, /^invalid devicesKeyDurationDays: must be at most 180$/],
      [{ devicesKeyDurationDays: 1.5 }, /^invalid devicesKeyDurationDays: must be a whole number of days$/],
      [{ usersRoleAllowedToJoinExternalTailnets: "everyone" }, /^invalid usersRoleAllowedToJoinExternalTailnets: must be one of none, admin, member$/],
      [{ devicesApprovalOn: "no", devicesAutoUpdatesOn: true }, /^invalid devicesApprovalOn: /],
      [{ aclsExternalLink: "javascript:alert(1)" }, /^invalid aclsExternalLink: must be an http\(s\) URL or empty$/],
    ] as const) {
      const r = await call(s.app, "PATCH", SETTINGS, { key: s.apiKey, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.message).toMatch(message);
    }
    expect((await call(s.app, "GET", SETTINGS, { key: s.apiKey })).body).toEqual(before);
  });

  it("each field under its own scope: a token without it is 403 and nothing changes", async () => {
    const s = await setupTailnet();
    const token = await accessToken(s.app, s.apiKey, ["feature_settings"], []);
    const r = await call(s.app, "PATCH", SETTINGS, { bearer: token, body: { devicesAutoUpdatesOn: true, aclsExternallyManagedOn: true } });
    expect(r.status).toBe(403);
    expect((await call(s.app, "GET", SETTINGS, { key: s.apiKey })).body).toMatchObject({ devicesAutoUpdatesOn: false, aclsExternallyManagedOn: false });
    expect((await call(s.app, "PATCH", SETTINGS, { bearer: token, body: { devicesAutoUpdatesOn: true } })).status).toBe(200);
  });

  it("devicesApprovalOn and devicesKeyDurationDays take effect at registration", async () => {
    const s = await setupTailnet({ preauthorized: false });
    const t0 = s.clock.now().getTime();
    // Approval off (the default, as on Tailscale): every new device is authorized, preauthorized key or not.
    expect((await registerDevice(s.app, s.authKey)).device.authorized).toBe(true);
    // On: a key that is not preauthorized makes unauthorized devices; a preauthorized one, authorized ones.
    await call(s.app, "PATCH", SETTINGS, { key: s.apiKey, body: { devicesApprovalOn: true, devicesKeyDurationDays: 7 } });
    const waiting = (await registerDevice(s.app, s.authKey)).device;
    expect(waiting.authorized).toBe(false);
    expect(Date.parse(waiting.expires) - Math.floor(t0 / 1000) * 1000).toBe(7 * 86400_000);
    const pre = await createAuthKey(s.app, s.apiKey, { preauthorized: true });
    expect((await registerDevice(s.app, pre.key)).device.authorized).toBe(true);
  });

  it("postureIdentityCollectionOn decides whether node reports may carry posture identity", async () => {
    const s = await setupTailnet();
    const reg = await registerDevice(s.app, s.authKey);
    const report = () => call(s.app, "POST", "/machine/update", { bearer: reg.nodeToken, body: { postureIdentity: { serialNumbers: ["SN-1"] } } });
    const posture = async () => (await call(s.app, "GET", `/api/v2/device/${reg.device.nodeId}?fields=all`, { key: s.apiKey })).body.postureIdentity;
    expect((await report()).status).toBe(200);
    expect(await posture()).toEqual({ disabled: true });
    await call(s.app, "PATCH", SETTINGS, { key: s.apiKey, body: { postureIdentityCollectionOn: true } });
    await report();
    expect(await posture()).toEqual({ serialNumbers: ["SN-1"] });
  });

  it("another tailnet is 404", async () => {
    const s = await setupTailnet();
    const other = await seedTailnet();
    expect((await call(s.app, "GET", `/api/v2/tailnet/${other.tailnet.name}/settings`, { key: s.apiKey })).status).toBe(404);
    expect((await call(s.app, "PATCH", `/api/v2/tailnet/${other.tailnet.name}/settings`, { key: s.apiKey, body: { httpsEnabled: true } })).status).toBe(404);
    expect((await call(s.app, "GET", SETTINGS, { key: other.apiKey })).body.httpsEnabled).toBe(false);
  });
});

describe("contacts", () => {
  it("default to the owner's login; a change needs verification, keeps the old address as fallback, and says no mail was sent", async () => {
    const s = await setupTailnet();
    const owner = s.owner.loginName;
    expect((await call(s.app, "GET", "/api/v2/tailnet/-/contacts", { key: s.apiKey })).body).toEqual({
      account: { email: owner, needsVerification: false },
      support: { email: owner, needsVerification: false },
      security: { email: owner, needsVerification: false },
    });
    const nothing = await call(s.app, "POST", "/api/v2/tailnet/-/contacts/security/resend-verification-email", { key: s.apiKey });
    expect(nothing.status).toBe(400);
    expect(nothing.body).toEqual({ message: "the security contact does not need verification" });

    const r = await call(s.app, "PATCH", "/api/v2/tailnet/-/contacts/security", { key: s.apiKey, body: { email: "sec@example.com" } });
    expect(r.status).toBe(200);
    expect(r.body.message).toMatch(/^tailapi sends no email/);
    expect((await call(s.app, "GET", "/api/v2/tailnet/-/contacts", { key: s.apiKey })).body.security).toEqual({
      email: "sec@example.com",
      fallbackEmail: owner,
      needsVerification: true,
    });
    const resend = await call(s.app, "POST", "/api/v2/tailnet/-/contacts/security/resend-verification-email", { key: s.apiKey });
    expect(resend.status).toBe(200);
    expect(resend.body.message).toMatch(/^tailapi sends no email/);
    // The same address again: no change, no notice.
    expect((await call(s.app, "PATCH", "/api/v2/tailnet/-/contacts/security", { key: s.apiKey, body: { email: "SEC@example.com" } })).body).toEqual({});
  });

  it("bad input is a 400 and changes nothing; another tailnet is 404", async () => {
    const s = await setupTailnet();
    for (const [path, body, message] of [
      ["account", { email: "not an email" }, /^invalid email: /],
      ["account", {}, /^email is required$/],
      ["billing", { email: "a@example.com" }, /^invalid contactType: must be account, support or security$/],
    ] as const) {
      const r = await call(s.app, "PATCH", `/api/v2/tailnet/-/contacts/${path}`, { key: s.apiKey, body });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(message);
    }
    expect((await call(s.app, "GET", "/api/v2/tailnet/-/contacts", { key: s.apiKey })).body.account.needsVerification).toBe(false);
    const other = await seedTailnet();
    expect((await call(s.app, "PATCH", `/api/v2/tailnet/${other.tailnet.name}/contacts/account`, { key: s.apiKey, body: { email: "x@example.com" } })).status).toBe(404);
  });
});

describe("aclsExternallyManagedOn", () => {
  it("locks only the console's editor, as on Tailscale: the API (what a GitOps pipeline pushes through) keeps writing", async () => {
    const s = await setupTailnet();
    await call(s.app, "PATCH", SETTINGS, { key: s.apiKey, body: { aclsExternallyManagedOn: true, aclsExternalLink: "https://git.example.com/acl" } });
    const { policyManagedExternally } = await import("../../src/domain/settings.js");
    expect(await policyManagedExternally(testSql(), s.tailnet.tailnetId)).toEqual({ on: true, link: "https://git.example.com/acl" });
    const pushed = await call(s.app, "POST", "/api/v2/tailnet/-/acl", { key: s.apiKey, body: { tagOwners: { "tag:x": [] } } });
    expect(pushed.status, pushed.text).toBe(200);
    expect((await call(s.app, "GET", "/api/v2/tailnet/-/acl", { key: s.apiKey })).body).toEqual({ tagOwners: { "tag:x": [] } });
  });
});
