import { afterEach, describe, expect, it } from "vitest";
import { listAttempts, listJobs } from "../../src/db/webhooks.js";
import { WebhookWorker } from "../../src/jobs/webhooks.js";
import { systemClock } from "../../src/lib/clock.js";
import { parseAllowList } from "../../src/lib/outbound.js";
import { call, createAuthKey, makeApp, registerDevice, seedTailnet, testDeps, testSql } from "../helpers.js";
import { startReceiver, verifySignature, type Receiver } from "../support/receiver.js";

const LOOPBACK = parseAllowList("127.0.0.0/8");
const open: (Receiver | WebhookWorker)[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) await (x instanceof WebhookWorker ? x.stop() : x.close());
});

async function receiver() {
  const r = await startReceiver();
  open.push(r);
  return r;
}

/** A worker as a replica runs it: the real clock, fast retries, the loopback allow-list. */
function worker(o: { allow?: ReturnType<typeof parseAllowList>; retryWindowMs?: number } = {}) {
  const w = new WebhookWorker(testDeps({ clock: systemClock, origin: "system" }), {
    allow: o.allow ?? LOOPBACK,
    timeoutMs: 2000,
    retryWindowMs: o.retryWindowMs ?? 60_000,
    pollMs: 50,
    retryBaseMs: 100,
    sweepMs: 3_600_000,
    logger: testDeps().log,
  });
  open.push(w);
  return w;
}

/** A tailnet whose app may target loopback, with a webhook to `url`. */
async function withWebhook(url: string, subscriptions = ["nodeCreated", "nodeDeleted"]) {
  const t = await seedTailnet();
  const ta = makeApp({ outbound: { allow: LOOPBACK } });
  const hook = await call(ta.app, "POST", "/api/v2/tailnet/-/webhooks", { key: t.apiKey, body: { endpointUrl: url, subscriptions } });
  expect(hook.status, hook.text).toBe(200);
  const authKey = (await createAuthKey(ta.app, t.apiKey, { reusable: true })).key;
  return { ...t, ...ta, authKey, hook: hook.body as { endpointId: string; secret: string } };
}

