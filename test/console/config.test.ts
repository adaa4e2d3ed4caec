/**
 * The console's DNS, Settings, Webhooks and Logs pages, in process: each
 * form against the API's state, refusals for credentials without the scope.
 */
import { describe, expect, it } from "vitest";
import { call, ConsoleAgent, createOAuthClient, flashOf, registerDevice, seedUser, setupTailnet, type Page } from "../helpers.js";

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

describe("DNS", () => {
  it("sets nameservers, MagicDNS, search domains and split DNS; refuses bad input with a sentence", async () => {
    const t = await admin();
    const dns = async () => (await call(t.app, "GET", "/api/v2/tailnet/-/dns/configuration", { key: t.apiKey })).body;
    expect(flashOf(await submit(t.agent, "/admin/dns/magic", { on: "true" }))).toBe(
      "MagicDNS cannot be enabled without at least one DNS nameserver; add one first.",
    );
    expect(flashOf(await submit(t.agent, "/admin/dns/nameservers", { nameservers: "1.1.1.1\r\n2606:4700:4700::1111\r\n" }))).toBe("Nameservers saved (2).");
    expect(flashOf(await submit(t.agent, "/admin/dns/magic", { on: "true" }))).toBe("MagicDNS enabled.");
    expect(flashOf(await submit(t.agent, "/admin/dns/search-paths", { searchPaths: "corp.example.com\nexample.org" }))).toBe("Search domains saved (2).");
    expect(flashOf(await submit(t.agent, "/admin/dns/split", { domain: "internal.example", nameservers: "10.0.0.53, 10.0.0.54" }))).toBe(
      "Split DNS for internal.example saved.",
    );
    expect(await dns()).toMatchObject({
      nameservers: [{ address: "1.1.1.1" }, { address: "2606:4700:4700::1111" }],
      searchPaths: ["corp.example.com", "example.org"],
      splitDNS: { "internal.example": [{ address: "10.0.0.53" }, { address: "10.0.0.54" }] },
      preferences: { magicDNS: true },
    });
    const page = await t.agent.get("/admin/dns");
    expect(page.text).toContain("internal.example");
    expect(page.text).toContain("Disable MagicDNS");

    expect(flashOf(await submit(t.agent, "/admin/dns/nameservers", { nameservers: "not-an-address" }))).toBe(
      'Dns: "not-an-address" is not an IP address or an https:// DNS-over-HTTPS URL.',
    );
    expect(flashOf(await submit(t.agent, "/admin/dns/split/delete", { domain: "internal.example" }))).toBe("Split DNS for internal.example removed.");
    // Removing the last nameserver turns MagicDNS off, and the page says so.
    expect(flashOf(await submit(t.agent, "/admin/dns/nameservers", { nameservers: "" }))).toBe(
      "Nameservers saved (0). MagicDNS was turned off: it needs a nameserver.",
    );
    const after = await dns();
    expect([after.nameservers ?? [], after.splitDNS ?? {}, after.preferences?.magicDNS ?? false]).toEqual([[], {}, false]);
  });

  it("shows DNS read-only to a credential without the dns scope, and refuses its posts", async () => {
    const t = await setupTailnet();
    const { apiKey } = await seedUser(t, "member");
    const agent = new ConsoleAgent(t.app);
    await agent.follow(await agent.signIn({ apiKey }));
    const page = await agent.get("/admin/dns");
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('action="/admin/dns/');
    expect(flashOf(await submit(agent, "/admin/dns/nameservers", { nameservers: "9.9.9.9" }))).toMatch(/^Not allowed/);
    expect((await call(t.app, "GET", "/api/v2/tailnet/-/dns/nameservers", { key: t.apiKey })).body.dns).toEqual([]);
  });
});

