import { describe, expect, it } from "vitest";
import { DatabaseHealth, isConnectionError } from "../../src/db/health.js";
import type { Sql } from "../../src/db/sql.js";
import { call, makeApp, seedTailnet, testSql } from "../helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pool whose every statement fails as if PostgreSQL were gone, while `broken()` says so. */
function breakable(real: Sql): { sql: Sql; set(b: boolean): void } {
  let broken = false;
  const sql = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === "unsafe" || prop === "begin") {
        return (...args: unknown[]) => {
          if (broken) return Promise.reject(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }));
          return (Reflect.get(target, prop, receiver) as Function).apply(target, args);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  }) as Sql;
  return { sql, set: (b) => (broken = b) };
}

describe("the database is unavailable", () => {
  it("a connection error is a 503 with Retry-After, later requests fail at once, and a probe brings it back", async () => {
    const t = await seedTailnet();
    const db = breakable(testSql());
    const health = new DatabaseHealth(db.sql, { log: () => undefined, probeIntervalMs: 20 });
    const { app, services } = makeApp({ sql: db.sql, health });
    expect((await call(app, "GET", "/api/v2/tailnet/-/devices", { key: t.apiKey })).status).toBe(200);

    db.set(true);
    const first = await call(app, "GET", "/api/v2/tailnet/-/devices", { key: t.apiKey });
    expect(first.status).toBe(503);
    expect(first.body).toEqual({ message: "the database is unavailable; try again shortly" });
    expect(first.headers.get("retry-after")).toBe("1");
    expect(health.up).toBe(false);
    for (const path of ["/api/v2/tailnet/-/devices", "/api/v2/tailnet/-/keys", "/machine/register", "/api/v2/oauth/token"]) {
      const r = await call(app, path.includes("devices") || path.includes("keys") ? "GET" : "POST", path, { key: t.apiKey, body: path.includes("machine") ? {} : undefined });
      expect(r.status, path).toBe(503);
    }
    expect((await call(app, "GET", "/healthz")).status).toBe(200);
    expect((await call(app, "GET", "/readyz")).status).toBe(503);
    expect((await call(app, "GET", "/api/v2/openapi.json")).status).toBe(200);
    // The 503 carries the headers of every API answer, and CORS's when it is on (a browser app can read it).
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.headers.get("x-request-id")).toBeTruthy();
    const { createApp } = await import("../../src/app.js");
    const cors = createApp(services, { corsOrigins: ["https://app.example.com"] });
    const fromBrowser = await call(cors, "GET", "/api/v2/tailnet/-/devices", { key: t.apiKey, headers: { origin: "https://app.example.com" } });
    expect(fromBrowser.status).toBe(503);
    expect(fromBrowser.headers.get("access-control-allow-origin")).toBe("https://app.example.com");

    db.set(false);
    await sleep(100);
    expect(health.up).toBe(true);
    expect((await call(app, "GET", "/readyz")).body).toEqual({ ok: true, database: "ok" });
    expect((await call(app, "GET", "/api/v2/tailnet/-/devices", { key: t.apiKey })).status).toBe(200);
    health.close();
  });

  it("beyond the most requests that may wait on the database, 503 at once", async () => {
    const t = await seedTailnet();
    const health = new DatabaseHealth(testSql(), { log: () => undefined, maxInFlight: 2 });
    const { app } = makeApp({ health });
    health.inFlight = 2; // two requests already waiting
    const r = await call(app, "GET", "/api/v2/tailnet/-/devices", { key: t.apiKey });
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ message: "the server is busy; try again shortly" });
    health.inFlight = 1;
    expect((await call(app, "GET", "/api/v2/tailnet/-/devices", { key: t.apiKey })).status).toBe(200);
    expect(health.inFlight).toBe(1);
  });

  it("knows connection errors from query errors", () => {
    for (const code of ["ECONNREFUSED", "CONNECTION_CLOSED", "CONNECT_TIMEOUT", "57P01", "08006"]) expect(isConnectionError({ code })).toBe(true);
    for (const code of ["23505", "22021", "42P01", undefined]) expect(isConnectionError({ code })).toBe(false);
    expect(isConnectionError(Object.assign(new Error("x"), { errors: [{ code: "ECONNREFUSED" }, { code: "ECONNREFUSED" }] }))).toBe(true);
  });
});
