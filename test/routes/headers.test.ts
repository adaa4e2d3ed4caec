import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { call, makeApp, registerBody, setupTailnet, tokenFor, createOAuthClient } from "../helpers.js";

describe("response headers", () => {
  it("no framework banner; nosniff everywhere; no-store on everything of the API, above all on answers carrying secrets", async () => {
    const f = await setupTailnet();
    const client = await createOAuthClient(f.app, f.apiKey, ["devices:core:read"], []);
    const answers = [
      await call(f.app, "GET", "/api/v2/tailnet/-/devices", { key: f.apiKey }),
      await call(f.app, "POST", "/api/v2/tailnet/-/keys", { key: f.apiKey, body: {} }), // an auth key's secret
      await call(f.app, "POST", "/api/v2/tailnet/-/keys", { key: f.apiKey, body: { keyType: "client", scopes: ["dns:read"] } }), // a client secret
      await tokenFor(f.app, client), // an access token
      await call(f.app, "POST", "/machine/register", { body: registerBody(f.authKey) }), // a node token
      await call(f.app, "GET", "/api/v2/tailnet/-/devices"), // 401
      await call(f.app, "GET", "/api/v2/nope", { key: f.apiKey }), // 404
    ];
    expect(answers.slice(1, 5).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (const r of answers) {
      expect(r.headers.get("cache-control"), r.text).toBe("no-store");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("x-powered-by")).toBeNull();
      expect(r.headers.get("server")).toBeNull();
    }
  });

  it("the HTML reference page carries security headers", async () => {
    const { app } = makeApp();
    const r = await call(app, "GET", "/docs");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    expect(r.headers.get("referrer-policy")).toBe("no-referrer");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("CORS is closed unless origins are configured, and then open to those only", async () => {
    const f = await setupTailnet();
    const preflight = (origin: string) => ({ headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" } });
    const closed = await call(f.app, "OPTIONS", "/api/v2/tailnet/-/devices", preflight("https://app.example.com"));
    expect(closed.headers.get("access-control-allow-origin")).toBeNull();
    const simple = await call(f.app, "GET", "/api/v2/tailnet/-/devices", { key: f.apiKey, headers: { origin: "https://app.example.com" } });
    expect(simple.status).toBe(200);
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();

    const open = createApp(f.services, { corsOrigins: ["https://app.example.com"] });
    const ok = await call(open, "OPTIONS", "/api/v2/tailnet/-/devices", preflight("https://app.example.com"));
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/Authorization/i);
    const other = await call(open, "OPTIONS", "/api/v2/tailnet/-/devices", preflight("https://evil.example.net"));
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const get = await call(open, "GET", "/api/v2/tailnet/-/devices", { key: f.apiKey, headers: { origin: "https://app.example.com" } });
    expect(get.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(get.headers.get("access-control-allow-credentials")).toBeNull();
  });
});
