import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { bundleFromFiles, type ImportBundle } from "../../src/domain/transfer.js";
import { call, makeApp, seedTailnet, type SeededTailnet, type TestApp } from "../helpers.js";

const FIXTURE = new URL("../fixtures/real-tailnet/", import.meta.url);

/**
 * The fixture: a real tailnet's answers (users, devices with fields=all,
 * keys, the policy file), shaped after the API notes' examples (d.3). Key
 * ids are unique across a server's tailnets (credentials are found by key
 * id), so each test gives the fixture's keys ids of its own.
 */
async function fixture(): Promise<ImportBundle> {
  const files = await Promise.all(["users.json", "devices.json", "keys.json", "policy.hujson"].map(async (name) => ({ name, text: await readFile(new URL(name, FIXTURE), "utf8") })));
  const b = bundleFromFiles(files);
  const suffix = randomBytes(3).toString("hex");
  b.keys = (b.keys as { id: string }[]).map((k) => ({ ...k, id: `${k.id}${suffix}` }));
  return b;
}

/** The requests the official Go client sends (notes section g): Basic auth, Accept on bodiless requests, compact JSON. */
function go(t: TestApp, apiKey: string, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {
    "User-Agent": "tailscale-client-go",
    "Accept-Encoding": "gzip",
    Authorization: `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}`,
  };
  if (body === undefined) headers.Accept = "application/json";
  else headers["Content-Type"] = "application/json";
  return t.app.fetch(new Request(`http://tailapi.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
}

async function imported(): Promise<{ t: SeededTailnet; a: TestApp; bundle: ImportBundle }> {
  const t = await seedTailnet(new Date(), { policy: false });
  const a = makeApp();
  const bundle = await fixture();
  const r = await call(a.app, "POST", "/api/v2/tailnet/-/import", { key: t.apiKey, body: bundle });
  expect(r.status, r.text).toBe(200);
  expect(r.body).toEqual({ users: 4, devices: 3, keys: 2, policy: true });
  return { t, a, bundle };
}

describe("a stand-in seeded from a real tailnet", () => {
  it("answers the Go client's reads with the real tailnet's devices, field for field", async () => {
    const { t, a, bundle } = await imported();
    const original = (bundle.devices as Record<string, any>[])[0]!;
    for (const path of ["/api/v2/device/50053?fields=all", "/api/v2/device/nTESTJ31CNTRL?fields=all"]) {
      const r = await go(a, t.apiKey, "GET", path);
      expect(r.status, path).toBe(200);
      const { postureAttributes, ...d }: any = await r.json();
      // Every field as the real API gave it (the device was seen 2024-06-01, so it reads as offline with that lastSeen);
      // the node: posture attributes follow from its OS and version.
      expect(d).toEqual(original);
      expect(postureAttributes.attributes).toMatchObject({ "node:os": "linux", "node:tsVersion": "1.66.4" });
    }
    const plain: any = await (await go(a, t.apiKey, "GET", "/api/v2/device/50053")).json();
    expect(plain).not.toHaveProperty("clientConnectivity");
    expect(plain).toMatchObject({ name: "foo.tail1234.ts.net", user: "foo@example.com", addresses: original.addresses, created: "2024-03-05T17:10:27Z" });

    const list: any = await (await go(a, t.apiKey, "GET", "/api/v2/tailnet/-/devices")).json();
    expect(list.devices.map((d: any) => d.id).sort()).toEqual(["50053", "50054", "50055"]);
    const db1 = list.devices.find((d: any) => d.id === "50054");
    expect(db1).toMatchObject({ expires: "0001-01-01T00:00:00Z", keyExpiryDisabled: true, tags: ["tag:prod", "tag:server"], user: "services@example.com" });
    const filtered: any = await (await go(a, t.apiKey, "GET", "/api/v2/tailnet/-/devices?tags=tag%3Aprod&tags=tag%3Aserver")).json();
    expect(filtered.devices.map((d: any) => d.nodeId)).toEqual(["nDBONE7CNTRL"]);
    const routes: any = await (await go(a, t.apiKey, "GET", "/api/v2/device/50054/routes")).json();
    expect(routes).toEqual({ advertisedRoutes: ["10.0.0.0/24", "10.1.0.0/24"], enabledRoutes: ["10.0.0.0/24"] });

    // Users, keys and the policy file read as imported.
    const users = await call(a.app, "GET", "/api/v2/tailnet/-/users?type=all", { key: t.apiKey });
    const foo = users.body.users.find((u: any) => u.loginName === "foo@example.com");
    expect(foo).toMatchObject({ id: "23112021", role: "owner", displayName: "Foo Bar", created: "2023-11-02T09:15:44Z", deviceCount: 1 });
    expect(users.body.users.find((u: any) => u.loginName === "amelie@example.com").status).toBe("suspended");
    expect(users.body.users.find((u: any) => u.loginName === "guest@partner.example").type).toBe("shared");
    const keyId = (bundle.keys as { id: string }[])[0]!.id;
    const key = await call(a.app, "GET", `/api/v2/tailnet/-/keys/${keyId}`, { key: t.apiKey });
    expect(key.body).toMatchObject({ id: keyId, keyType: "auth", description: "ci runners", userId: "23112021", created: "2024-05-01T10:00:00Z" });
    const policy = await call(a.app, "GET", "/api/v2/tailnet/-/acl", { key: t.apiKey, headers: { accept: "application/hujson" } });
    expect(policy.text).toBe(bundle.policy);
  });

  it("then takes the Go client's writes as on the real tailnet", async () => {
    const { t, a } = await imported();
    const ok = async (method: string, path: string, body?: unknown) => {
      const r = await go(a, t.apiKey, method, path, body);
      expect(r.status, `${method} ${path}: ${await r.clone().text()}`).toBe(200);
      return r;
    };
    await ok("POST", "/api/v2/device/50054/routes", { routes: ["10.0.0.0/24", "10.1.0.0/24"] });
    await ok("POST", "/api/v2/device/50055/authorized", { authorized: true });
    await ok("POST", "/api/v2/device/50053/tags", { tags: ["tag:server"] });
    await ok("POST", "/api/v2/device/50053/key", { keyExpiryDisabled: true });
    await ok("POST", "/api/v2/device/50053/ip", { ipv4: "100.64.0.42" });
    await ok("POST", "/api/v2/device/50053/name", { name: "renamed-host" });
    await ok("POST", "/api/v2/device/50053/attributes/custom:tier", { value: "gold", expiry: "2030-01-02T03:04:05Z", comment: "probe" });
    await ok("POST", "/api/v2/device/50053/attributes/custom:score", { value: 42, expiry: "0001-01-01T00:00:00Z", comment: "" });
    const d: any = await (await ok("GET", "/api/v2/device/50053?fields=all")).json();
    expect(d).toMatchObject({ name: "renamed-host.tail1234.ts.net", tags: ["tag:server"], keyExpiryDisabled: true, addresses: ["100.64.0.42", "fd7a:115c:a1e0:ab12:4843:cd96:6265:e618"] });
    const attrs: any = await (await ok("GET", "/api/v2/device/50053/attributes")).json();
    expect(attrs.attributes).toMatchObject({ "custom:tier": "gold", "custom:score": 42 });
    const key: any = await (
      await ok("POST", "/api/v2/tailnet/-/keys", {
        capabilities: { devices: { create: { reusable: true, ephemeral: false, tags: ["tag:prod"], preauthorized: true } } },
        expirySeconds: 86400,
        description: "probe key",
      })
    ).json();
    expect(key.key).toMatch(/^tskey-auth-/);
    await ok("DELETE", "/api/v2/device/50055");
    for (const method of ["GET", "DELETE"]) {
      const r = await go(a, t.apiKey, method, "/api/v2/device/notfound");
      expect(r.status).toBe(404);
      expect(await r.json()).toEqual({ message: "not found" });
    }
    // The imported policy's tags and tests hold: tag:prod is the engineers' to give, which the owner is.
    expect((await call(a.app, "GET", "/api/v2/tailnet/-/devices?tags=tag:prod", { key: t.apiKey })).body.devices).toHaveLength(1);
  });

  it("conflicts are a clear error, and nothing is half-imported", async () => {
    const { t, a, bundle } = await imported();
    const before = await call(a.app, "GET", "/api/v2/tailnet/-/users?type=all", { key: t.apiKey });
    const again = { ...bundle, users: [{ id: "99999999", loginName: "new@example.com" }], keys: [] };
    const r = await call(a.app, "POST", "/api/v2/tailnet/-/import", { key: t.apiKey, body: again });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ message: "device 50053 (foo.tail1234.ts.net): its id 50053 is taken by another device of the tailnet" });
    expect((await call(a.app, "GET", "/api/v2/tailnet/-/users?type=all", { key: t.apiKey })).body).toEqual(before.body);
    const address = await call(a.app, "POST", "/api/v2/tailnet/-/import", {
      key: t.apiKey,
      body: { devices: [{ ...(bundle.devices as object[])[0]!, id: "70000", nodeId: "nOTHERCNTRL", name: "other.tail1234.ts.net", machineKey: "" }] },
    });
    expect(address.status).toBe(409);
    expect(address.body.message).toMatch(/its address 100\.121\.200\.21 is taken/);
    const keyAgain = await call(a.app, "POST", "/api/v2/tailnet/-/import", { key: t.apiKey, body: { keys: bundle.keys } });
    expect(keyAgain.status).toBe(409);
    expect(keyAgain.body.message).toMatch(/the id is taken/);
  });

  it.each([
    [{ users: [{ id: "x", loginName: "a" }] }, /^users\[0\] \(id x\): id must be a numeric id$/],
    [{ devices: [{ id: "1", nodeId: "n1", name: "a.b", hostname: "a", user: "nobody@example.com" }] }, /belongs to user "nobody@example.com", who is neither/],
    [{ devices: [{ id: "1", nodeId: "n1", name: "a.b", hostname: "a", tags: ["tag:x"], addresses: ["banana"] }] }, /"banana" is not an IP address/],
    [{ policy: `{"acls": [{"action": "drop"}]}` }, /^invalid policy: acls\[0\]\.action/],
    [{ policy: `{"acls": [], "tests": [{"src": "a@b.c", "accept": ["10.0.0.1:22"]}]}` }, /^test\(s\) failed$/],
    [{ nonsense: [] }, /nonsense/],
  ])("refuses %j with a 400, importing nothing", async (body, message) => {
    const t = await seedTailnet(new Date(), { policy: false });
    const a = makeApp();
    const r = await call(a.app, "POST", "/api/v2/tailnet/-/import", { key: t.apiKey, body });
    expect(r.status, r.text).toBe(400);
    expect(r.body.message).toMatch(message);
    expect((await call(a.app, "GET", "/api/v2/tailnet/-/users?type=all", { key: t.apiKey })).body.users).toHaveLength(1);
  });

  it("export (the API's own answers) imports back into a fresh tailnet as it was", async () => {
    const { t, a } = await imported();
    const exportOf = async (key: string) => ({
      users: (await call(a.app, "GET", "/api/v2/tailnet/-/users?type=all", { key })).body.users,
      devices: (await call(a.app, "GET", "/api/v2/tailnet/-/devices?fields=all", { key })).body.devices,
      keys: (await call(a.app, "GET", "/api/v2/tailnet/-/keys?all=true", { key })).body.keys,
      policy: (await call(a.app, "GET", "/api/v2/tailnet/-/acl", { key, headers: { accept: "application/hujson" } })).text,
    });
    const first = await exportOf(t.apiKey);
    const t2 = await seedTailnet(new Date(), { policy: false });
    const suffix = randomBytes(3).toString("hex");
    // The source tailnet's own owner is not the real tailnet's: leave it out, as its key ids (unique per server).
    const owner = (u: { loginName: string }) => u.loginName === t.owner.loginName;
    const bundle = { ...first, users: first.users.filter((u: any) => !owner(u)), keys: first.keys.filter((k: any) => k.userId !== t.owner.userId).map((k: any) => ({ ...k, id: `${k.id}${suffix}` })) };
    const r = await call(a.app, "POST", "/api/v2/tailnet/-/import", { key: t2.apiKey, body: bundle });
    expect(r.status, r.text).toBe(200);
    const second = await exportOf(t2.apiKey);
    const norm = (x: any[]) => x.filter((u) => u.loginName !== t2.owner.loginName).map(({ tailnetId: _t, ...u }) => u);
    expect(norm(second.users)).toEqual(norm(bundle.users));
    expect(second.devices).toEqual(first.devices);
    expect(second.policy).toBe(first.policy);
    const notOwners = (k: any) => k.userId !== t2.owner.userId;
    expect(second.keys.filter(notOwners).map(({ id: _i, ...k }: any) => k)).toEqual(bundle.keys.map(({ id: _i, ...k }: any) => k));
  });

  it("takes the all scope", async () => {
    const t = await seedTailnet(new Date(), { policy: false });
    const a = makeApp();
    const member = await call(a.app, "POST", "/api/v2/tailnet/-/users", { key: t.apiKey, body: { loginName: "m" } });
    expect(member.status).toBe(200);
    const { createApiKey } = await import("../../src/domain/keys.js");
    const { operatorOf } = await import("../../src/domain/tailnets.js");
    const { testDeps } = await import("../helpers.js");
    const d = testDeps();
    const memberKey = (await createApiKey(d, await operatorOf(d, t.tailnet.name), { userLogin: "m", expirySeconds: 3600, description: "" })).secret;
    const r = await call(a.app, "POST", "/api/v2/tailnet/-/import", { key: memberKey, body: { users: [] } });
    expect(r.status).toBe(403);
  });
});
