import { describe, expect, it } from "vitest";
import { call, directSql, registerDevice, seedUser, setPolicy, setupTailnet, testDeps, TEST_POLICY } from "../helpers.js";
import { getDevice } from "../../src/domain/devices.js";
import { operatorOf } from "../../src/domain/tailnets.js";

type S = Awaited<ReturnType<typeof setupTailnet>>;

const NOT_FOUND = { message: "not found" };
const FORBIDDEN = { message: "calling actor does not have enough permissions to perform this function" };

async function fresh(o: Parameters<typeof setupTailnet>[0] = {}) {
  const s = await setupTailnet(o);
  const { device } = await registerDevice(s.app, s.authKey, { hostname: "web", advertiseRoutes: ["10.0.0.0/24", "192.168.1.0/24"] });
  return { s, device };
}

const get = async (s: S, id: string, fields = "all") => (await call(s.app, "GET", `/api/v2/device/${id}?fields=${fields}`, { key: s.apiKey })).body;

/** The device as the database holds it (bypassing the API), to check nothing changed after a refusal. */
async function stored(s: S, id: string) {
  const d = testDeps();
  return getDevice(d, await operatorOf(d, s.tailnet.name), id);
}

/** Every write endpoint: a request that succeeds on a device of the tailnet. */
const WRITES: [string, (id: string) => { path: string; body?: unknown }][] = [
  ["expire", (id) => ({ path: `/api/v2/device/${id}/expire` })],
  ["routes", (id) => ({ path: `/api/v2/device/${id}/routes`, body: { routes: ["10.0.0.0/24"] } })],
  ["authorized", (id) => ({ path: `/api/v2/device/${id}/authorized`, body: { authorized: false } })],
  ["name", (id) => ({ path: `/api/v2/device/${id}/name`, body: { name: "renamed" } })],
  ["tags", (id) => ({ path: `/api/v2/device/${id}/tags`, body: { tags: ["tag:prod"] } })],
  ["key", (id) => ({ path: `/api/v2/device/${id}/key`, body: { keyExpiryDisabled: true } })],
  ["ip", (id) => ({ path: `/api/v2/device/${id}/ip`, body: { ipv4: "100.99.1.2" } })],
];

describe("every device write", () => {
  for (const [name, req] of WRITES) {
    it(`${name}: unknown device and another tailnet's device are the same 404, and change nothing`, async () => {
      const { s, device } = await fresh();
      const other = await fresh();
      const before = await stored(other.s, other.device.nodeId);
      for (const id of ["nNOSUCHDEVICECNTRL", "123456789012", other.device.nodeId, other.device.id]) {
        const r = await call(s.app, "POST", req(id).path, { key: s.apiKey, body: req(id).body });
        expect(r.status, `${name} ${id}`).toBe(404);
        expect(r.body).toEqual(NOT_FOUND);
      }
      expect(await stored(other.s, other.device.nodeId)).toEqual(before);
      // …and it works on the caller's own device, by nodeId and by numeric id.
      for (const id of [device.nodeId, device.id]) {
        const r = await call(s.app, "POST", req(id).path, { key: s.apiKey, body: req(id).body });
        expect(r.status, `${name} ${id}: ${r.text}`).toBe(200);
      }
    });
  }
});

