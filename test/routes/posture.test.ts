import { describe, expect, it } from "vitest";
import { accessToken, call, registerDevice, seedUser, setupTailnet, testSql } from "../helpers.js";

const attrs = (id: string, key = "") => `/api/v2/device/${id}/attributes${key ? `/${key}` : ""}`;

async function fresh() {
  const s = await setupTailnet();
  const { device, nodeToken } = await registerDevice(s.app, s.authKey, { hostname: "web" });
  await call(s.app, "POST", "/machine/update", { bearer: nodeToken, body: { os: "linux", osVersion: "6.1.0", clientVersion: "1.80.2-t1234" } });
  return { s, device };
}

describe("GET /device/{id}/attributes", () => {
  it("has the node: attributes derived from the device, and no custom ones yet", async () => {
    const { s, device } = await fresh();
    const r = await call(s.app, "GET", attrs(device.nodeId), { key: s.apiKey });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      attributes: { "node:os": "linux", "node:osVersion": "6.1.0", "node:tsVersion": "1.80.2", "node:tsReleaseTrack": "stable", "node:tsAutoUpdate": false },
      expiries: {},
    });
  });

  it("another tailnet's device and an unknown one are the same 404", async () => {
    const a = await fresh();
    const b = await fresh();
    for (const id of [b.device.nodeId, "nNOPECNTRL"]) {
      const r = await call(a.s.app, "GET", attrs(id), { key: a.s.apiKey });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ message: "not found" });
    }
  });
});

