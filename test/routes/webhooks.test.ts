import { describe, expect, it } from "vitest";
import { call, seedTailnet, setupTailnet } from "../helpers.js";

const create = (s: { app: any; apiKey: string }, body: unknown) => call(s.app, "POST", "/api/v2/tailnet/-/webhooks", { key: s.apiKey, body });

describe("webhooks API", () => {
  it("create shows the secret once; get and list never do", async () => {
    const s = await setupTailnet();
    const r = await create(s, { endpointUrl: "https://hooks.example.com/in", providerType: "slack", subscriptions: ["nodeCreated", "userDeleted", "nodeCreated"] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      endpointId: expect.stringMatching(/^\d+$/),
      endpointUrl: "https://hooks.example.com/in",
      providerType: "slack",
      creatorLoginName: s.owner.loginName,
      created: expect.stringMatching(/Z$/),
      lastModified: r.body.created,
      subscriptions: ["nodeCreated", "userDeleted"],
      secret: expect.stringMatching(/^tskey-webhook-\w{32}$/),
    });
    const got = await call(s.app, "GET", `/api/v2/webhooks/${r.body.endpointId}`, { key: s.apiKey });
    const { secret, ...rest } = r.body;
    expect(got.body).toEqual(rest);
    const list = await call(s.app, "GET", "/api/v2/tailnet/-/webhooks", { key: s.apiKey });
    expect(list.body).toEqual({ webhooks: [rest] });
    expect(list.text).not.toContain(secret);
  });

  it("update replaces the subscriptions; delete removes; both 404 afterwards", async () => {
    const s = await setupTailnet();
    const { endpointId } = (await create(s, { endpointUrl: "https://hooks.example.com/in", subscriptions: ["nodeCreated"] })).body;
    s.clock.advance(5000);
    const u = await call(s.app, "PATCH", `/api/v2/webhooks/${endpointId}`, { key: s.apiKey, body: { subscriptions: ["categoryDeviceMisconfigurations"] } });
    expect(u.body.subscriptions).toEqual(["categoryDeviceMisconfigurations"]);
    expect(Date.parse(u.body.lastModified) - Date.parse(u.body.created)).toBe(5000);
    expect((await call(s.app, "DELETE", `/api/v2/webhooks/${endpointId}`, { key: s.apiKey })).status).toBe(200);
    for (const [m, p] of [["GET", ""], ["PATCH", ""], ["DELETE", ""], ["POST", "/test"], ["POST", "/rotate"]] as const) {
      const r = await call(s.app, m, `/api/v2/webhooks/${endpointId}${p}`, { key: s.apiKey, body: m === "PATCH" ? { subscriptions: [] } : undefined });
      expect(r.status, `${m} ${p}`).toBe(404);
    }
  });

  it("bad input is a 400 naming the field, and creates nothing", async () => {
    const s = await setupTailnet();
    for (const [body, message] of [
      [{ subscriptions: ["nodeCreated"] }, /^endpointUrl is required$/],
      [{ endpointUrl: "hooks.example.com", subscriptions: ["nodeCreated"] }, /^invalid endpointUrl: must be an absolute http\(s\) URL$/],
      [{ endpointUrl: "https://user:pw@hooks.example.com", subscriptions: ["nodeCreated"] }, /^invalid endpointUrl: must not carry credentials$/],
      [{ endpointUrl: "https://hooks.example.com" }, /^subscriptions is required$/],
      [{ endpointUrl: "https://hooks.example.com", subscriptions: ["nodeExploded"] }, /^invalid subscriptions: unknown event type "nodeExploded"$/],
      [{ endpointUrl: "https://hooks.example.com", subscriptions: [], providerType: "teams" }, /^invalid providerType: /],
    ] as const) {
      const r = await create(s, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.message).toMatch(message);
    }
    expect((await call(s.app, "GET", "/api/v2/tailnet/-/webhooks", { key: s.apiKey })).body).toEqual({ webhooks: [] });
  });

  it("another tailnet's webhook answers 404 exactly like a missing one", async () => {
    const s = await setupTailnet();
    const other = await seedTailnet();
    const theirs = (await create({ app: s.app, apiKey: other.apiKey }, { endpointUrl: "https://hooks.example.com/x", subscriptions: ["nodeCreated"] })).body.endpointId;
    for (const id of [theirs, "123456789"]) {
      const r = await call(s.app, "GET", `/api/v2/webhooks/${id}`, { key: s.apiKey });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ message: "not found" });
      expect((await call(s.app, "DELETE", `/api/v2/webhooks/${id}`, { key: s.apiKey })).status).toBe(404);
    }
    expect((await call(s.app, "GET", `/api/v2/webhooks/${theirs}`, { key: other.apiKey })).status).toBe(200);
    expect((await call(s.app, "GET", `/api/v2/tailnet/${other.tailnet.name}/webhooks`, { key: s.apiKey })).status).toBe(404);
  });
});