describe("POST /device/{id}/expire", () => {
  it("expires the key now, whatever keyExpiryDisabled says, and answers an empty 200", async () => {
    const { s, device } = await fresh();
    await call(s.app, "POST", `/api/v2/device/${device.nodeId}/key`, { key: s.apiKey, body: { keyExpiryDisabled: true } });
    const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/expire`, { key: s.apiKey });
    expect(r.status).toBe(200);
    expect(r.text).toBe("");
    const d = await get(s, device.nodeId);
    expect(Date.parse(d.expires)).toBeLessThanOrEqual(s.clock.now().getTime());
    expect(Math.abs(Date.parse(d.expires) - s.clock.now().getTime())).toBeLessThan(2000);
    expect(d.keyExpiryDisabled).toBe(true);
  });
});

describe("a device change and its audit entry commit together", () => {
  it("when the entry fails (it goes out with the COMMIT), nothing changed, and the answer is a 500", async () => {
    const { s, device } = await fresh();
    const ok = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/routes`, { key: s.apiKey, body: { routes: ["10.0.0.0/24"] } });
    expect(ok.status).toBe(200);
    // A trigger that refuses this device's audit entries only (other tests share the database).
    const fn = `fail_audit_${device.nodeId.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
    const db = directSql();
    await db.unsafe(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.target_id = '${device.nodeId}' THEN RAISE EXCEPTION 'audit refused for the test'; END IF; RETURN NEW; END $$`);
    await db.unsafe(`CREATE TRIGGER ${fn} BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    try {
      for (let i = 0; i < 3; i++) {
        const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/routes`, { key: s.apiKey, body: { routes: ["192.168.1.0/24"] } });
        expect(r.status).toBe(500);
        expect((await stored(s, device.nodeId)).enabledRoutes).toEqual(["10.0.0.0/24"]);
      }
    } finally {
      await db.unsafe(`DROP TRIGGER ${fn} ON audit_log`);
      await db.unsafe(`DROP FUNCTION ${fn}()`);
    }
    const again = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/routes`, { key: s.apiKey, body: { routes: ["192.168.1.0/24"] } });
    expect(again.body.enabledRoutes).toEqual(["192.168.1.0/24"]);
    expect((await stored(s, device.nodeId)).enabledRoutes).toEqual(["192.168.1.0/24"]);
  });
});

describe("GET/POST /device/{id}/routes", () => {
  it("reads advertised and enabled routes, never null", async () => {
    const { s, device } = await fresh();
    const r = await call(s.app, "GET", `/api/v2/device/${device.nodeId}/routes`, { key: s.apiKey });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ advertisedRoutes: ["10.0.0.0/24", "192.168.1.0/24"], enabledRoutes: [] });
  });

  it("replaces the enabled list, may pre-approve unadvertised routes, collapses duplicates, takes exit routes", async () => {
    const { s, device } = await fresh();
    const routes = ["10.0.0.0/24", "172.16.0.0/12", "10.0.0.0/24", "0.0.0.0/0", "::/0", "fd00:1::/64"];
    const r = await call(s.app, "POST", `/api/v2/device/${device.id}/routes`, { key: s.apiKey, body: { routes } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ advertisedRoutes: ["10.0.0.0/24", "192.168.1.0/24"], enabledRoutes: ["10.0.0.0/24", "172.16.0.0/12", "0.0.0.0/0", "::/0", "fd00:1::/64"] });
    expect((await get(s, device.nodeId)).enabledRoutes).toEqual(r.body.enabledRoutes);
  });

  it("null and [] mean none (Terraform's delete, the Go client's nil slice)", async () => {
    const { s, device } = await fresh();
    await call(s.app, "POST", `/api/v2/device/${device.id}/routes`, { key: s.apiKey, body: { routes: ["10.0.0.0/24"] } });
    for (const routes of [null, []]) {
      const r = await call(s.app, "POST", `/api/v2/device/${device.id}/routes`, { key: s.apiKey, body: { routes } });
      expect(r.status).toBe(200);
      expect(r.body.enabledRoutes).toEqual([]);
    }
  });

  it.each([
    [{ routes: ["10.0.0.1/24"] }, /routes\.0: "10\.0\.0\.1\/24" is not an IP prefix with no host bits set/],
    [{ routes: ["10.0.0.0/24", "banana"] }, /routes\.1: "banana"/],
    [{ routes: ["10.0.0.0"] }, /routes\.0/],
    [{ routes: ["300.0.0.0/8"] }, /routes\.0/],
    [{ routes: "10.0.0.0/24" }, /routes/],
    [{}, /^routes is required$/],
  ])("refuses %j with a 400 naming the entry, changing nothing", async (body, message) => {
    const { s, device } = await fresh();
    await call(s.app, "POST", `/api/v2/device/${device.id}/routes`, { key: s.apiKey, body: { routes: ["192.168.1.0/24"] } });
    const r = await call(s.app, "POST", `/api/v2/device/${device.id}/routes`, { key: s.apiKey, body });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(message);
    expect((await get(s, device.nodeId)).enabledRoutes).toEqual(["192.168.1.0/24"]);
  });
});

describe("POST /device/{id}/authorized", () => {
  it("authorizes and de-authorizes, answering {}", async () => {
    const { s, device } = await fresh({ preauthorized: false, approval: true });
    expect((await get(s, device.nodeId)).authorized).toBe(false);
    for (const authorized of [true, false, true]) {
      const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/authorized`, { key: s.apiKey, body: { authorized } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({});
      expect((await get(s, device.nodeId)).authorized).toBe(authorized);
    }
  });

  it.each([[{}, /^authorized is required$/], [{ authorized: "yes" }, /^invalid authorized: must be true or false$/], [{ authorized: null }, /authorized/]])(
    "refuses %j",
    async (body, message) => {
      const { s, device } = await fresh();
      const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/authorized`, { key: s.apiKey, body });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(message);
      expect((await get(s, device.nodeId)).authorized).toBe(true);
    },
  );
});

describe("POST /device/{id}/name", () => {
  it("takes a label or the tailnet FQDN of one, lower-cased", async () => {
    const { s, device } = await fresh();
    const suffix = (await get(s, device.nodeId)).name.split(".").slice(1).join(".");
    for (const [name, label] of [
      ["Build-Box", "build-box"],
      [`api.${suffix}`, "api"],
      [`DB.${suffix.toUpperCase()}.`, "db"],
    ]) {
      const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/name`, { key: s.apiKey, body: { name } });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toEqual({});
      expect((await get(s, device.nodeId)).name).toBe(`${label}.${suffix}`);
    }
  });

  it("empty or missing resets to the hostname-derived name", async () => {
    const { s, device } = await fresh();
    const suffix = (await get(s, device.nodeId)).name.split(".").slice(1).join(".");
    for (const body of [{ name: "" }, {}]) {
      await call(s.app, "POST", `/api/v2/device/${device.nodeId}/name`, { key: s.apiKey, body: { name: "other" } });
      const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/name`, { key: s.apiKey, body });
      expect(r.status).toBe(200);
      expect((await get(s, device.nodeId)).name).toBe(`web.${suffix}`);
    }
  });

  it("a name held by another device is a 409 and changes nothing", async () => {
    const { s, device } = await fresh();
    const other = (await registerDevice(s.app, s.authKey, { hostname: "db" })).device;
    const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/name`, { key: s.apiKey, body: { name: "DB" } });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ message: 'name "db" is already used by another device in this tailnet' });
    expect((await get(s, device.nodeId)).name).toMatch(/^web\./);
    expect((await get(s, other.nodeId)).name).toMatch(/^db\./);
  });

  it("two devices racing for one name: one 200, one 409", async () => {
    const { s, device } = await fresh();
    const other = (await registerDevice(s.app, s.authKey, { hostname: "db" })).device;
    const rs = await Promise.all([device, other].map((d) => call(s.app, "POST", `/api/v2/device/${d.nodeId}/name`, { key: s.apiKey, body: { name: "prize" } })));
    expect(rs.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it.each([["under_score"], ["-dash"], ["a".repeat(64)], ["web.example.com"], ["two.labels"], [" "] /* whitespace only resets */])("refuses or resets %j", async (name) => {
    const { s, device } = await fresh();
    const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/name`, { key: s.apiKey, body: { name } });
    if (name.trim() === "") {
      expect(r.status).toBe(200);
      return;
    }
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^invalid name ".*": use a DNS label/);
    expect((await get(s, device.nodeId)).name).toMatch(/^web\./);
  });
});

describe("POST /device/{id}/tags", () => {
  it("replaces tags: a tagged device belongs to its tags; removing every tag gives it back to its user", async () => {
    const { s, device } = await fresh();
    expect((await get(s, device.nodeId)).keyExpiryDisabled).toBe(false);
    const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/tags`, { key: s.apiKey, body: { tags: ["tag:server", "tag:prod", "tag:prod"] } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({});
    let d = await get(s, device.nodeId);
    expect(d.tags).toEqual(["tag:prod", "tag:server"]);
    expect(d.keyExpiryDisabled).toBe(true);
    expect(d.user).toBe(s.owner.loginName);
    for (const tags of [null, []]) {
      await call(s.app, "POST", `/api/v2/device/${device.nodeId}/tags`, { key: s.apiKey, body: { tags: ["tag:server"] } });
      expect((await call(s.app, "POST", `/api/v2/device/${device.nodeId}/tags`, { key: s.apiKey, body: { tags } })).status).toBe(200);
      d = await get(s, device.nodeId);
      expect(d.tags).toBeUndefined();
      expect(d.keyExpiryDisabled).toBe(false);
      expect(d.user).toBe(s.owner.loginName);
    }
  });

  it("refuses tags not defined in tagOwners, in Tailscale's words, changing nothing", async () => {
    const { s, device } = await fresh();
    await call(s.app, "POST", `/api/v2/device/${device.nodeId}/tags`, { key: s.apiKey, body: { tags: ["tag:prod"] } });
    const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/tags`, { key: s.apiKey, body: { tags: ["tag:prod", "tag:madeup", "tag:wrongexample"] } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: "requested tags [tag:madeup tag:wrongexample] are invalid or not permitted" });
    expect((await get(s, device.nodeId)).tags).toEqual(["tag:prod"]);
  });

  it.each([[{ tags: ["prod"] }], [{ tags: ["tag:with space"] }], [{ tags: "tag:prod" }], [{}]])("refuses malformed %j with a 400", async (body) => {
    const { s, device } = await fresh();
    const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/tags`, { key: s.apiKey, body });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/tags/);
  });

  it("a member owns the tags whose owners name them, their group, or autogroup:member", async () => {
    const s = await setupTailnet();
    const member = await seedUser(s, "member");
    const login = member.user.loginName;
    await setPolicy(
      s.app,
      s.apiKey,
      `{
        // HuJSON: comments and trailing commas
        "groups": {"group:dev": ["${login}"],},
        "tagOwners": {
          "tag:mine": ["${login}"],
          "tag:team": ["group:dev"],
          "tag:anyone": ["autogroup:member"],
          "tag:admins": ["autogroup:admin"],
          "tag:prod": [],
        },
      }`,
    );
    // A device the member registered (an auth key made as the member, through the domain).
    const { createAuthKey: mk } = await import("../../src/domain/keys.js");
    const d = testDeps();
    const asMember = { ...(await operatorOf(d, s.tailnet.name)), user: { id: member.user.userId, loginName: login, role: "member" as const } };
    const key = await mk(d, asMember, { reusable: false, ephemeral: false, preauthorized: true, tags: [], expirySeconds: 3600, description: "" });
    const own = (await registerDevice(s.app, key.secret)).device;
    const bad = await call(s.app, "POST", `/api/v2/device/${own.nodeId}/tags`, { key: member.apiKey, body: { tags: ["tag:mine", "tag:admins", "tag:prod"] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ message: "requested tags [tag:admins tag:prod] are invalid or not permitted" });
    const ok = await call(s.app, "POST", `/api/v2/device/${own.nodeId}/tags`, { key: member.apiKey, body: { tags: ["tag:mine", "tag:team", "tag:anyone"] } });
    expect(ok.status, ok.text).toBe(200);
    // Now tagged, the device is no longer the member's to change.
    const after = await call(s.app, "POST", `/api/v2/device/${own.nodeId}/tags`, { key: member.apiKey, body: { tags: [] } });
    expect(after.status).toBe(403);
    // The owner (an admin) owns every defined tag, and only defined ones.
    expect((await call(s.app, "POST", `/api/v2/device/${own.nodeId}/tags`, { key: s.apiKey, body: { tags: ["tag:prod", "tag:admins"] } })).status).toBe(200);
    expect((await call(s.app, "POST", `/api/v2/device/${own.nodeId}/tags`, { key: s.apiKey, body: { tags: ["tag:ci"] } })).status).toBe(400);
  });

  it("an OAuth token owns its own tags and the tags they own", async () => {
    const s = await setupTailnet();
    await setPolicy(s.app, s.apiKey, JSON.stringify({ tagOwners: { "tag:ci": ["autogroup:admin"], "tag:built": ["tag:ci"], "tag:other": [] } }));
    const { device } = await registerDevice(s.app, s.authKey);
    const { accessToken } = await import("../helpers.js");
    const token = await accessToken(s.app, s.apiKey, ["devices:core"], ["tag:ci"]);
    const ok = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/tags`, { bearer: token, body: { tags: ["tag:ci", "tag:built"] } });
    expect(ok.status, ok.text).toBe(200);
    const bad = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/tags`, { bearer: token, body: { tags: ["tag:other"] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ message: "requested tags [tag:other] are invalid or not permitted" });
  });
});

describe("POST /device/{id}/key", () => {
  it("disabling keeps the original expiry; re-enabling restores it even if past; no field changes nothing", async () => {
    const { s, device } = await fresh();
    const original = (await get(s, device.nodeId)).expires;
    for (const [body, disabled] of [[{ keyExpiryDisabled: true }, true], [{}, true], [{ keyExpiryDisabled: false }, false], [{}, false]] as const) {
      const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/key`, { key: s.apiKey, body });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({});
      const d = await get(s, device.nodeId);
      expect(d.keyExpiryDisabled).toBe(disabled);
      expect(d.expires).toBe(original);
    }
  });

  it("refuses a non-boolean", async () => {
    const { s, device } = await fresh();
    const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/key`, { key: s.apiKey, body: { keyExpiryDisabled: "true" } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: "invalid keyExpiryDisabled: must be true or false" });
  });
});

describe("POST /device/{id}/ip", () => {
  it("sets the IPv4 address, shown in addresses", async () => {
    const { s, device } = await fresh();
    const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/ip`, { key: s.apiKey, body: { ipv4: "100.80.0.1" } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({});
    const d = await get(s, device.nodeId);
    expect(d.addresses[0]).toBe("100.80.0.1");
    expect(d.addresses[1]).toBe(device.addresses[1]);
  });

  it.each(["10.0.0.1", "100.63.255.255", "100.128.0.1", "100.100.100.5", "100.115.92.1", "100.64.0.0", "fd7a:115c:a1e0::1", "100.80.0", "100.080.0.1", ""])(
    "refuses %j with a 400, changing nothing",
    async (ipv4) => {
      const { s, device } = await fresh();
      const r = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/ip`, { key: s.apiKey, body: { ipv4 } });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/^invalid ipv4 /);
      expect((await get(s, device.nodeId)).addresses).toEqual(device.addresses);
    },
  );

  it("an address held by another device is a 409; two racing requests get one 200 and one 409", async () => {
    const { s, device } = await fresh();
    const other = (await registerDevice(s.app, s.authKey, { hostname: "db" })).device;
    const taken = await call(s.app, "POST", `/api/v2/device/${device.nodeId}/ip`, { key: s.apiKey, body: { ipv4: other.addresses[0] } });
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ message: `address ${other.addresses[0]} is already used by another device in this tailnet` });
    const rs = await Promise.all([device, other].map((d) => call(s.app, "POST", `/api/v2/device/${d.nodeId}/ip`, { key: s.apiKey, body: { ipv4: "100.90.9.9" } })));
    expect(rs.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it("the same address in another tailnet is fine", async () => {
    const a = await fresh();
    const b = await fresh();
    for (const { s, device } of [a, b]) {
      expect((await call(s.app, "POST", `/api/v2/device/${device.nodeId}/ip`, { key: s.apiKey, body: { ipv4: "100.91.1.1" } })).status).toBe(200);
    }
  });
});

