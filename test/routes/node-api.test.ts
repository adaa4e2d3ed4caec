import { describe, expect, it } from "vitest";
import { sweepEphemeral } from "../../src/domain/nodes.js";
import { call, createAuthKey, makeApp, registerBody, registerDevice, setPolicy, setupTailnet, testDeps, TestClock } from "../helpers.js";

const report = (app: Parameters<typeof call>[0], token: string, body: unknown = {}) => call(app, "POST", "/machine/update", { bearer: token, body });

describe("POST /machine/update (a simulated node reports in)", () => {
  it("marks the device connected (no lastSeen) until it is silent for the offline timeout", async () => {
    const s = await setupTailnet();
    const reg = await registerDevice(s.app, s.authKey, { hostname: "web" });
    expect(reg.device.connectedToControl).toBe(false);
    expect(reg.device.lastSeen).toBeDefined();
    const r = await report(s.app, reg.nodeToken);
    expect(r.status, r.text).toBe(200);
    expect(r.body.device.connectedToControl).toBe(true);
    expect(r.body.device.lastSeen).toBeUndefined();
    const get = () => call(s.app, "GET", `/api/v2/device/${reg.device.nodeId}`, { key: s.apiKey });
    expect((await get()).body.connectedToControl).toBe(true);
    // Another replica (another app on the same database) sees the same thing: nothing lives in a process.
    const other = makeApp({ clock: s.clock });
    expect((await call(other.app, "GET", `/api/v2/device/${reg.device.nodeId}`, { key: s.apiKey })).body.connectedToControl).toBe(true);
    s.clock.advance(61_000);
    const silent = (await get()).body;
    expect(silent.connectedToControl).toBe(false);
    expect(Date.parse(silent.lastSeen)).toBeLessThanOrEqual(s.clock.now().getTime() - 60_000);
    expect((await call(s.app, "GET", "/api/v2/tailnet/-/devices?connectedToControl=false", { key: s.apiKey })).body.devices.map((d: any) => d.nodeId)).toEqual([
      reg.device.nodeId,
    ]);
  });

  it("the offline timeout is configurable", async () => {
    const s = await setupTailnet();
    const fast = makeApp({ presence: { offlineAfterMs: 5_000, ephemeralTimeoutMs: 60_000 } });
    const reg = await registerDevice(fast.app, s.authKey);
    await report(fast.app, reg.nodeToken);
    fast.clock.advance(6_000);
    expect((await call(fast.app, "GET", `/api/v2/device/${reg.device.nodeId}`, { key: s.apiKey })).body.connectedToControl).toBe(false);
  });

  it("stores what the node says: hostname, OS, version, connectivity, distro, posture identity", async () => {
    const s = await setupTailnet();
    // Posture identity is collected only where the tailnet turned collection on.
    await call(s.app, "PATCH", "/api/v2/tailnet/-/settings", { key: s.apiKey, body: { postureIdentityCollectionOn: true } });
    const reg = await registerDevice(s.app, s.authKey, { hostname: "web" });
    const r = await report(s.app, reg.nodeToken, {
      hostname: "web-renamed-host",
      os: "linux",
      osVersion: "6.8.0",
      clientVersion: "1.82.0",
      endpoints: ["203.0.113.7:41641", "10.0.0.5:41641"],
      derp: "fra",
      latency: { fra: { latencyMs: 12.5, preferred: true }, ams: { latencyMs: 18 } },
      distro: { name: "debian", version: "12", codeName: "bookworm" },
      postureIdentity: { serialNumbers: ["ABC123"] },
    });
    expect(r.status, r.text).toBe(200);
    const d = (await call(s.app, "GET", `/api/v2/device/${reg.device.nodeId}?fields=all`, { key: s.apiKey })).body;
    expect(d).toMatchObject({
      hostname: "web-renamed-host",
      name: reg.device.name, // the MagicDNS name does not follow the hostname
      clientVersion: "1.82.0",
      distro: { name: "debian", version: "12", codeName: "bookworm" },
      postureIdentity: { serialNumbers: ["ABC123"] },
      clientConnectivity: { endpoints: ["203.0.113.7:41641", "10.0.0.5:41641"], derp: "fra", latency: { fra: { latencyMs: 12.5, preferred: true }, ams: { latencyMs: 18 } } },
    });
  });

  it("advertiseRoutes replaces the advertised list; enabled routes keep what an admin approved; autoApprovers add theirs", async () => {
    const s = await setupTailnet();
    await setPolicy(s.app, s.apiKey, JSON.stringify({ tagOwners: { "tag:router": [] }, autoApprovers: { routes: { "10.0.0.0/8": [s.owner.loginName] } } }));
    const reg = await registerDevice(s.app, s.authKey, { advertiseRoutes: ["192.168.1.0/24"] });
    expect(reg.device.enabledRoutes).toEqual([]);
    await call(s.app, "POST", `/api/v2/device/${reg.device.nodeId}/routes`, { key: s.apiKey, body: { routes: ["192.168.1.0/24"] } });
    const r = await report(s.app, reg.nodeToken, { advertiseRoutes: ["10.2.0.0/16", "172.16.0.0/12"] });
    expect(r.status, r.text).toBe(200);
    expect(r.body.device.advertisedRoutes).toEqual(["10.2.0.0/16", "172.16.0.0/12"]);
    expect(r.body.device.enabledRoutes).toEqual(["192.168.1.0/24", "10.2.0.0/16"]);
    const bad = await report(s.app, reg.nodeToken, { advertiseRoutes: ["10.2.0.1/16"] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^invalid advertiseRoutes\.0: /);
  });

  it("advertiseTags: new tags must be owned by the device's owner, and make it a tagged device", async () => {
    const s = await setupTailnet();
    const reg = await registerDevice(s.app, s.authKey);
    const bad = await report(s.app, reg.nodeToken, { advertiseTags: ["tag:undefined"] });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ message: "requested tags [tag:undefined] are invalid or not permitted" });
    const ok = await report(s.app, reg.nodeToken, { advertiseTags: ["tag:server"] });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.device.tags).toEqual(["tag:server"]);
    expect(ok.body.device.keyExpiryDisabled).toBe(true);
  });

  it("refuses bad, replaced, deleted and expired nodes with a 401, unauthorized ones with a 403, each with a clear message", async () => {
    const s = await setupTailnet();
    const machineKey = `mkey:${"a".repeat(64)}`.replace(/a{6}$/, Math.random().toString(16).slice(2, 8).padEnd(6, "0"));
    const reg = await registerDevice(s.app, s.authKey, { machineKey });
    for (const token of [undefined, "tskey-node-kNOPENOPE00CNTRL-" + "x".repeat(32), s.apiKey, reg.nodeToken.slice(0, -1) + (reg.nodeToken.endsWith("A") ? "B" : "A")]) {
      const r = await call(s.app, "POST", "/machine/update", { bearer: token, body: {} });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ message: "node token invalid" });
    }
    // Expired by an admin: refused until the node registers again with its machine key.
    await call(s.app, "POST", `/api/v2/device/${reg.device.nodeId}/expire`, { key: s.apiKey });
    const expired = await report(s.app, reg.nodeToken);
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/^node key expired/);
    const again = await registerDevice(s.app, s.authKey, { machineKey });
    expect(again.created).toBe(false);
    expect(again.device.nodeId).toBe(reg.device.nodeId);
    expect(Date.parse(again.device.expires)).toBeGreaterThan(s.clock.now().getTime());
    expect((await report(s.app, again.nodeToken)).status).toBe(200);
    // The token of the earlier registration was replaced.
    const replaced = await report(s.app, reg.nodeToken);
    expect(replaced.status).toBe(401);
    expect(replaced.body.message).toMatch(/^node token revoked/);
    // De-authorized by an admin: 403 until authorized again.
    await call(s.app, "POST", `/api/v2/device/${reg.device.nodeId}/authorized`, { key: s.apiKey, body: { authorized: false } });
    const unauthorized = await report(s.app, again.nodeToken);
    expect(unauthorized.status).toBe(403);
    expect(unauthorized.body).toEqual({ message: "device is not authorized: an admin must authorize it first" });
    await call(s.app, "POST", `/api/v2/device/${reg.device.nodeId}/authorized`, { key: s.apiKey, body: { authorized: true } });
    expect((await report(s.app, again.nodeToken)).status).toBe(200);
    // Deleted: its token goes with it.
    await call(s.app, "DELETE", `/api/v2/device/${reg.device.nodeId}`, { key: s.apiKey });
    expect((await report(s.app, again.nodeToken)).status).toBe(401);
  });

  it("a device that was never authorized is refused with a 403", async () => {
    const s = await setupTailnet({ preauthorized: false, approval: true });
    const reg = await registerDevice(s.app, s.authKey);
    const r = await report(s.app, reg.nodeToken);
    expect(r.status).toBe(403);
  });

  it("an ephemeral device silent for the ephemeral timeout is gone from every read, and the sweeper deletes it", async () => {
    const s = await setupTailnet();
    const eph = await createAuthKey(s.app, s.apiKey, { ephemeral: true, reusable: true });
    const gone = await registerDevice(s.app, eph.key, { hostname: "ci-runner" });
    const alive = await registerDevice(s.app, eph.key, { hostname: "ci-runner" });
    const persistent = await registerDevice(s.app, s.authKey, { hostname: "server" });
    s.clock.advance(20 * 60_000);
    await report(s.app, alive.nodeToken);
    s.clock.advance(11 * 60_000);
    const list = (await call(s.app, "GET", "/api/v2/tailnet/-/devices", { key: s.apiKey })).body.devices.map((d: any) => d.nodeId).sort();
    expect(list).toEqual([alive.device.nodeId, persistent.device.nodeId].sort());
    expect((await call(s.app, "GET", `/api/v2/device/${gone.device.nodeId}`, { key: s.apiKey })).status).toBe(404);
    expect((await call(s.app, "POST", `/api/v2/device/${gone.device.nodeId}/name`, { key: s.apiKey, body: { name: "x" } })).status).toBe(404);
    const deleted = await sweepEphemeral(testDeps({ clock: new TestClock(s.clock.now().getTime()) }));
    expect(deleted).toBeGreaterThanOrEqual(1);
    // Its name is free again for the next registration.
    const next = await call(s.app, "POST", "/machine/register", { body: registerBody(eph.key, { hostname: "ci-runner" }) });
    expect(next.body.device.name).toBe(gone.device.name);
  });
});
