import { describe, expect, it } from "vitest";
import { createTailnetWithKey } from "../../src/domain/tailnets.js";
import { makeApp, registerDevice, setupTailnet, testDeps, uniqueName } from "../helpers.js";

/** The legacy v1 client sends the same requests with bodies pretty-printed by json.MarshalIndent (one-space indent). */
function v1Request(method: string, path: string, apiKey: string, body?: unknown): Request {
  const headers: Record<string, string> = {
    "User-Agent": "tailscale-client-go",
    Authorization: `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}`,
  };
  if (body === undefined) headers.Accept = "application/json";
  else headers["Content-Type"] = "application/json";
  return new Request(`http://tailapi.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body, null, 1) });
}

/**
 * The requests the official Go client (tailscale.com/client/tailscale/v2, the
 * one Terraform uses) sends, byte for byte as captured in the API notes,
 * section (g): Basic auth with the key as username, `Accept: application/json`
 * and no Content-Type on bodiless requests, compact JSON bodies otherwise,
 * PathEscaped segments.
 */
function goRequest(method: string, path: string, apiKey: string, body?: unknown): Request {
  const headers: Record<string, string> = {
    "User-Agent": "tailscale-client-go",
    "Accept-Encoding": "gzip",
    Authorization: `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}`,
  };
  if (body === undefined) headers.Accept = "application/json";
  else headers["Content-Type"] = "application/json";
  return new Request(`http://tailapi.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

describe("the Go client's requests (notes section g)", () => {
  it("device reads, list with filters, key creation and delete behave as the client expects", async () => {
    const s = await setupTailnet();
    const prod = await s.app.fetch(
      goRequest("POST", "/api/v2/tailnet/-/keys", s.apiKey, {
        capabilities: { devices: { create: { reusable: true, ephemeral: false, tags: ["tag:prod"], preauthorized: true } } },
        expirySeconds: 86400,
        description: "probe key",
      }),
    );
    expect(prod.status).toBe(200);
    const key: any = await prod.json();
    // The client decodes Key.created/expires as time.Time and expirySeconds as a number: no "" dates, no revoked field.
    expect(typeof key.expirySeconds).toBe("number");
    expect(key.revoked).toBeUndefined();
    expect(key.keyType).toBe("auth");

    const { device } = await registerDevice(s.app, key.key, { hostname: "server" });
    const plain = (await registerDevice(s.app, s.authKey, { hostname: "laptop" })).device;

    for (const path of [`/api/v2/device/${device.id}`, `/api/v2/device/${device.nodeId}`, `/api/v2/device/${device.id}?fields=all`]) {
      const r = await s.app.fetch(goRequest("GET", path, s.apiKey));
      expect(r.status, path).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
      const d: any = await r.json();
      // Terraform computes the canonical id from these two.
      expect(d.id).toBe(device.id);
      expect(d.nodeId).toBe(device.nodeId);
    }

    const list = await s.app.fetch(goRequest("GET", "/api/v2/tailnet/-/devices", s.apiKey));
    expect(((await list.json()) as any).devices).toHaveLength(2);
    const all = await s.app.fetch(goRequest("GET", "/api/v2/tailnet/-/devices?fields=all", s.apiKey));
    expect(((await all.json()) as any).devices.every((d: any) => Array.isArray(d.advertisedRoutes))).toBe(true);
    const filtered = await s.app.fetch(goRequest("GET", "/api/v2/tailnet/-/devices?tags=tag%3Aprod&tags=tag%3Aserver", s.apiKey));
    expect(((await filtered.json()) as any).devices).toEqual([]);
    const prodOnly = await s.app.fetch(goRequest("GET", "/api/v2/tailnet/-/devices?tags=tag%3Aprod", s.apiKey));
    expect(((await prodOnly.json()) as any).devices.map((d: any) => d.nodeId)).toEqual([device.nodeId]);
    // Terraform's data source: ?name=<fqdn> and ?hostname=<short>, taking devices[0].
    const byName = await s.app.fetch(goRequest("GET", `/api/v2/tailnet/-/devices?name=${encodeURIComponent(plain.name)}`, s.apiKey));
    expect(((await byName.json()) as any).devices[0].nodeId).toBe(plain.nodeId);

    const del = await s.app.fetch(goRequest("DELETE", `/api/v2/device/${device.id}`, s.apiKey));
    expect(del.status).toBe(200);
    for (const method of ["GET", "DELETE"]) {
      const nf = await s.app.fetch(goRequest(method, "/api/v2/device/notfound", s.apiKey));
      expect(nf.status).toBe(404);
      // IsNotFound() needs a JSON body with a message.
      expect(await nf.json()).toEqual({ message: "not found" });
    }
  });

  it("a path-escaped tailnet name (user@example.com) works", async () => {
    const name = `${uniqueName("alice").replace(".test", "")}@example.com`;
    const t = await createTailnetWithKey(testDeps(), name);
    const { app } = makeApp();
    const r = await app.fetch(goRequest("GET", `/api/v2/tailnet/${encodeURIComponent(name)}/devices`, t.apiKey));
    expect(r.status).toBe(200);
    expect(t.owner.loginName).toBe(name);
  });

  /** Notes (g): every device call the client makes, in both clients' encodings, then the same on an unknown id. */
  for (const [client, build] of [["v2", goRequest], ["v1", v1Request]] as const) {
    it(`${client}: the device management calls (SetSubnetRoutes, SubnetRoutes, SetAuthorized, SetTags, SetKey, SetIPv4Address, SetName, Expire) and Terraform's deletes`, async () => {
      const s = await setupTailnet();
      const { device } = await registerDevice(s.app, s.authKey, { hostname: "probe", advertiseRoutes: ["10.0.0.0/24"] });
      const id = device.id;
      const send = async (method: string, path: string, body?: unknown) => {
        const r = await s.app.fetch(build(method, path, s.apiKey, body));
        const text = await r.text();
        return { status: r.status, type: r.headers.get("content-type") ?? "", body: text ? JSON.parse(text) : undefined };
      };
      const calls: [string, string, unknown, number][] = [
        ["POST", `/api/v2/device/${id}/routes`, { routes: ["10.0.0.0/24", "0.0.0.0/0", "::/0"] }, 200],
        ["POST", `/api/v2/device/${id}/authorized`, { authorized: true }, 200],
        ["POST", `/api/v2/device/${id}/tags`, { tags: ["tag:prod", "tag:server"] }, 200],
        ["POST", `/api/v2/device/${id}/key`, { keyExpiryDisabled: true }, 200],
        ["POST", `/api/v2/device/${id}/ip`, { ipv4: "100.64.0.42" }, 200],
        ["POST", `/api/v2/device/${id}/name`, { name: "renamed-host" }, 200],
      ];
      for (const [method, path, body, status] of calls) {
        const r = await send(method, path, body);
        expect(r.status, `${method} ${path}`).toBe(status);
      }
      // SubnetRoutes decodes {"advertisedRoutes":[],"enabledRoutes":[]}.
      expect((await send("GET", `/api/v2/device/${id}/routes`)).body).toEqual({ advertisedRoutes: ["10.0.0.0/24"], enabledRoutes: ["10.0.0.0/24", "0.0.0.0/0", "::/0"] });
      const d = (await send("GET", `/api/v2/device/${id}?fields=all`)).body;
      expect(d).toMatchObject({ tags: ["tag:prod", "tag:server"], keyExpiryDisabled: true, addresses: ["100.64.0.42", device.addresses[1]] });
      expect(d.name).toMatch(/^renamed-host\./);
      // SetSubnetRoutes with an empty list, SetTags with a nil slice (`null`), and Terraform's destroys.
      for (const [path, body] of [
        [`/api/v2/device/${id}/routes`, { routes: [] }],
        [`/api/v2/device/${id}/routes`, { routes: null }],
        [`/api/v2/device/${id}/tags`, { tags: null }],
        [`/api/v2/device/${id}/tags`, { tags: [] }],
        [`/api/v2/device/${id}/key`, { keyExpiryDisabled: false }],
      ] as const) {
        expect((await send("POST", path, body)).status, `${path} ${JSON.stringify(body)}`).toBe(200);
      }
      const after = (await send("GET", `/api/v2/device/${id}?fields=all`)).body;
      expect(after.enabledRoutes).toEqual([]);
      expect(after.tags).toBeUndefined();
      expect(after.keyExpiryDisabled).toBe(false);
      expect((await send("POST", `/api/v2/device/${id}/expire`)).status).toBe(200);
      // Terraform's tailscale_acl delete: POST with an empty body resets the policy.
      const reset = await s.app.fetch(
        new Request("http://tailapi.test/api/v2/tailnet/-/acl", { method: "POST", headers: { Authorization: `Basic ${Buffer.from(`${s.apiKey}:`).toString("base64")}`, "Content-Type": "application/hujson" }, body: "" }),
      );
      expect(reset.status).toBe(200);
      // Every one of these on an unknown device: a JSON 404, so IsNotFound() works.
      for (const [method, path, body] of calls) {
        const r = await send(method, path.replace(id, "nNOTFOUNDXCNTRL"), body);
        expect(r.status, path).toBe(404);
        expect(r.type).toMatch(/^application\/json/);
        expect(r.body).toEqual({ message: "not found" });
      }
      expect((await send("GET", "/api/v2/device/nNOTFOUNDXCNTRL/routes")).status).toBe(404);
    });
  }

  it("posture attributes: GetPostureAttributes, SetPostureAttribute with and without an expiry, DeletePostureAttribute", async () => {
    const s = await setupTailnet();
    const { device } = await registerDevice(s.app, s.authKey, { hostname: "probe" });
    const send = async (method: string, path: string, body?: unknown) => {
      const r = await s.app.fetch(goRequest(method, path, s.apiKey, body));
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined };
    };
    // Exactly the notes' capture: the key raw in the path, expiry always sent, Go's zero time when unset, comment "".
    expect((await send("POST", `/api/v2/device/${device.id}/attributes/custom:tier`, { value: "gold", expiry: "2030-01-02T03:04:05Z", comment: "probe" })).status).toBe(200);
    expect((await send("POST", `/api/v2/device/${device.id}/attributes/custom:score`, { value: 42, expiry: "0001-01-01T00:00:00Z", comment: "" })).status).toBe(200);
    const got = await send("GET", `/api/v2/device/${device.id}/attributes`);
    expect(got.status).toBe(200);
    expect(got.body.attributes).toMatchObject({ "custom:tier": "gold", "custom:score": 42 });
    // The client decodes expiries as times: only real ones, never a year-1 one.
    expect(got.body.expiries).toEqual({ "custom:tier": "2030-01-02T03:04:05Z" });
    expect((await send("DELETE", `/api/v2/device/${device.id}/attributes/custom:tier`)).status).toBe(200);
    expect((await send("GET", `/api/v2/device/${device.id}/attributes`)).body.attributes["custom:tier"]).toBeUndefined();
    const nf = await send("GET", "/api/v2/device/nNOTFOUNDXCNTRL/attributes");
    expect(nf).toEqual({ status: 404, body: { message: "not found" } });
  });
});