describe("webhook delivery", () => {
  it("POSTs Tailscale's event array with a signature an independent implementation verifies", async () => {
    const rx = await receiver();
    const s = await withWebhook(`${rx.url}/hook`);
    const { device } = await registerDevice(s.app, s.authKey, { hostname: "web" });
    await worker().tick();
    const [got] = await rx.waitFor(1);
    expect(got!.path).toBe("/hook");
    expect(got!.headers["content-type"]).toBe("application/json");
    expect(await verifySignature(s.hook.secret, got!.body, got!.headers["tailscale-webhook-signature"] as string)).toBe(true);
    expect(await verifySignature("tskey-webhook-wrong", got!.body, got!.headers["tailscale-webhook-signature"] as string)).toBe(false);
    const events = JSON.parse(got!.body);
    expect(events).toEqual([
      {
        timestamp: expect.any(String),
        version: 1,
        type: "nodeCreated",
        tailnet: s.tailnet.name,
        message: `Node ${device.name} created`,
        data: { nodeID: device.nodeId, deviceName: device.name, managedBy: s.owner.loginName, actor: s.owner.loginName, url: `/api/v2/device/${device.nodeId}` },
      },
    ]);
    const [job] = await listJobs(testSql(), s.tailnet.tailnetId, s.hook.endpointId);
    expect(job).toMatchObject({ state: "delivered", attempts: 1, eventType: "nodeCreated" });
  });

  it("retries after a 500 with backoff, one delivery record per attempt, and never shows the receiver's answer", async () => {
    const rx = await receiver();
    rx.respond = (n) => (n === 0 ? 500 : 200);
    const s = await withWebhook(rx.url);
    await registerDevice(s.app, s.authKey);
    const w = worker();
    await w.start();
    await rx.waitFor(2);
    expect(rx.received[1]!.at - rx.received[0]!.at).toBeGreaterThanOrEqual(70); // retryBaseMs 100, ±20 % jitter
    expect(rx.received[0]!.body).toBe(rx.received[1]!.body);
    await expect.poll(async () => (await listJobs(testSql(), s.tailnet.tailnetId, s.hook.endpointId))[0]?.state).toBe("delivered");
    const [job] = await listJobs(testSql(), s.tailnet.tailnetId, s.hook.endpointId);
    const attempts = await listAttempts(testSql(), s.tailnet.tailnetId, job!.jobId);
    expect(attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, "HTTP 500"],
      [2, 200, ""],
    ]);
    // The endpoint as the API shows it carries nothing of the receiver's answers.
    const got = await call(s.app, "GET", `/api/v2/webhooks/${s.hook.endpointId}`, { key: s.apiKey });
    expect(got.text).not.toContain("receiver says no");
  });

  it("gives up once the retry window has passed, with the job marked failed", async () => {
    const rx = await receiver();
    rx.respond = () => 503;
    const s = await withWebhook(rx.url);
    await registerDevice(s.app, s.authKey);
    const w = worker({ retryWindowMs: 250 });
    await w.start();
    await expect.poll(async () => (await listJobs(testSql(), s.tailnet.tailnetId, s.hook.endpointId))[0]?.state, { timeout: 10_000 }).toBe("failed");
    const n = rx.received.length;
    expect(n).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 400));
    expect(rx.received.length).toBe(n);
  });

  it("two replicas deliver each event once", async () => {
    const rx = await receiver();
    const s = await withWebhook(rx.url, ["categoryTailnetManagement"]);
    for (let i = 0; i < 12; i++) await registerDevice(s.app, s.authKey, { hostname: `n${i}` });
    const a = worker();
    const b = worker();
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    const ids = rx.received.map((r) => JSON.parse(r.body)[0].data.nodeID);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
  });

  it("sends the test event, signs with the rotated secret, and stops at deletion", async () => {
    const rx = await receiver();
    const s = await withWebhook(rx.url);
    expect((await call(s.app, "POST", `/api/v2/webhooks/${s.hook.endpointId}/test`, { key: s.apiKey })).status).toBe(202);
    const rotated = await call(s.app, "POST", `/api/v2/webhooks/${s.hook.endpointId}/rotate`, { key: s.apiKey });
    expect(rotated.body.secret).toMatch(/^tskey-webhook-\w{32}$/);
    expect(rotated.body.secret).not.toBe(s.hook.secret);
    await worker().tick();
    const [got] = await rx.waitFor(1);
    expect(JSON.parse(got!.body)).toEqual([{ timestamp: expect.any(String), version: 1, type: "test", tailnet: s.tailnet.name, message: "This is a test event", data: {} }]);
    expect(await verifySignature(rotated.body.secret, got!.body, got!.headers["tailscale-webhook-signature"] as string)).toBe(true);
    expect(await verifySignature(s.hook.secret, got!.body, got!.headers["tailscale-webhook-signature"] as string)).toBe(false);

    await registerDevice(s.app, s.authKey);
    expect((await call(s.app, "DELETE", `/api/v2/webhooks/${s.hook.endpointId}`, { key: s.apiKey })).status).toBe(200);
    await worker().tick();
    expect(rx.received).toHaveLength(1);
  });

  it("only subscribed events are queued; a category covers its events", async () => {
    const rx = await receiver();
    const s = await withWebhook(rx.url, ["nodeDeleted"]);
    const { device } = await registerDevice(s.app, s.authKey);
    expect(await listJobs(testSql(), s.tailnet.tailnetId, s.hook.endpointId)).toEqual([]);
    await call(s.app, "DELETE", `/api/v2/device/${device.nodeId}`, { key: s.apiKey });
    expect((await listJobs(testSql(), s.tailnet.tailnetId, s.hook.endpointId)).map((j) => j.eventType)).toEqual(["nodeDeleted"]);
    await call(s.app, "PATCH", `/api/v2/webhooks/${s.hook.endpointId}`, { key: s.apiKey, body: { subscriptions: ["categoryTailnetManagement"] } });
    await call(s.app, "PATCH", "/api/v2/tailnet/-/settings", { key: s.apiKey, body: { devicesApprovalOn: true } });
    await createAuthKey(s.app, s.apiKey, { preauthorized: false }).then((k) => registerDevice(s.app, k.key));
    const types = (await listJobs(testSql(), s.tailnet.tailnetId, s.hook.endpointId)).map((j) => j.eventType).sort();
    expect(types).toEqual(["nodeCreated", "nodeDeleted", "nodeNeedsApproval"]);
  });

  it("nodeApproved when an admin authorizes a waiting device; policyUpdate with the old and new policy", async () => {
    const rx = await receiver();
    const s = await withWebhook(rx.url, ["nodeApproved", "policyUpdate"]);
    await call(s.app, "PATCH", "/api/v2/tailnet/-/settings", { key: s.apiKey, body: { devicesApprovalOn: true } });
    const waiting = await createAuthKey(s.app, s.apiKey, { preauthorized: false }).then((k) => registerDevice(s.app, k.key));
    const authorize = (authorized: boolean) => call(s.app, "POST", `/api/v2/device/${waiting.device.nodeId}/authorized`, { key: s.apiKey, body: { authorized } });
    expect((await authorize(true)).status).toBe(200);
    expect((await authorize(true)).status).toBe(200); // already approved: no second event
    const before = await call(s.app, "GET", "/api/v2/tailnet/-/acl", { key: s.apiKey, headers: { Accept: "application/hujson" } });
    const policy = JSON.stringify({ tagOwners: { "tag:new": [] } });
    expect((await call(s.app, "POST", "/api/v2/tailnet/-/acl", { rawBody: policy, key: s.apiKey, headers: { "content-type": "application/hujson" } })).status).toBe(200);
    const jobs = await listJobs(testSql(), s.tailnet.tailnetId, s.hook.endpointId);
    expect(jobs.map((j) => j.eventType).sort()).toEqual(["nodeApproved", "policyUpdate"]);
    const update = jobs.find((j) => j.eventType === "policyUpdate")!.event as any;
    expect(update.data).toMatchObject({ newPolicy: policy, oldPolicy: before.text, actor: s.owner.loginName });
    expect((jobs.find((j) => j.eventType === "nodeApproved")!.event as any).data.nodeID).toBe(waiting.device.nodeId);
  });

  it("refuses loopback and private targets without the allow-list: at creation, and at delivery", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    for (const url of ["http://127.0.0.1:9/x", "http://[::1]/x", "http://10.1.2.3/x", "http://169.254.169.254/latest", "http://localhost:8080/", "ftp://example.com/x"]) {
      const r = await call(app, "POST", "/api/v2/tailnet/-/webhooks", { key: t.apiKey, body: { endpointUrl: url, subscriptions: ["nodeCreated"] } });
      expect(r.status, url).toBe(400);
      expect(r.body.message, url).toMatch(/^invalid endpointUrl: /);
    }
    // Allowed when created, refused by a replica whose allow-list does not include it: the attempt says why.
    const rx = await receiver();
    const s = await withWebhook(rx.url);
    await registerDevice(s.app, s.authKey);
    await worker({ allow: [] }).tick();
    expect(rx.received).toHaveLength(0);
    const [job] = await listJobs(testSql(), s.tailnet.tailnetId, s.hook.endpointId);
    const [attempt] = await listAttempts(testSql(), s.tailnet.tailnetId, job!.jobId);
    expect(attempt).toMatchObject({ statusCode: null, error: expect.stringMatching(/^refused: 127\.0\.0\.1 is a loopback address/) });
  });

  it("emits nodeKeyExpiringInOneDay and nodeKeyExpired once each, however often it sweeps", async () => {
    const rx = await receiver();
    const s = await withWebhook(rx.url, ["nodeKeyExpiringInOneDay", "nodeKeyExpired"]);
    // Key duration 1 day: a device registered 1 h ago is expiring; one registered 2 days ago has expired.
    await call(s.app, "PATCH", "/api/v2/tailnet/-/settings", { key: s.apiKey, body: { devicesKeyDurationDays: 1 } });
    s.clock.set(new Date(Date.now() - 3600_000));
    const soon = (await registerDevice(s.app, s.authKey, { hostname: "soon" })).device;
    s.clock.set(new Date(Date.now() - 2 * 86400_000));
    const gone = (await registerDevice(s.app, s.authKey, { hostname: "gone" })).device;
    const { sweepKeyExpiries } = await import("../../src/domain/expiry.js");
    const d = testDeps({ clock: systemClock });
    await sweepKeyExpiries(d);
    await sweepKeyExpiries(d);
    const jobs = (await listJobs(testSql(), s.tailnet.tailnetId, s.hook.endpointId)).map((j) => [j.eventType, (j.event as any).data.nodeID]).sort();
    expect(jobs).toEqual([
      ["nodeKeyExpired", gone.nodeId],
      ["nodeKeyExpiringInOneDay", soon.nodeId],
    ]);
  });

  it("keeps finished jobs and their attempts for a week, then prunes them; pending ones stay", async () => {
    const rx = await receiver();
    const s = await withWebhook(rx.url);
    await registerDevice(s.app, s.authKey);
    await worker().tick();
    await registerDevice(s.app, s.authKey); // left pending
    const { pruneDeliveries } = await import("../../src/domain/webhooks.js");
    const { TestClock } = await import("../helpers.js");
    const jobs = () => listJobs(testSql(), s.tailnet.tailnetId, s.hook.endpointId).then((j) => j.map((x) => x.state).sort());
    await pruneDeliveries(testDeps({ clock: new TestClock(Date.now() + 6 * 86400_000) }));
    expect(await jobs()).toEqual(["delivered", "pending"]);
    await pruneDeliveries(testDeps({ clock: new TestClock(Date.now() + 8 * 86400_000) }));
    expect(await jobs()).toEqual(["pending"]);
  });
});
