import { OpenAPIHono } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import type { Actor } from "../../src/domain/actor.js";
import { normalize } from "../../src/auth/scopes.js";
import type { AppEnv } from "../../src/http/context.js";
import { validationHook } from "../../src/http/errors.js";
import { newRouter } from "../../src/routes/define.js";
import { route as getDevice } from "../../src/routes/devices/get.js";
import { route as listDevices } from "../../src/routes/devices/list.js";
import { route as setName } from "../../src/routes/devices/name.js";
import { accessToken, call, makeApp, seedTailnet } from "../helpers.js";

/**
 * `defineRoute` routes validate their query and path parameters inside the
 * auth middleware (one layer instead of one validator middleware each: see
 * `requireScope`). These tests hold that layer to what @hono/zod-openapi's own
 * validators answer for the very same route definitions.
 */
const actor: Actor = {
  tailnetId: "t",
  tailnetName: "example.com",
  kind: "api",
  keyId: "k",
  user: { id: "u", loginName: "a@example.com", role: "owner" },
  scopes: normalize(["all"]),
  tags: [],
  ownDevicesOnly: false,
};

const routes = [getDevice, listDevices, setName];

/** Echoes what the handler was given. */
const echo = (c: any) => c.json({ param: c.req.valid("param"), query: c.req.valid("query") ?? null, json: c.req.valid("json") ?? null }, 200);

function ours() {
  const app = newRouter();
  app.use("*", async (c, next) => {
    c.set("services", { actAs: actor, limits: { credential: 0 } } as never);
    await next();
  });
  for (const r of routes) app.openapi(r as never, echo as never);
  return app;
}

/** The same routes registered by @hono/zod-openapi itself: its validators, the same hook. */
function reference() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  for (const { middleware: _auth, ...r } of routes) {
    app.openapi({ ...r, middleware: async (c: any, next: () => Promise<void>) => (c.set("actor", actor), next()) } as never, echo as never);
  }
  return app;
}

/** Straight through `app.request` (the echo answers are not the routes' documented bodies, so not through `call`'s schema check). */
async function send(app: { request(path: string, init: RequestInit): Response | Promise<Response> }, method: string, path: string, body?: unknown) {
  const r = await app.request(path, body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  return { status: r.status, body: await r.json() };
}

const requests: [string, string, unknown?][] = [
  ["GET", "/api/v2/device/n123"],
  ["GET", "/api/v2/device/n123?fields=all"],
  ["GET", "/api/v2/device/n123?fields=all&fields=default"],
  ["GET", "/api/v2/device/n123?fields=some"],
  ["GET", "/api/v2/device/n123?fields="],
  ["GET", "/api/v2/device/n123?other=1&fields=default"],
  ["GET", `/api/v2/device/${"x".repeat(65)}`],
  ["GET", `/api/v2/device/${"x".repeat(65)}?fields=some`],
  ["GET", "/api/v2/device/a%00b"],
  ["GET", "/api/v2/device/a%ZZb"],
  ["GET", "/api/v2/device/%F0%9F%90%A2"],
  ["GET", "/api/v2/device/n1?fields=a%00"],
  ["GET", "/api/v2/tailnet/-/devices"],
  ["GET", "/api/v2/tailnet/-/devices?tags=tag:a&tags=tag:b&fields=all"],
  ["GET", "/api/v2/tailnet/-/devices?tags=tag%3Aa%2Ctag%3Ab"],
  ["GET", "/api/v2/tailnet/-/devices?fields=ALL"],
  ["GET", "/api/v2/tailnet/-/devices?fields=all&"],
  ["GET", "/api/v2/tailnet/example.com/devices?"],
  ["POST", "/api/v2/device/n1/name", { name: "host" }],
  ["POST", "/api/v2/device/n1/name", { name: 5 }],
  ["POST", `/api/v2/device/${"y".repeat(65)}/name`, { name: 5 }],
  ["POST", "/api/v2/device/n1/name?x=1", {}],
];

describe("parameters validated in the auth layer", () => {
  it.each(requests)("%s %s answers as @hono/zod-openapi's validators do", async (method, path, body) => {
    const [a, b] = await Promise.all([send(ours(), method, path, body), send(reference(), method, path, body)]);
    expect(a.status).toBe(b.status);
    expect(a.body).toEqual(b.body);
  });

  it("the cases include both outcomes", async () => {
    const statuses = await Promise.all(requests.map(([m, p, body]) => send(ours(), m, p, body).then((r) => r.status)));
    expect(statuses).toContain(200);
    expect(statuses).toContain(400);
  });

  it("a defineRoute route takes no validation hook of its own (its parameters are checked with the app's)", () => {
    expect(() => ours().openapi(getDevice as never, echo as never, (() => undefined) as never)).toThrow(/takes no hook of its own/);
  });

  it("the OpenAPI document still lists the parameters", () => {
    const doc = ours().getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "0" } });
    const op = doc.paths!["/api/v2/device/{deviceId}"]!.get!;
    expect((op.parameters as { name: string; in: string }[]).map((p) => `${p.in}:${p.name}`).sort()).toEqual(["path:deviceId", "query:fields"]);
  });

  it("authentication and scope come before validation: 401 and 403, never the 400", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const bad = `/api/v2/device/${"x".repeat(65)}?fields=some`;
    expect((await call(app, "GET", bad)).status).toBe(401);
    const dnsOnly = await accessToken(app, t.apiKey, ["dns:read"]);
    expect((await call(app, "GET", bad, { bearer: dnsOnly })).status).toBe(403);
    expect((await call(app, "GET", bad, { key: t.apiKey })).status).toBe(400);
  });
});