describe("the Go client's DNS, settings, contacts and webhook calls (tailscale.com/client/tailscale/v2)", () => {
  const go = async (s: { app: { fetch(r: Request): Response | Promise<Response> } ; apiKey: string }, method: string, path: string, body?: unknown) => {
    const r = await s.app.fetch(goRequest(method, path, s.apiKey, body));
    const text = await r.text();
    return { status: r.status, text, json: text ? JSON.parse(text) : undefined };
  };

  it("DNS: nameservers, preferences, search paths, split DNS and the alpha configuration", async () => {
    const s = await setupTailnet();
    // SetNameservers / Nameservers: {"dns":[…]} both ways; the client reads resp["dns"].
    expect((await go(s, "POST", "/api/v2/tailnet/-/dns/nameservers", { dns: ["8.8.8.8", "1.1.1.1"] })).status).toBe(200);
    expect((await go(s, "GET", "/api/v2/tailnet/-/dns/nameservers")).json.dns).toEqual(["8.8.8.8", "1.1.1.1"]);
    // SetPreferences / Preferences: DNSPreferences{magicDNS}.
    expect((await go(s, "POST", "/api/v2/tailnet/-/dns/preferences", { magicDNS: true })).status).toBe(200);
    expect((await go(s, "GET", "/api/v2/tailnet/-/dns/preferences")).json).toEqual({ magicDNS: true });
    // SetSearchPaths with a nil slice sends null.
    expect((await go(s, "POST", "/api/v2/tailnet/-/dns/searchpaths", { searchPaths: ["corp.example.com"] })).status).toBe(200);
    expect((await go(s, "GET", "/api/v2/tailnet/-/dns/searchpaths")).json.searchPaths).toEqual(["corp.example.com"]);
    expect((await go(s, "POST", "/api/v2/tailnet/-/dns/searchpaths", { searchPaths: null })).status).toBe(200);
    // UpdateSplitDNS (PATCH, a nil slice unsets), SetSplitDNS (PUT), SplitDNS.
    expect((await go(s, "PATCH", "/api/v2/tailnet/-/dns/split-dns", { "a.example.com": ["10.0.0.1"], "b.example.com": ["10.0.0.2"] })).json).toEqual({
      "a.example.com": ["10.0.0.1"],
      "b.example.com": ["10.0.0.2"],
    });
    expect((await go(s, "PATCH", "/api/v2/tailnet/-/dns/split-dns", { "a.example.com": null })).json).toEqual({ "b.example.com": ["10.0.0.2"] });
    expect((await go(s, "PUT", "/api/v2/tailnet/-/dns/split-dns", {})).status).toBe(200);
    expect((await go(s, "GET", "/api/v2/tailnet/-/dns/split-dns")).json).toEqual({});
    // SetConfiguration: omitempty fields, and "preferences" always present (omitempty does nothing for structs).
    const cfg = { nameservers: [{ address: "9.9.9.9", useWithExitNode: true }], splitDNS: { "c.example.com": [{ address: "10.0.0.3" }] }, preferences: { magicDNS: true } };
    expect((await go(s, "POST", "/api/v2/tailnet/-/dns/configuration", cfg)).status).toBe(200);
    expect((await go(s, "GET", "/api/v2/tailnet/-/dns/configuration")).json).toEqual(cfg);
  });

  it("tailnet settings: Get decodes every field; Update sends null for its unset ACL pointers", async () => {
    const s = await setupTailnet();
    const up = await go(s, "PATCH", "/api/v2/tailnet/-/settings", { aclsExternallyManagedOn: null, aclsExternalLink: null, devicesApprovalOn: false, devicesKeyDurationDays: 30, routeSelection: "regional-routing-failover" });
    expect(up.status, up.text).toBe(200);
    const got = (await go(s, "GET", "/api/v2/tailnet/-/settings")).json;
    expect(got).toMatchObject({ aclsExternallyManagedOn: false, aclsExternalLink: "", devicesApprovalOn: false, devicesKeyDurationDays: 30, regionalRoutingOn: true, routeSelection: "regional-routing-failover" });
    for (const [k, t] of Object.entries({ devicesAutoUpdatesOn: "boolean", usersApprovalOn: "boolean", usersRoleAllowedToJoinExternalTailnets: "string", networkFlowLoggingOn: "boolean", postureIdentityCollectionOn: "boolean", httpsEnabled: "boolean" })) {
      expect(typeof got[k], k).toBe(t);
    }
  });

  it("contacts: Get decodes the three contacts; Update sends {email}", async () => {
    const s = await setupTailnet();
    expect((await go(s, "PATCH", "/api/v2/tailnet/-/contacts/support", { email: "support@example.com" })).status).toBe(200);
    const c = (await go(s, "GET", "/api/v2/tailnet/-/contacts")).json;
    expect(c.support).toEqual({ email: "support@example.com", fallbackEmail: s.owner.loginName, needsVerification: true });
    expect(Object.keys(c).sort()).toEqual(["account", "security", "support"]);
  });

  it("webhooks: Create (providerType \"\" always sent), List, Get, Update, Test, RotateSecret, Delete", async () => {
    const s = await setupTailnet();
    const made = await go(s, "POST", "/api/v2/tailnet/-/webhooks", { endpointUrl: "https://hooks.example.com/go", providerType: "", subscriptions: ["nodeCreated", "categoryTailnetManagement"] });
    expect(made.status, made.text).toBe(200);
    const id = made.json.endpointId;
    // created and lastModified are time.Time: RFC 3339; secret only here and on rotation.
    expect(Number.isNaN(Date.parse(made.json.created))).toBe(false);
    expect(made.json.secret).toMatch(/^tskey-webhook-/);
    expect((await go(s, "GET", "/api/v2/tailnet/-/webhooks")).json.webhooks.map((w: any) => w.endpointId)).toEqual([id]);
    expect((await go(s, "GET", `/api/v2/webhooks/${id}`)).json.secret).toBeUndefined();
    expect((await go(s, "PATCH", `/api/v2/webhooks/${id}`, { subscriptions: ["nodeDeleted"] })).json.subscriptions).toEqual(["nodeDeleted"]);
    const test = await go(s, "POST", `/api/v2/webhooks/${id}/test`);
    expect(test.status).toBe(202);
    const rotated = await go(s, "POST", `/api/v2/webhooks/${id}/rotate`);
    expect(rotated.json.secret).toMatch(/^tskey-webhook-/);
    expect(rotated.json.secret).not.toBe(made.json.secret);
    expect((await go(s, "DELETE", `/api/v2/webhooks/${id}`)).status).toBe(200);
    const gone = await go(s, "GET", `/api/v2/webhooks/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({ message: "not found" });
  });
});
