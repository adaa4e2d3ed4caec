import { describe, expect, it } from "vitest";
import { createTailnetWithKey } from "../../src/domain/tailnets.js";
import { makeApp, registerDevice, setupTailnet, testDeps, uniqueName } from "../helpers.js";

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
});