describe("Settings", () => {
  it("saves what changed; offers only the fields the credential's scopes may write", async () => {
    const t = await admin();
    const page = await t.agent.get("/admin/settings");
    expect(page.text).toContain('name="devicesApprovalOn"');
    expect(flashOf(await submit(t.agent, "/admin/settings", {
      devicesKeyDurationDays: "30",
      usersRoleAllowedToJoinExternalTailnets: "admin",
      routeSelection: "regional-routing",
      aclsExternalLink: "",
      usersApprovalOn: "1",
      devicesApprovalOn: "1",
    }))).toBe("Settings saved (5 changed).");
    const s = (await call(t.app, "GET", "/api/v2/tailnet/-/settings", { key: t.apiKey })).body;
    expect(s).toMatchObject({
      devicesKeyDurationDays: 30,
      usersRoleAllowedToJoinExternalTailnets: "admin",
      routeSelection: "regional-routing",
      usersApprovalOn: true,
      devicesApprovalOn: true,
      httpsEnabled: false,
    });
    expect(flashOf(await submit(t.agent, "/admin/settings", { ...settingsForm(s), devicesKeyDurationDays: "500" }))).toBe(
      "Invalid devicesKeyDurationDays: must be at most 180.",
    );
    expect(flashOf(await submit(t.agent, "/admin/settings", settingsForm(s)))).toBe("Nothing changed.");

    // An OAuth client with feature_settings only: the policy and routing fields are shown disabled and never sent.
    const client = await createOAuthClient(t.app, t.apiKey, ["feature_settings"], []);
    const agent = new ConsoleAgent(t.app);
    await agent.follow(await agent.signIn({ clientId: client.id, clientSecret: client.secret }));
    const limited = await agent.get("/admin/settings");
    expect(limited.text).toMatch(/name="aclsExternallyManagedOn" value="1" disabled=""/);
    expect(limited.text).toMatch(/name="httpsEnabled" value="1"(?! disabled)/);
    expect(flashOf(await submit(agent, "/admin/settings", { ...settingsForm(s), httpsEnabled: "1", aclsExternallyManagedOn: "1" }))).toBe(
      "Settings saved (1 changed).",
    );
    const after = (await call(t.app, "GET", "/api/v2/tailnet/-/settings", { key: t.apiKey })).body;
    expect(after).toMatchObject({ httpsEnabled: true, aclsExternallyManagedOn: false });
  });
});

/** The form as the page would post it for settings `s`. */
function settingsForm(s: Record<string, any>): Record<string, string> {
  const form: Record<string, string> = {
    aclsExternalLink: s.aclsExternalLink,
    devicesKeyDurationDays: String(s.devicesKeyDurationDays),
    usersRoleAllowedToJoinExternalTailnets: s.usersRoleAllowedToJoinExternalTailnets,
    routeSelection: s.routeSelection,
  };
  for (const k of ["devicesApprovalOn", "usersApprovalOn", "devicesAutoUpdatesOn", "postureIdentityCollectionOn", "httpsEnabled", "networkFlowLoggingOn", "aclsExternallyManagedOn"]) {
    if (s[k]) form[k] = "1";
  }
  return form;
}