describe("POST /device/{id}/attributes/{key}", () => {
  it("sets string, number and boolean values, with or without an expiry; answers the attributes after the change", async () => {
    const { s, device } = await fresh();
    const set = (key: string, body: unknown) => call(s.app, "POST", attrs(device.id, key), { key: s.apiKey, body });
    // What the Go client sends: expiry always present (Go's zero time when unset), comment always present.
    let r = await set("custom:tier", { value: "gold", expiry: "2030-01-02T03:04:05Z", comment: "probe" });
    expect(r.status, r.text).toBe(200);
    expect(r.body.attributes["custom:tier"]).toBe("gold");
    expect(r.body.expiries).toEqual({ "custom:tier": "2030-01-02T03:04:05Z" });
    r = await set("custom:score", { value: 42, expiry: "0001-01-01T00:00:00Z", comment: "" });
    expect(r.status, r.text).toBe(200);
    r = await set("custom:compliant", { value: true });
    expect(r.status, r.text).toBe(200);
    const g = await call(s.app, "GET", attrs(device.nodeId), { key: s.apiKey });
    expect(g.body.attributes).toMatchObject({ "custom:tier": "gold", "custom:score": 42, "custom:compliant": true, "node:os": "linux" });
    expect(g.body.expiries).toEqual({ "custom:tier": "2030-01-02T03:04:05Z" });
    // Overwriting keeps one value; the same type is fine.
    expect((await set("custom:score", { value: -9007199254740991 })).body.attributes["custom:score"]).toBe(-9007199254740991);
  });

  it.each([
    ["node:os", { value: "x" }, /^attribute node:os is read-only/],
    ["custom:bad-key", { value: "x" }, /^invalid attribute key "custom:bad-key"/],
    ["tier", { value: "x" }, /^invalid attribute key "tier"/],
    [`custom:${"a".repeat(44)}`, { value: "x" }, /at most 50 characters/],
    ["custom:s", { value: "has space" }, /^invalid value for custom:s: strings hold 1 to 50/],
    ["custom:s", { value: "x".repeat(51) }, /strings hold 1 to 50/],
    ["custom:n", { value: 1.5 }, /numbers must be whole/],
    ["custom:n", { value: 2 ** 53 }, /numbers must be whole and within/],
    ["custom:o", { value: { a: 1 } }, /^invalid value: must be a string, a number or a boolean$/],
    ["custom:o", {}, /^value is required$/],
    ["custom:e", { value: "x", expiry: "tomorrow" }, /^invalid expiry for custom:e: must be an RFC 3339 time/],
    ["custom:e", { value: "x", expiry: "2001-01-01T00:00:00Z" }, /has passed/],
    ["custom:c", { value: "x", comment: "c".repeat(201) }, /^invalid comment: at most 200 characters$/],
  ])("refuses %s %j with a 400, changing nothing", async (key, body, message) => {
    const { s, device } = await fresh();
    const r = await call(s.app, "POST", attrs(device.nodeId, key), { key: s.apiKey, body });
    expect(r.status, r.text).toBe(400);
    expect(r.body.message).toMatch(message);
    expect(Object.keys((await call(s.app, "GET", attrs(device.nodeId), { key: s.apiKey })).body.attributes).filter((k) => k.startsWith("custom:"))).toEqual([]);
  });

  it("keys are unique regardless of case, and the first value's type is the key's type tailnet-wide", async () => {
    const { s, device } = await fresh();
    const other = (await registerDevice(s.app, s.authKey)).device;
    expect((await call(s.app, "POST", attrs(device.nodeId, "custom:MyAttr"), { key: s.apiKey, body: { value: 7 } })).status).toBe(200);
    const clash = await call(s.app, "POST", attrs(other.nodeId, "custom:myattr"), { key: s.apiKey, body: { value: 8 } });
    expect(clash.status).toBe(400);
    expect(clash.body.message).toMatch(/clashes with custom:MyAttr/);
    const type = await call(s.app, "POST", attrs(other.nodeId, "custom:MyAttr"), { key: s.apiKey, body: { value: "78" } });
    expect(type.status).toBe(400);
    expect(type.body).toEqual({ message: "attribute custom:MyAttr holds number values in this tailnet; got a string" });
    // Another tailnet has its own keys.
    const b = await fresh();
    expect((await call(b.s.app, "POST", attrs(b.device.nodeId, "custom:myattr"), { key: b.s.apiKey, body: { value: "x" } })).status).toBe(200);
  });

  it("two racing first writes of different types: exactly one wins, and the key has its type", async () => {
    const { s, device } = await fresh();
    const other = (await registerDevice(s.app, s.authKey)).device;
    const rs = await Promise.all([
      call(s.app, "POST", attrs(device.nodeId, "custom:race"), { key: s.apiKey, body: { value: 1 } }),
      call(s.app, "POST", attrs(other.nodeId, "custom:race"), { key: s.apiKey, body: { value: "one" } }),
    ]);
    expect(rs.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it("an expired attribute is gone from every read", async () => {
    const { s, device } = await fresh();
    const soon = new Date(s.clock.now().getTime() + 60_000).toISOString().replace(/\.\d+Z$/, "Z");
    await call(s.app, "POST", attrs(device.nodeId, "custom:temp"), { key: s.apiKey, body: { value: "x", expiry: soon } });
    expect((await call(s.app, "GET", `/api/v2/device/${device.nodeId}?fields=all`, { key: s.apiKey })).body.postureAttributes.attributes["custom:temp"]).toBe("x");
    s.clock.advance(61_000);
    expect((await call(s.app, "GET", attrs(device.nodeId), { key: s.apiKey })).body.attributes["custom:temp"]).toBeUndefined();
    const list = (await call(s.app, "GET", "/api/v2/tailnet/-/devices?fields=all", { key: s.apiKey })).body.devices[0];
    expect(list.postureAttributes.attributes["custom:temp"]).toBeUndefined();
    expect((await call(s.app, "DELETE", attrs(device.nodeId, "custom:temp"), { key: s.apiKey })).status).toBe(404);
  });

  it("members may read but not write posture; OAuth tokens with the scope may write", async () => {
    const { s, device } = await fresh();
    const member = await seedUser(s, "member");
    expect((await call(s.app, "GET", attrs(device.nodeId), { key: member.apiKey })).status).toBe(200);
    const w = await call(s.app, "POST", attrs(device.nodeId, "custom:x"), { key: member.apiKey, body: { value: true } });
    expect(w.status).toBe(403);
    const token = await accessToken(s.app, s.apiKey, ["devices:posture_attributes"], []);
    expect((await call(s.app, "POST", attrs(device.nodeId, "custom:x"), { bearer: token, body: { value: true } })).status).toBe(200);
  });
});

describe("DELETE /device/{id}/attributes/{key}", () => {
  it("removes it; a key the device does not hold is a JSON 404; the key's type is free again once nobody holds it", async () => {
    const { s, device } = await fresh();
    await call(s.app, "POST", attrs(device.nodeId, "custom:tier"), { key: s.apiKey, body: { value: "gold" } });
    const r = await call(s.app, "DELETE", attrs(device.nodeId, "custom:tier"), { key: s.apiKey });
    expect(r.status).toBe(200);
    expect(r.text).toBe("");
    const again = await call(s.app, "DELETE", attrs(device.nodeId, "custom:tier"), { key: s.apiKey });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ message: "device has no attribute custom:tier" });
    expect((await call(s.app, "POST", attrs(device.nodeId, "custom:tier"), { key: s.apiKey, body: { value: 3 } })).status).toBe(200);
    expect((await call(s.app, "DELETE", attrs(device.nodeId, "node:os"), { key: s.apiKey })).status).toBe(400);
  });
});

describe("PATCH /tailnet/{tailnet}/device-attributes", () => {
  it("sets and deletes over several devices in one go, answering null", async () => {
    const { s, device } = await fresh();
    const other = (await registerDevice(s.app, s.authKey)).device;
    await call(s.app, "POST", attrs(other.nodeId, "custom:old"), { key: s.apiKey, body: { value: "x" } });
    const r = await call(s.app, "PATCH", "/api/v2/tailnet/-/device-attributes", {
      key: s.apiKey,
      body: { nodes: { [device.nodeId]: { "custom:tier": { value: "gold" } }, [other.nodeId]: { "custom:tier": { value: "silver", expiry: "2031-01-01T00:00:00Z" }, "custom:old": null } }, comment: "rollout" },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.text).toBe("null");
    expect((await call(s.app, "GET", attrs(device.nodeId), { key: s.apiKey })).body.attributes["custom:tier"]).toBe("gold");
    const o = (await call(s.app, "GET", attrs(other.nodeId), { key: s.apiKey })).body;
    expect(o.attributes["custom:tier"]).toBe("silver");
    expect(o.attributes["custom:old"]).toBeUndefined();
    expect(o.expiries).toEqual({ "custom:tier": "2031-01-01T00:00:00Z" });
  });

  it("is all or nothing: one bad entry or one unknown device changes nothing", async () => {
    const { s, device } = await fresh();
    const bad = await call(s.app, "PATCH", "/api/v2/tailnet/-/device-attributes", {
      key: s.apiKey,
      body: { nodes: { [device.nodeId]: { "custom:a": { value: "fine" }, "custom:b": { value: "not fine!" } } } },
    });
    expect(bad.status).toBe(400);
    const unknown = await call(s.app, "PATCH", "/api/v2/tailnet/-/device-attributes", {
      key: s.apiKey,
      body: { nodes: { [device.nodeId]: { "custom:a": { value: "fine" } }, nNOPECNTRL: { "custom:a": { value: "x" } } } },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: "device nNOPECNTRL not found" });
    const custom = Object.keys((await call(s.app, "GET", attrs(device.nodeId), { key: s.apiKey })).body.attributes).filter((k) => k.startsWith("custom:"));
    expect(custom).toEqual([]);
  });
});

describe("fields=all carries posture attributes, in the same query", () => {
  it("on GET /device/{id} and in the list, only with fields=all", async () => {
    const { s, device } = await fresh();
    await call(s.app, "POST", attrs(device.nodeId, "custom:tier"), { key: s.apiKey, body: { value: "gold", expiry: "2030-01-01T00:00:00Z" } });
    const one = (await call(s.app, "GET", `/api/v2/device/${device.nodeId}?fields=all`, { key: s.apiKey })).body;
    expect(one.postureAttributes).toEqual((await call(s.app, "GET", attrs(device.nodeId), { key: s.apiKey })).body);
    expect((await call(s.app, "GET", `/api/v2/device/${device.nodeId}`, { key: s.apiKey })).body.postureAttributes).toBeUndefined();
    const list = (await call(s.app, "GET", "/api/v2/tailnet/-/devices?fields=all", { key: s.apiKey })).body.devices;
    expect(list[0].postureAttributes.attributes["custom:tier"]).toBe("gold");
    expect((await call(s.app, "GET", "/api/v2/tailnet/-/devices", { key: s.apiKey })).body.devices[0].postureAttributes).toBeUndefined();
  });
});

describe("posture attributes in fields=all reads", () => {
  it("list keys in the order they always had (jsonb's: length, then bytes), the same in the list and the single read", async () => {
    const { s, device } = await fresh();
    const keys = ["custom:b", "custom:Ab", "custom:aa", "custom:AA2", "custom:Z", "custom:a_b", "custom:A:b", "custom:9x", "custom:zzzzzz"];
    for (const [i, key] of keys.entries()) {
      const r = await call(s.app, "POST", attrs(device.nodeId, key), { key: s.apiKey, body: { value: i } });
      expect(r.status, r.text).toBe(200);
    }
    // The order PostgreSQL's jsonb gives the same keys (how these reads were first built).
    const [row] = await testSql().unsafe<{ order: string[] }[]>(`SELECT array(SELECT jsonb_object_keys(jsonb_object_agg(k, 1))) AS order FROM unnest($1::text[]) k`, [keys]);
    const order = row!.order;
    expect(order).not.toEqual(keys);
    const one = await call(s.app, "GET", `/api/v2/device/${device.nodeId}?fields=all`, { key: s.apiKey });
    expect(Object.keys(one.body.postureAttributes.attributes).filter((k) => k.startsWith("custom:"))).toEqual(order);
    expect(one.body.postureAttributes.attributes["custom:AA2"]).toBe(3);
    const list = await call(s.app, "GET", "/api/v2/tailnet/-/devices?fields=all", { key: s.apiKey });
    expect(JSON.stringify(list.body.devices[0].postureAttributes)).toBe(JSON.stringify(one.body.postureAttributes));
  });
});
