import { describe, expect, it } from "vitest";
import { call, registerDevice, setupTailnet } from "../helpers.js";

const DEFAULT_FIELDS = [
  "addresses", "id", "nodeId", "user", "name", "hostname", "clientVersion", "updateAvailable", "os", "created",
  "connectedToControl", "lastSeen", "keyExpiryDisabled", "expires", "authorized", "isExternal", "machineKey", "nodeKey",
  "blocksIncomingConnections", "tailnetLockError", "tailnetLockKey", "isEphemeral",
];
const ALL_ONLY = ["enabledRoutes", "advertisedRoutes", "clientConnectivity", "sshEnabled", "postureIdentity"];

describe("GET /api/v2/device/{id}", () => {
  it("returns the default field set by nodeId and by numeric id", async () => {
    const s = await setupTailnet();
    const { device } = await registerDevice(s.app, s.authKey, { hostname: "pangolin", advertiseRoutes: ["10.0.0.0/16"] });
    for (const id of [device.nodeId, device.id]) {
      const r = await call(s.app, "GET", `/api/v2/device/${id}`, { key: s.apiKey });
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual([...DEFAULT_FIELDS].sort());
      expect(r.body.id).toBe(device.id);
      expect(r.body.id).toMatch(/^\d+$/);
      expect(r.body.nodeId).toMatch(/^n[A-Za-z0-9]+CNTRL$/);
      expect(r.body.name).toBe(`pangolin.${s.tailnet.dnsSuffix}`);
      expect(r.body.user).toBe(s.owner.loginName);
      expect(r.body.addresses[0]).toMatch(/^100\.\d+\.\d+\.\d+$/);
      expect(r.body.addresses[1]).toMatch(/^fd7a:115c:a1e0:/);
      expect(r.body.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  it("fields=all adds the all-only fields; comma lists work and all wins", async () => {
    const s = await setupTailnet();
    const { device } = await registerDevice(s.app, s.authKey, { advertiseRoutes: ["10.1.0.0/16", "::/0"] });
    for (const q of ["all", "default,all", "all,default"]) {
      const r = await call(s.app, "GET", `/api/v2/device/${device.nodeId}?fields=${q}`, { key: s.apiKey });
      expect(r.status).toBe(200);
      for (const f of ALL_ONLY) expect(r.body, f).toHaveProperty(f);
      expect(r.body.advertisedRoutes).toEqual(["10.1.0.0/16", "::/0"]);
      expect(r.body.enabledRoutes).toEqual([]);
      expect(r.body.postureIdentity).toEqual({ disabled: true });
    }
    const d = await call(s.app, "GET", `/api/v2/device/${device.nodeId}?fields=default`, { key: s.apiKey });
    for (const f of ALL_ONLY) expect(d.body).not.toHaveProperty(f);
  });

  it("rejects an unknown fields value with 400", async () => {
    const s = await setupTailnet();
    const { device } = await registerDevice(s.app, s.authKey);
    const r = await call(s.app, "GET", `/api/v2/device/${device.nodeId}?fields=everything`, { key: s.apiKey });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/fields/);
  });

  it("tags are present only on tagged devices", async () => {
    const s = await setupTailnet();
    const tagged = await setupTailnet({ tags: ["tag:prod", "tag:web"] });
    const { device: p } = await registerDevice(s.app, s.authKey);
    const { device: t } = await registerDevice(tagged.app, tagged.authKey);
    expect((await call(s.app, "GET", `/api/v2/device/${p.nodeId}`, { key: s.apiKey })).body).not.toHaveProperty("tags");
    const r = await call(tagged.app, "GET", `/api/v2/device/${t.nodeId}`, { key: tagged.apiKey });
    expect(r.body.tags).toEqual(["tag:prod", "tag:web"]);
    // The API's user field keeps the login that registered it.
    expect(r.body.user).toBe(tagged.owner.loginName);
  });

  it("answers 404 for unknown ids and for another tailnet's device alike", async () => {
    const a = await setupTailnet();
    const b = await setupTailnet();
    const { device } = await registerDevice(b.app, b.authKey);
    for (const id of ["nDoesNotExistCNTRL", "123", "99999999999999999999", device.nodeId, device.id]) {
      const r = await call(a.app, "GET", `/api/v2/device/${id}`, { key: a.apiKey });
      expect(r.status, id).toBe(404);
      expect(r.body).toEqual({ message: "not found" });
    }
  });
});

describe("DELETE /api/v2/device/{id}", () => {
  it("deletes: 200 with an empty body, then gone from every read", async () => {
    const s = await setupTailnet();
    const { device } = await registerDevice(s.app, s.authKey);
    const { device: keep } = await registerDevice(s.app, s.authKey);
    const r = await call(s.app, "DELETE", `/api/v2/device/${device.id}`, { key: s.apiKey });
    expect(r.status).toBe(200);
    expect(r.text).toBe("");
    expect((await call(s.app, "GET", `/api/v2/device/${device.nodeId}`, { key: s.apiKey })).status).toBe(404);
    const list = await call(s.app, "GET", `/api/v2/tailnet/-/devices`, { key: s.apiKey });
    expect(list.body.devices.map((d: { nodeId: string }) => d.nodeId)).toEqual([keep.nodeId]);
    expect((await call(s.app, "DELETE", `/api/v2/device/${device.nodeId}`, { key: s.apiKey })).status).toBe(404);
  });

  it("cannot touch another tailnet's device", async () => {
    const a = await setupTailnet();
    const b = await setupTailnet();
    const { device } = await registerDevice(b.app, b.authKey);
    const r = await call(a.app, "DELETE", `/api/v2/device/${device.nodeId}`, { key: a.apiKey });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ message: "not found" });
    expect((await call(b.app, "GET", `/api/v2/device/${device.nodeId}`, { key: b.apiKey })).status).toBe(200);
  });
});

describe("GET /api/v2/tailnet/{tailnet}/devices", () => {
  async function fleet() {
    const s = await setupTailnet();
    const prod = await (await import("../helpers.js")).createAuthKey(s.app, s.apiKey, { reusable: true, tags: ["tag:prod", "tag:server"] });
    const eph = await (await import("../helpers.js")).createAuthKey(s.app, s.apiKey, { reusable: true, ephemeral: true, tags: ["tag:prod"] });
    const a = (await registerDevice(s.app, s.authKey, { hostname: "laptop", os: "macOS" })).device;
    const b = (await registerDevice(s.app, prod.key, { hostname: "db" })).device;
    const c = (await registerDevice(s.app, eph.key, { hostname: "ci-runner" })).device;
    return { s, a, b, c };
  }
  const ids = (r: { body: { devices: { nodeId: string }[] } }) => r.body.devices.map((d) => d.nodeId).sort();

  it("lists every device of the tailnet, default fields unless fields=all", async () => {
    const { s, a, b, c } = await fleet();
    const r = await call(s.app, "GET", "/api/v2/tailnet/-/devices", { key: s.apiKey });
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual([a.nodeId, b.nodeId, c.nodeId].sort());
    for (const d of r.body.devices) expect(d).not.toHaveProperty("enabledRoutes");
    const all = await call(s.app, "GET", "/api/v2/tailnet/-/devices?fields=all", { key: s.apiKey });
    for (const d of all.body.devices) expect(d).toHaveProperty("clientConnectivity");
  });

  it("filters: exact match, repeated keys mean all-of, keys ANDed", async () => {
    const { s, a, b, c } = await fleet();
    const q = async (qs: string) => ids(await call(s.app, "GET", `/api/v2/tailnet/-/devices?${qs}`, { key: s.apiKey }));
    expect(await q("tags=tag%3Aprod")).toEqual([b.nodeId, c.nodeId].sort());
    expect(await q("tags=tag%3Aprod&tags=tag%3Aserver")).toEqual([b.nodeId]);
    expect(await q("isEphemeral=true")).toEqual([c.nodeId]);
    expect(await q("isEphemeral=false&tags=tag:prod")).toEqual([b.nodeId]);
    expect(await q("hostname=laptop")).toEqual([a.nodeId]);
    expect(await q(`name=db.${s.tailnet.dnsSuffix}`)).toEqual([b.nodeId]);
    expect(await q("name=db")).toEqual([]);
    expect(await q("os=macOS")).toEqual([a.nodeId]);
    expect(await q(`id=${a.id}`)).toEqual([a.nodeId]);
    expect(await q(`addresses=${a.addresses[0]}`)).toEqual([a.nodeId]);
    expect(await q("multipleConnections=false")).toHaveLength(3);
  });

  it("a filtered default-fields list still omits all-only fields", async () => {
    const { s } = await fleet();
    const r = await call(s.app, "GET", "/api/v2/tailnet/-/devices?tags=tag:prod", { key: s.apiKey });
    expect(r.body.devices.length).toBe(2);
    for (const d of r.body.devices) expect(d).not.toHaveProperty("advertisedRoutes");
  });

  it("rejects unknown filter keys and bad booleans with 400", async () => {
    const { s } = await fleet();
    const r = await call(s.app, "GET", "/api/v2/tailnet/-/devices?colour=blue", { key: s.apiKey });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/unknown filter "colour"/);
    const b = await call(s.app, "GET", "/api/v2/tailnet/-/devices?authorized=yes", { key: s.apiKey });
    expect(b.status).toBe(400);
    expect(b.body.message).toMatch(/authorized/);
    const o = await call(s.app, "GET", "/api/v2/tailnet/-/devices?clientConnectivity=x", { key: s.apiKey });
    expect(o.status).toBe(400);
  });

  it("never shows another tailnet's devices", async () => {
    const { s } = await fleet();
    const other = await setupTailnet();
    await registerDevice(other.app, other.authKey);
    const r = await call(other.app, "GET", "/api/v2/tailnet/-/devices", { key: other.apiKey });
    expect(r.body.devices).toHaveLength(1);
    const mine = await call(s.app, "GET", "/api/v2/tailnet/-/devices", { key: s.apiKey });
    expect(mine.body.devices).toHaveLength(3);
  });
});