describe("Webhooks", () => {
  it("adds an endpoint (secret shown once), edits its events, queues a test event shown under deliveries, rotates, deletes", async () => {
    const t = await admin();
    const created = await t.agent.post("/admin/webhooks", {
      endpointUrl: "https://hooks.example.com/in",
      providerType: "slack",
      subscriptions: ["nodeCreated", "categoryDeviceMisconfigurations"],
    });
    expect(created.status).toBe(200);
    const secret = /value="(tskey-webhook-[^"]+)"/.exec(created.text)![1]!;
    const list = (await call(t.app, "GET", "/api/v2/tailnet/-/webhooks", { key: t.apiKey })).body.webhooks;
    expect(list).toHaveLength(1);
    const id = list[0].endpointId;
    expect(list[0]).toMatchObject({ endpointUrl: "https://hooks.example.com/in", providerType: "slack", subscriptions: ["nodeCreated", "categoryDeviceMisconfigurations"] });
    expect(JSON.stringify(list)).not.toContain(secret);

    const path = `/admin/webhooks/${id}`;
    expect(flashOf(await submit(t.agent, `${path}/subscriptions`, { subscriptions: ["nodeDeleted", "policyUpdate"] }))).toBe("Events saved (2).");
    expect((await call(t.app, "GET", `/api/v2/webhooks/${id}`, { key: t.apiKey })).body.subscriptions).toEqual(["nodeDeleted", "policyUpdate"]);
    expect(flashOf(await submit(t.agent, `${path}/subscriptions`, { subscriptions: ["nope"] }))).toBe('Invalid subscriptions: unknown event type "nope".');

    const tested = await submit(t.agent, `${path}/test`);
    expect(flashOf(tested)).toBe("Test event queued: it shows under Recent deliveries once sent.");
    expect(tested.text).toMatch(/<th scope="row" class="mono small">test<\/th><td><span class="badge badge-info">Pending<\/span>/);

    const rotated = await t.agent.post(`${path}/rotate`);
    expect(rotated.status).toBe(200);
    const newer = /value="(tskey-webhook-[^"]+)"/.exec(rotated.text)![1]!;
    expect(newer).not.toBe(secret);

    expect((await t.agent.get(`${path}/delete`)).text).toContain("This cannot be undone");
    expect(flashOf(await submit(t.agent, `${path}/delete`))).toBe("Webhook endpoint deleted.");
    expect((await call(t.app, "GET", "/api/v2/tailnet/-/webhooks", { key: t.apiKey })).body.webhooks).toEqual([]);
    expect((await t.agent.get(path)).status).toBe(404);
  });

  it("refuses an endpoint that is not an http(s) URL, creating nothing", async () => {
    const t = await admin();
    const res = await submit(t.agent, "/admin/webhooks", { endpointUrl: "ftp://x", providerType: "", subscriptions: "nodeCreated" });
    expect(flashOf(res)).toMatch(/^Invalid endpointUrl/);
    expect((await call(t.app, "GET", "/api/v2/tailnet/-/webhooks", { key: t.apiKey })).body.webhooks).toEqual([]);
  });
});

describe("Logs", () => {
  it("lists configuration changes newest first, filtered by who, target and event", async () => {
    const t = await admin();
    const { device } = await registerDevice(t.app, t.authKey, { hostname: "logged" });
    await submit(t.agent, `/admin/machines/${device.nodeId}/name`, { name: "renamed-in-console" });
    await submit(t.agent, "/admin/users", { loginName: "carol", role: "member" });
    const all = await t.agent.get("/admin/logs");
    expect(all.status).toBe(200);
    const events = [...all.text.matchAll(/<th scope="row" class="mono small">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(events.indexOf("USER.CREATE")).toBeLessThan(events.indexOf("NODE.UPDATE.MACHINE_NAME"));
    const byEvent = await t.agent.get("/admin/logs?event=node.update.machine_name");
    expect([...byEvent.text.matchAll(/<th scope="row" class="mono small">([^<]+)<\/th>/g)].map((m) => m[1])).toEqual(["NODE.UPDATE.MACHINE_NAME"]);
    expect(byEvent.text).toContain("Console");
    const eventsOf = (p: Page) => [...p.text.matchAll(/<th scope="row" class="mono small">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(eventsOf(await t.agent.get("/admin/logs?target=carol"))).toEqual(["USER.CREATE"]);
    const byWho = eventsOf(await t.agent.get(`/admin/logs?actor=${encodeURIComponent(t.owner.loginName.split("@")[0]!)}`));
    expect(byWho).toContain("USER.CREATE");
    expect(byWho).toContain("NODE.UPDATE.MACHINE_NAME");
    const nobody = await t.agent.get("/admin/logs?actor=nobody-at-all");
    expect(nobody.text).toContain("0 entries");
    const backwards = await t.agent.get("/admin/logs?start=2030-01-02T00:00&end=2030-01-01T00:00");
    expect(flashOf(backwards)).toBe("End must be after start.");
  });

  it("is not offered to a credential without logs:configuration:read", async () => {
    const t = await setupTailnet();
    const client = await createOAuthClient(t.app, t.apiKey, ["devices:core:read"], []);
    const agent = new ConsoleAgent(t.app);
    const home = await agent.follow(await agent.signIn({ clientId: client.id, clientSecret: client.secret }));
    expect(home.text).not.toContain('href="/admin/logs"');
    expect((await agent.get("/admin/logs")).status).toBe(403);
    expect((await agent.get("/admin/webhooks")).status).toBe(403);
    expect((await agent.get("/admin/dns")).status).toBe(403);
    expect((await agent.get("/admin/settings")).status).toBe(403);
  });
});
