import { describe, expect, it } from "vitest";
import { countAuditRows } from "../../src/db/audit.js";
import { ROUTES } from "../../src/routes/index.js";
import { call, registerBody, registerDevice, setPolicy, setupTailnet, testSql } from "../helpers.js";
import { CASES, type Fixture, type Req } from "./cases.js";

/**
 * Every successful mutation through the API writes its audit entries in the
 * same transaction. Generated from the route table and the shared request
 * table (cases.ts): a new mutating route that does not record fails here.
 * Each mutating route writes exactly one entry, except those listed with the
 * number they write and why.
 */
const ENTRIES: Record<string, { n: number; why: string }> = {
  testWebhook: { n: 0, why: "queues a test event; no configuration changes" },
  resendContactVerificationEmail: { n: 0, why: "sends nothing and changes nothing" },
  validateAndTestPolicyFile: { n: 0, why: "a POST that only validates" },
  previewRuleMatches: { n: 0, why: "a POST that only previews" },
};

/** Routes without a scope (node API, token endpoint): a request that succeeds, and the entries it writes. */
const UNSCOPED: Record<string, { n: number; why?: string; request: (f: Fixture) => Promise<Req> }> = {
  registerNode: { n: 1, request: async (f) => ({ method: "POST", path: "/machine/register", body: registerBody(f.authKey) }) },
  reportNode: { n: 0, why: "presence and facts about the machine are not configuration (tag, route and posture changes are: tested below)", request: async () => ({ method: "POST", path: "skip" }) },
  oauthToken: { n: 0, why: "mints a short-lived token; no configuration changes", request: async () => ({ method: "GET", path: "skip" }) },
  acceptUserInvite: {
    n: 2,
    why: "the new user, and their first API key",
    request: async (f) => {
      const url = (await call(f.app, "POST", "/api/v2/tailnet/-/user-invites", { key: f.apiKey, body: [{ email: `${Date.now()}@example.org` }] })).body[0].inviteUrl;
      return { method: "POST", path: "/api/v2/user-invites/-/accept", body: { invite: url } };
    },
  },
};

const mutating = ROUTES.filter((r) => r.route.method !== "get");

async function entriesWritten(f: Fixture, req: Req, key?: string) {
  const before = await countAuditRows(testSql(), f.tailnet.tailnetId);
  const res = await call(f.app, req.method, req.path, { key: key ?? f.apiKey, body: req.body });
  expect(res.status, `${req.method} ${req.path}: ${res.text}`).toBeLessThan(300);
  return (await countAuditRows(testSql(), f.tailnet.tailnetId)) - before;
}

describe("audit coverage", () => {
  it("knows every mutating route", () => {
    for (const r of mutating) {
      const op = r.route.operationId!;
      expect(CASES[op] ?? UNSCOPED[op], `${op}: add it to test/routes/cases.ts (or UNSCOPED here)`).toBeTruthy();
    }
  });

  for (const r of mutating) {
    const op = r.route.operationId!;
    const scoped = CASES[op];
    if (!scoped) continue;
    for (const v of scoped) {
      const want = ENTRIES[op]?.n ?? 1;
      it(`${op} (${v.scope}) writes ${want} entr${want === 1 ? "y" : "ies"}`, async () => {
        const f = await setupTailnet();
        expect(await entriesWritten(f, await v.request(f))).toBe(want);
      });
    }
  }

  it("the node API records a registration (origin node), re-registration too", async () => {
    const f = await setupTailnet();
    const body = registerBody(f.authKey);
    expect(await entriesWritten(f, await UNSCOPED.registerNode!.request(f))).toBe(UNSCOPED.registerNode!.n);
    expect(await entriesWritten(f, { method: "POST", path: "/machine/register", body })).toBe(1);
    expect(await entriesWritten(f, { method: "POST", path: "/machine/register", body: { ...body, nodeKey: registerBody(f.authKey).nodeKey } })).toBe(1);
  });

  it("a node report records the configuration it changes, with the node as the actor; presence alone records nothing", async () => {
    const f = await setupTailnet();
    await setPolicy(f.app, f.apiKey, JSON.stringify({ tagOwners: { "tag:web": [f.owner.loginName] } }));
    const reg = await registerDevice(f.app, f.authKey, { hostname: "web" });
    const before = await countAuditRows(testSql(), f.tailnet.tailnetId);
    const report = (body: unknown) => call(f.app, "POST", "/machine/update", { bearer: reg.nodeToken, body });
    expect((await report({ hostname: "web2", endpoints: ["203.0.113.9:41641"] })).status).toBe(200);
    expect(await countAuditRows(testSql(), f.tailnet.tailnetId)).toBe(before);
    expect((await report({ advertiseTags: ["tag:web"] })).status).toBe(200);
    expect(await countAuditRows(testSql(), f.tailnet.tailnetId)).toBe(before + 1);
    const log = await call(f.app, "GET", `/api/v2/tailnet/-/logging/configuration?start=2000-01-01T00:00:00Z&end=2100-01-01T00:00:00Z&event=NODE.UPDATE.ACL_TAGS`, { key: f.apiKey });
    expect(log.body.logs).toEqual([
      expect.objectContaining({ origin: "NODE", actor: expect.objectContaining({ type: "NODE", id: reg.device.nodeId }), old: [], new: ["tag:web"] }),
    ]);
  });

  it("accepting a user invite records the new user and their API key, with the user as the actor", async () => {
    const f = await setupTailnet();
    const req = await UNSCOPED.acceptUserInvite!.request(f);
    const before = await countAuditRows(testSql(), f.tailnet.tailnetId);
    const res = await call(f.app, req.method, req.path, { body: req.body });
    expect(res.status, res.text).toBe(200);
    expect((await countAuditRows(testSql(), f.tailnet.tailnetId)) - before).toBe(UNSCOPED.acceptUserInvite!.n);
    const log = await call(f.app, "GET", "/api/v2/tailnet/-/logging/configuration?start=2000-01-01T00:00:00Z&end=2100-01-01T00:00:00Z&event=USER.CREATE", { key: f.apiKey });
    expect(log.body.logs).toContainEqual(expect.objectContaining({ actor: expect.objectContaining({ type: "USER", id: res.body.user.id }), actionDetails: expect.stringMatching(/^accepted invite /) }));
  });

  it("a rejected request writes nothing", async () => {
    const f = await setupTailnet();
    const before = await countAuditRows(testSql(), f.tailnet.tailnetId);
    const bad = await call(f.app, "POST", "/api/v2/tailnet/-/dns/nameservers", { key: f.apiKey, body: { dns: ["not-an-ip"] } });
    expect(bad.status).toBe(400);
    const missing = await call(f.app, "DELETE", "/api/v2/webhooks/999999999", { key: f.apiKey });
    expect(missing.status).toBe(404);
    expect(await countAuditRows(testSql(), f.tailnet.tailnetId)).toBe(before);
  });
});