describe("log streaming, network logs, posture integrations (stored only)", () => {
  it("log streaming: set, read back without secrets, status says nothing streams, delete", async () => {
    const s = await setupTailnet();
    const path = "/api/v2/tailnet/-/logging/network/stream";
    expect((await call(s.app, "GET", path, { key: s.apiKey })).status).toBe(404);
    const put = await call(s.app, "PUT", path, { key: s.apiKey, body: { destinationType: "datadog", url: "https://http-intake.example.com", user: "me", token: "sekrit-token" } });
    expect(put.status, put.text).toBe(200);
    const got = await call(s.app, "GET", path, { key: s.apiKey });
    expect(got.body).toEqual({ logType: "network", destinationType: "datadog", url: "https://http-intake.example.com", user: "me" });
    const status = await call(s.app, "GET", `${path}/status`, { key: s.apiKey });
    expect(status.body).toMatchObject({ numEntriesSent: 0, lastError: "tailapi does not stream logs: this configuration is stored only" });
    for (const [body, message] of [
      [{ destinationType: "syslog", url: "https://x.example.com" }, /^invalid destinationType: /],
      [{ destinationType: "elastic" }, /^url is required for destinationType elastic$/],
      [{ destinationType: "s3" }, /^s3Bucket is required/],
      [{ destinationType: "elastic", url: "ftp://x" }, /^invalid url: must be an http\(s\) URL$/],
    ] as const) {
      const r = await call(s.app, "PUT", path, { key: s.apiKey, body });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(message);
    }
    expect((await call(s.app, "GET", path, { key: s.apiKey })).body.destinationType).toBe("datadog");
    expect((await call(s.app, "PUT", "/api/v2/tailnet/-/logging/dns/stream", { key: s.apiKey, body: { destinationType: "elastic", url: "https://x" } })).status).toBe(400);
    expect((await call(s.app, "DELETE", path, { key: s.apiKey })).status).toBe(200);
    expect((await call(s.app, "DELETE", path, { key: s.apiKey })).status).toBe(404);
  });

  it("network flow logs: always empty, start and end checked", async () => {
    const s = await setupTailnet();
    const ok = await call(s.app, "GET", "/api/v2/tailnet/-/logging/network?start=2024-01-01T00:00:00Z&end=2024-01-02T00:00:00Z", { key: s.apiKey });
    expect(ok.body).toEqual({ logs: [] });
    expect((await call(s.app, "GET", "/api/v2/tailnet/-/logging/network?start=2024-01-01T00:00:00Z", { key: s.apiKey })).body).toEqual({ message: "end is required" });
  });

  it("posture integrations: one per provider, the secret required and never returned, update and delete", async () => {
    const s = await setupTailnet();
    const base = "/api/v2/tailnet/-/posture/integrations";
    expect((await call(s.app, "POST", base, { key: s.apiKey, body: { provider: "intune", cloudId: "global" } })).body).toEqual({ message: "clientSecret is required" });
    const made = await call(s.app, "POST", base, { key: s.apiKey, body: { provider: "intune", cloudId: "global", clientId: "c1", tenantId: "t1", clientSecret: "hunter2" } });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ id: expect.stringMatching(/^p\w{16}$/), provider: "intune", cloudId: "global", clientId: "c1", tenantId: "t1" });
    expect(made.text).not.toContain("hunter2");
    expect(made.body.status.error).toMatch(/^tailapi does not call device posture providers/);
    const dup = await call(s.app, "POST", base, { key: s.apiKey, body: { provider: "intune", clientSecret: "x" } });
    expect(dup.status).toBe(409);
    const upd = await call(s.app, "PATCH", `/api/v2/posture/integrations/${made.body.id}`, { key: s.apiKey, body: { provider: "falcon", cloudId: "us-gov" } });
    expect(upd.body).toMatchObject({ provider: "intune", cloudId: "us-gov", clientId: "c1" });
    expect((await call(s.app, "GET", base, { key: s.apiKey })).body.integrations).toHaveLength(1);
    const other = await seedTailnet();
    expect((await call(s.app, "GET", `/api/v2/posture/integrations/${made.body.id}`, { key: other.apiKey })).status).toBe(404);
    expect((await call(s.app, "DELETE", `/api/v2/posture/integrations/${made.body.id}`, { key: s.apiKey })).status).toBe(200);
    expect((await call(s.app, "GET", `/api/v2/posture/integrations/${made.body.id}`, { key: s.apiKey })).status).toBe(404);
  });
});
