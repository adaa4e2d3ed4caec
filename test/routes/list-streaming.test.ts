import { describe, expect, it } from "vitest";
import { seedDevices } from "../../bench/seed.js";
import { listDevices } from "../../src/domain/devices.js";
import { operatorOf } from "../../src/domain/tailnets.js";
import { toWireDevice } from "../../src/routes/devices/wire.js";
import { call, registerDevice, setupTailnet, testDeps, testSql, TestClock } from "../helpers.js";

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
});
