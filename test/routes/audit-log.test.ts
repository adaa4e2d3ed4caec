import { describe, expect, it } from "vitest";
import { insertAuditRows } from "../../src/db/audit.js";
import { query } from "../../src/db/sql.js";
import { createUser } from "../../src/domain/users.js";
import { call, makeApp, operator, registerDevice, seedTailnet, setupTailnet, testDeps, testSql } from "../helpers.js";

const window = (from = Date.now() - 3600_000, to = Date.now() + 3600_000) => `start=${new Date(from).toISOString()}&end=${new Date(to).toISOString()}`;

describe("GET /logging/configuration", () => {
  it("records who changed what, from where, with the request id, oldest first, never a secret", async () => {
    const s = await setupTailnet();
    const hook = await call(s.app, "POST", "/api/v2/tailnet/-/webhooks", {
      key: s.apiKey,
      body: { endpointUrl: "https://hooks.example.com/a", subscriptions: ["nodeCreated"] },
      headers: { "X-Request-Id": "req-create-hook" },
    });
    expect(hook.status).toBe(200);
    const rotated = await call(s.app, "POST", `/api/v2/webhooks/${hook.body.endpointId}/rotate`, { key: s.apiKey });
    await call(s.app, "POST", "/api/v2/tailnet/-/dns/nameservers", { key: s.apiKey, body: { dns: ["1.1.1.1"] } });
    await registerDevice(s.app, s.authKey, { hostname: "web" });

    const r = await call(s.app, "GET", `/api/v2/tailnet/-/logging/configuration?${window()}`, { key: s.apiKey });
    expect(r.status).toBe(200);
    expect(r.body.tailnet).toBe(s.tailnet.name);
    // The seed's CLI entries first (tailnet, owner, first API key, the test policy), then the API's.
    expect(r.body.logs.slice(0, 4).map((l: any) => [l.target.type, l.target.property, l.origin])).toEqual([
      ["TAILNET", undefined, "ADMIN_CONSOLE"],
      ["USER", undefined, "ADMIN_CONSOLE"],
      ["API_KEY", undefined, "ADMIN_CONSOLE"],
      ["TAILNET", "ACL", "ADMIN_CONSOLE"],
    ]);
    const logs: any[] = r.body.logs.slice(4);
    const names = logs.map((l) => `${l.target.type}.${l.action}${l.target.property ? `.${l.target.property}` : ""}`);
    // The auth key made by setupTailnet, then this test's changes, in order.
    expect(names).toEqual(["API_KEY.CREATE", "WEBHOOK_ENDPOINT.CREATE", "WEBHOOK_ENDPOINT.UPDATE.SECRET", "TAILNET.UPDATE.DNS_CONFIG", "NODE.CREATE"]);
    const times = logs.map((l) => Date.parse(l.eventTime));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const created = logs[1];
    expect(created).toMatchObject({
      type: "CONFIG",
      origin: "CONFIG_API",
      actor: { type: "USER", id: s.owner.userId, loginName: s.owner.loginName },
      target: { id: hook.body.endpointId, name: "https://hooks.example.com/a" },
      new: { endpointUrl: "https://hooks.example.com/a", subscriptions: ["nodeCreated"] },
      tailapi: { origin: "api", requestId: "req-create-hook" },
    });
    expect(created.eventGroupID).toMatch(/^[0-9a-f]{32}$/);
    expect(logs[3]).toMatchObject({ old: { nameservers: [] }, new: { nameservers: ["1.1.1.1"] } });
    expect(logs[4]).toMatchObject({ origin: "NODE", tailapi: { origin: "node" }, target: { type: "NODE", isEphemeral: false } });

    const text = r.text;
    for (const secret of [hook.body.secret, rotated.body.secret, s.apiKey, s.authKey]) expect(text).not.toContain(secret);
  });

  it("records CLI changes with origin ADMIN_CONSOLE", async () => {
    const t = await seedTailnet();
    await createUser(testDeps(), await operator(t), { loginName: `bob@${t.tailnet.name}`, role: "member" });
    const { app } = makeApp();
    const r = await call(app, "GET", `/api/v2/tailnet/-/logging/configuration?${window()}&event=USER.CREATE`, { key: t.apiKey });
    // tailnet creation (owner) and bob, both from the CLI.
    expect(r.body.logs.map((l: any) => [l.target.name, l.origin])).toEqual([
      [t.owner.loginName, "ADMIN_CONSOLE"],
      [`bob@${t.tailnet.name}`, "ADMIN_CONSOLE"],
    ]);
  });

  it("filters by event, actor and target; ANDs different filters", async () => {
    const s = await setupTailnet();
    await call(s.app, "POST", "/api/v2/tailnet/-/dns/nameservers", { key: s.apiKey, body: { dns: ["1.1.1.1"] } });
    await call(s.app, "POST", "/api/v2/tailnet/-/dns/preferences", { key: s.apiKey, body: { magicDNS: true } });
    const dev = (await registerDevice(s.app, s.authKey, { hostname: "db" })).device;
    const q = async (extra: string) =>
      (await call(s.app, "GET", `/api/v2/tailnet/-/logging/configuration?${window()}&${extra}`, { key: s.apiKey })).body.logs.map(
        (l: any) => `${l.target.type}.${l.action}`,
      );
    expect(await q("event=TAILNET.ENABLE.MAGIC_DNS")).toEqual(["TAILNET.ENABLE"]);
    // TARGET.ACTION matches every property: the seed's policy (ACL) and this test's DNS change.
    expect(await q("event=NODE.CREATE&event=TAILNET.UPDATE")).toEqual(["TAILNET.UPDATE", "TAILNET.UPDATE", "NODE.CREATE"]);
    expect(await q("event=NODE.CREATE,TAILNET.UPDATE.DNS_CONFIG")).toEqual(["TAILNET.UPDATE", "NODE.CREATE"]);
    expect(await q(`target=${dev.nodeId.slice(2, 8)}`)).toEqual(["NODE.CREATE"]);
    expect(await q(`actor=~${s.owner.loginName.split("@")[0]!.toUpperCase()}&event=TAILNET.ENABLE`)).toEqual(["TAILNET.ENABLE"]);
    expect(await q(`actor=${s.owner.userId}&target=nothing-like-this`)).toEqual([]);
    expect(await q("actor=someone-else")).toEqual([]);
  });

  it("start and end are required RFC 3339 times, end after start; a window past the page size is a 400", async () => {
    const s = await setupTailnet();
    const get = (q: string) => call(s.app, "GET", `/api/v2/tailnet/-/logging/configuration?${q}`, { key: s.apiKey });
    expect((await get("end=2030-01-01T00:00:00Z")).body).toEqual({ message: "start is required" });
    expect((await get("start=yesterday&end=2030-01-01T00:00:00Z")).body.message).toMatch(/^invalid start: must be an RFC 3339 time/);
    expect((await get("start=2030-01-01T00:00:00Z&end=2029-01-01T00:00:00Z")).body).toEqual({ message: "invalid end: must be after start" });

    const now = new Date();
    const row = { tailnetId: s.tailnet.tailnetId, eventTime: now, eventGroupId: "g", requestId: "r", origin: "api", actorType: "USER", actorId: "1", actorLogin: "", actorDisplay: "", actorTags: [], credentialId: "", action: "UPDATE", targetType: "TAILNET", targetId: s.tailnet.tailnetId, targetName: "", targetProperty: "DNS_CONFIG", targetEphemeral: null, oldValue: undefined, newValue: undefined, details: "" };
    await insertAuditRows(testSql(), Array.from({ length: 1000 }, () => row));
    const big = await get(window());
    expect(big.status).toBe(400);
    expect(big.body.message).toMatch(/^more than 1000 entries match; narrow the window/);
    // A narrower window (before the bulk rows) still answers.
    expect((await get(window(Date.now() - 7200_000, now.getTime() - 1))).status).toBe(200);
  });

  it("orders entries of the same instant by their numeric id (9 before 10)", async () => {
    const s = await setupTailnet();
    const at = new Date(Date.now() - 60_000);
    for (const id of [10, 9, 100]) {
      await query(
        testSql(),
        `INSERT INTO audit_log (tailnet_id, entry_id, event_time, event_group_id, request_id, origin, actor_type, actor_id, action, target_type, target_id, details)
         OVERRIDING SYSTEM VALUE VALUES ($1::bigint, $2, $3, 'g', 'r', 'api', 'USER', '1', 'UPDATE', 'TAILNET', $1::text, $4)`,
        [s.tailnet.tailnetId, id, at, `#${id}`],
      );
    }
    const r = await call(s.app, "GET", `/api/v2/tailnet/-/logging/configuration?${window(at.getTime() - 1, at.getTime() + 1)}`, { key: s.apiKey });
    expect(r.body.logs.map((l: any) => l.actionDetails)).toEqual(["#9", "#10", "#100"]);
  });

  it("another tailnet's log is 404; its entries never show", async () => {
    const a = await setupTailnet();
    const b = await seedTailnet();
    expect((await call(a.app, "GET", `/api/v2/tailnet/${b.tailnet.name}/logging/configuration?${window()}`, { key: a.apiKey })).status).toBe(404);
    const mine = await call(a.app, "GET", `/api/v2/tailnet/-/logging/configuration?${window()}`, { key: a.apiKey });
    expect(mine.text).not.toContain(b.tailnet.tailnetId);
  });
});
