import { describe, expect, it } from "vitest";
import { seedDevices, seedPostureAndShares } from "../../bench/seed.js";
import { listDevices } from "../../src/domain/devices.js";
import { operatorOf } from "../../src/domain/tailnets.js";
import { toWireDevice } from "../../src/routes/devices/wire.js";
import { listKeys } from "../../src/domain/keys.js";
import { listUsersWithDevices } from "../../src/domain/users.js";
import { toWireKey } from "../../src/routes/keys/wire.js";
import { toWireUser } from "../../src/routes/users/wire.js";
import { query } from "../../src/db/sql.js";
import { call, registerDevice, seedTailnet, setupTailnet, testDeps, testSql, TestClock } from "../helpers.js";

/**
 * The device list is streamed from a cursor in batches of 500; its bytes must
 * be exactly those of building the whole list and serialising it at once.
 */
describe("the streamed device list", () => {
  it("is byte for byte the JSON of the whole list, across batch boundaries, with and without fields=all", async () => {
    const s = await setupTailnet();
    await seedDevices(testSql(), s.tailnet.tailnetId, s.owner.userId, 1234);
    const reg = await registerDevice(s.app, s.authKey, { hostname: "late" });
    await call(s.app, "POST", `/api/v2/device/${reg.device.nodeId}/attributes/custom:tier`, { key: s.apiKey, body: { value: "gold" } });
    const d = testDeps({ clock: new TestClock(s.clock.now().getTime()) });
    const actor = await operatorOf(d, s.tailnet.name);
    for (const all of [false, true]) {
      const rows = await listDevices(d, actor, { all });
      const expected = JSON.stringify({ devices: rows.map((r) => toWireDevice(r, all)) });
      const res = await s.app.request(`/api/v2/tailnet/-/devices${all ? "?fields=all" : ""}`, {
        headers: { authorization: `Basic ${Buffer.from(`${s.apiKey}:`).toString("base64")}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      const text = await res.text();
      expect(JSON.parse(text).devices).toHaveLength(1235);
      expect(text === expected, `fields=${all ? "all" : "default"}: streamed bytes differ`).toBe(true);
    }
  }, 60_000);

  it("filters while streaming: an empty result is a valid empty list, also when whole batches are skipped", async () => {
    const s = await setupTailnet();
    await seedDevices(testSql(), s.tailnet.tailnetId, s.owner.userId, 1100);
    const none = await call(s.app, "GET", "/api/v2/tailnet/-/devices?hostname=nothing-here", { key: s.apiKey });
    expect(none.text).toBe('{"devices":[]}');
    const last = await call(s.app, "GET", "/api/v2/tailnet/-/devices?hostname=bench-host-01099", { key: s.apiKey });
    expect(last.body.devices.map((x: { hostname: string }) => x.hostname)).toEqual(["bench-host-01099"]);
  }, 60_000);

  it("streams the users and keys lists too, byte for byte the JSON of the whole list, across batch boundaries", async () => {
    const s = await setupTailnet();
    const t = s.tailnet.tailnetId;
    // 1,100 users and 1,100 auth keys (two batches and a part), plus the setup's own.
    await query(
      testSql(),
      `INSERT INTO users (tailnet_id, user_id, login_name, display_name, role, created_at, user_type)
       SELECT $1, 900000000000 + i, 'user' || i || '@example.com', 'User ' || i, (ARRAY['member', 'admin', 'auditor'])[1 + i % 3],
              now() - (2000 - i) * interval '1 minute', CASE WHEN i % 7 = 0 THEN 'shared' ELSE 'member' END
       FROM generate_series(1, 1100) i`,
      [t],
    );
    await query(
      testSql(),
      `INSERT INTO keys (tailnet_id, key_id, key_type, secret_hash, user_id, description, created_at, updated_at, expires_at, reusable, tags)
       SELECT $1, 'kstream' || lpad(i::text, 5, '0') || 'CNTRL', 'auth', '\\x00', $2, 'key ' || i,
              now() - (2000 - i) * interval '1 minute', now(), now() + interval '1 day', i % 2 = 0,
              CASE WHEN i % 3 = 0 THEN ARRAY['tag:server'] ELSE '{}'::text[] END
       FROM generate_series(1, 1100) i`,
      [t, s.owner.userId],
    );
    const d = testDeps({ clock: new TestClock(s.clock.now().getTime()) });
    const actor = await operatorOf(d, s.tailnet.name);
    const now = s.clock.now();
    const auth = { authorization: `Basic ${Buffer.from(`${s.apiKey}:`).toString("base64")}` };
    const lists = [
      { path: "/api/v2/tailnet/-/users?type=all", expected: { users: (await listUsersWithDevices(d, actor, { type: "all" })).map((u) => toWireUser(u, now)) }, count: 1101 },
      { path: "/api/v2/tailnet/-/users", expected: { users: (await listUsersWithDevices(d, actor)).map((u) => toWireUser(u, now)) }, count: 1101 - 157 },
      { path: "/api/v2/tailnet/-/keys?all=true", expected: { keys: (await listKeys(d, actor, { withApiKeys: true })).map((k) => toWireKey(k, now)) }, count: 1100 + 2 },
    ];
    for (const l of lists) {
      const res = await s.app.request(l.path, { headers: auth });
      expect(res.status, l.path).toBe(200);
      const text = await res.text();
      expect(Object.values(JSON.parse(text))[0], l.path).toHaveLength(l.count);
      expect(text === JSON.stringify(l.expected), `${l.path}: streamed bytes differ`).toBe(true);
    }
  }, 60_000);

  it("keeps the list's order: creation time, then the numeric id as text, with shared-in devices merged in place", async () => {
    const s = await setupTailnet();
    const t = s.tailnet.tailnetId;
    await seedDevices(testSql(), t, s.owner.userId, 1234);
    // Ties: 60 devices across the first batch boundary share one creation time (the id, as text, decides).
    await query(
      testSql(),
      `UPDATE devices SET created_at = '2023-06-01T12:00:00.123456Z' WHERE tailnet_id = $1 AND hostname BETWEEN 'bench-host-00470' AND 'bench-host-00529'`,
      [t],
    );
    // 150 devices of another tailnet shared in, created over the same span, some at the tied time too.
    const other = await seedTailnet();
    await seedDevices(testSql(), other.tailnet.tailnetId, other.owner.userId, 150);
    await query(
      testSql(),
      `UPDATE devices SET created_at = created_at + (device_id % 997) * interval '7 minutes 3.5 seconds' WHERE tailnet_id = $1 AND device_id % 3 <> 0`,
      [other.tailnet.tailnetId],
    );
    await query(testSql(), `UPDATE devices SET created_at = '2023-06-01T12:00:00.123456Z' WHERE tailnet_id = $1 AND device_id % 3 = 0`, [other.tailnet.tailnetId]);
    await seedPostureAndShares(testSql(), t, { tailnetId: other.tailnet.tailnetId, userId: other.owner.userId }, s.owner.userId, 150);
    // The order as one sorted statement over both sets gives it (the list's definition before it was read in two parts).
    const expected = (
      await query<{ node_id: string }>(
        testSql(),
        `SELECT node_id FROM (
           SELECT d.node_id, d.created_at, d.device_id FROM devices d WHERE d.tailnet_id = $1
           UNION ALL
           SELECT d.node_id, d.created_at, d.device_id FROM device_shares sh JOIN devices d ON d.tailnet_id = sh.source_tailnet_id AND d.device_id = sh.device_id
           WHERE sh.tailnet_id = $1) x
         ORDER BY extract(epoch FROM created_at), device_id::text`,
        [t],
      )
    ).map((r) => r.node_id);
    expect(expected).toHaveLength(1234 + 150);
    const res = await call(s.app, "GET", "/api/v2/tailnet/-/devices?fields=all", { key: s.apiKey });
    const got = res.body.devices as { nodeId: string; isExternal: boolean }[];
    expect(got.filter((x) => x.isExternal)).toHaveLength(150);
    expect(got.map((x) => x.nodeId)).toEqual(expected);
    const d = testDeps({ clock: new TestClock(s.clock.now().getTime()) });
    const listed = await listDevices(d, await operatorOf(d, s.tailnet.name), { all: true });
    expect(listed.map((x) => x.nodeId)).toEqual(expected);
  }, 60_000);
});
