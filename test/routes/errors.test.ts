import { describe, expect, it } from "vitest";
import type { Sql } from "../../src/db/sql.js";
import { call, makeApp, seedTailnet, testSql } from "../helpers.js";

describe("error shape", () => {
  it("unknown paths are 404 JSON, with a request id header", async () => {
    const { app } = makeApp();
    for (const path of ["/", "/api/v2/nope", "/api/v2/device", "/api/v3/device/x"]) {
      const r = await call(app, "GET", path);
      expect(r.status, path).toBe(404);
      expect(r.body).toEqual({ message: "not found" });
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
      expect(r.headers.get("x-request-id")).toBeTruthy();
    }
  });

  it("a wrong method is 405 JSON with Allow", async () => {
    const { app } = makeApp();
    const r = await call(app, "PUT", "/api/v2/device/n123CNTRL");
    expect(r.status).toBe(405);
    expect(r.body).toEqual({ message: "method not allowed" });
    expect(r.headers.get("allow")).toMatch(/GET/);
    expect(r.headers.get("allow")).toMatch(/DELETE/);
  });

  it("malformed JSON is 400 JSON", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const r = await call(app, "POST", "/api/v2/tailnet/-/keys", { key: t.apiKey, rawBody: "{not json", headers: { "content-type": "application/json" } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: "invalid JSON in request body" });
  });

  it("validation failures name the field", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const r = await call(app, "POST", "/api/v2/tailnet/-/keys", { key: t.apiKey, body: { capabilities: { devices: { create: { ephemeral: 1 } } } } });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^invalid capabilities\.devices\.create\.ephemeral: /);
    expect(Object.keys(r.body)).toEqual(["message"]);
  });

  it("JSON without a content type (or curl's form type) is read as JSON", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    for (const headers of [{}, { "content-type": "application/x-www-form-urlencoded" }] as Record<string, string>[]) {
      const r = await call(app, "POST", "/api/v2/tailnet/-/keys", { key: t.apiKey, rawBody: '{"description":"plain"}', headers });
      expect(r.status).toBe(200);
      expect(r.body.description).toBe("plain");
    }
  });

  it("a body over 1 MiB is 413 JSON", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const big = JSON.stringify({ description: "x".repeat(1024 * 1024 + 10) });
    const r = await call(app, "POST", "/api/v2/tailnet/-/keys", { key: t.apiKey, rawBody: big, headers: { "content-type": "application/json" } });
    expect(r.status).toBe(413);
    expect(r.body.message).toMatch(/too large/);
  });

  it("an unexpected failure is a 500 with no internals, logged with the request id", async () => {
    const t = await seedTailnet();
    const logged: unknown[] = [];
    const pino = (await import("pino")).default;
    const logger = pino({ level: "error" }, { write: (line: string) => logged.push(JSON.parse(line)) });
    // A database that fails every query after authentication succeeded.
    const real = testSql();
    const failing = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === "unsafe") {
          return (text: string, ...rest: unknown[]) => {
            if (text.includes("FROM devices d")) throw new Error("connection reset: secret internals");
            return (target.unsafe as Function).call(target, text, ...rest);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    }) as Sql;
    const { app } = makeApp({ sql: failing, logger });
    const r = await call(app, "GET", "/api/v2/tailnet/-/devices", { key: t.apiKey });
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ message: "internal server error" });
    expect(r.text).not.toMatch(/secret internals/);
    const id = r.headers.get("x-request-id");
    expect(logged.some((l: any) => l.reqId === id && /secret internals/.test(JSON.stringify(l)))).toBe(true);
  });
});

describe("messages a new user reads", () => {
  it.each([
    ["GET", "/api/v2/tailnet/-/devices?fields=id,name", undefined, 'invalid fields: must be "default" or "all"'],
    ["POST", "/api/v2/tailnet/-/keys", { expirySeconds: 1e300 }, "invalid expirySeconds: must be at most 7776000 (90 days)"],
    ["POST", "/api/v2/tailnet/-/keys", { expirySeconds: 1.5 }, "invalid expirySeconds: must be a whole number of seconds"],
    ["POST", "/api/v2/tailnet/-/keys", { description: "x".repeat(51) }, "invalid description: must be at most 50 characters"],
    ["POST", "/machine/register", { authKey: "tskey-auth-x", nodeKey: `nodekey:${"0".repeat(64)}`, machineKey: `mkey:${"0".repeat(64)}` }, "hostname is required"],
  ])("%s %s %j → %s", async (method, path, body, message) => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const r = await call(app, method, path, { key: t.apiKey, body });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message });
  });
});