describe("a member's API key", () => {
  it("renames, tags, expires and deletes only their own untagged devices; approval, routes, key expiry and addresses are for admins", async () => {
    const s = await setupTailnet();
    await setPolicy(s.app, s.apiKey, TEST_POLICY.replace('"tag:prod": [\n      "autogroup:admin"\n    ]', '"tag:prod": ["autogroup:member"]'));
    const member = await seedUser(s, "member");
    const { createAuthKey: mk } = await import("../../src/domain/keys.js");
    const d = testDeps();
    const asMember = { ...(await operatorOf(d, s.tailnet.name)), user: { id: member.user.userId, loginName: member.user.loginName, role: "member" as const } };
    const key = await mk(d, asMember, { reusable: true, ephemeral: false, preauthorized: true, tags: [], expirySeconds: 3600, description: "" });
    const own = (await registerDevice(s.app, key.secret, { hostname: "laptop" })).device;
    const theirs = (await registerDevice(s.app, s.authKey, { hostname: "server" })).device;

    const as = (path: string, body?: unknown) => call(s.app, "POST", path, { key: member.apiKey, body });
    for (const [name, req] of WRITES) {
      const r = await as(req(theirs.nodeId).path, req(theirs.nodeId).body);
      expect(r.status, `${name} on another's device`).toBe(403);
      expect(r.body).toEqual(FORBIDDEN);
    }
    for (const name of ["routes", "authorized", "key", "ip"]) {
      const req = WRITES.find(([n]) => n === name)![1](own.nodeId);
      expect((await as(req.path, req.body)).status, `${name} on their own device`).toBe(403);
    }
    expect((await as(`/api/v2/device/${own.nodeId}/name`, { name: "my-laptop" })).status).toBe(200);
    expect((await as(`/api/v2/device/${own.nodeId}/expire`)).status).toBe(200);
    const own2 = (await registerDevice(s.app, key.secret, { hostname: "phone" })).device;
    expect((await call(s.app, "DELETE", `/api/v2/device/${own2.nodeId}`, { key: member.apiKey })).status).toBe(200);
    // An unknown device is still a 404 for a member.
    expect((await as("/api/v2/device/nNOPECNTRL/name", { name: "x" })).status).toBe(404);
  });
});
