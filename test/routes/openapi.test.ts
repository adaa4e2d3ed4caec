import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { renderOpenApiYaml } from "../../src/openapi.js";
import { ROUTES } from "../../src/routes/index.js";
import { call, makeApp } from "../helpers.js";

/** Tailscale's official document (BSD-3-Clause, kept verbatim in test/fixtures with its provenance). */
const OFFICIAL_PATH = new URL("../fixtures/tailscale-openapi.yaml", import.meta.url);
const official = parse(await readFile(OFFICIAL_PATH, "utf8"));
const ours = parse(renderOpenApiYaml());

describe("openapi.yaml", () => {
  it("is in sync with the route definitions (run `npm run openapi`)", async () => {
    const checkedIn = await readFile(new URL("../../openapi.yaml", import.meta.url), "utf8");
    expect(checkedIn).toBe(renderOpenApiYaml());
  });

  // Authenticated otherwise: client credentials at the token endpoint, an auth key at registration, a node token for reports.
  // Pages people open in a browser, and accepting a user invite (the invite's code is the credential), are public too.
  const PUBLIC = new Set([
    "POST /api/v2/oauth/token",
    "POST /machine/register",
    "POST /machine/update",
    "GET /register/{registrationKey}",
    "POST /api/v2/user-invites/-/accept",
    "GET /uinv/{code}",
  ]);

  it("declares a required scope on every operation but the public ones", () => {
    for (const r of ROUTES) {
      if (PUBLIC.has(`${r.route.method.toUpperCase()} ${r.route.path}`)) {
        expect(r.route["x-required-scope"]).toBeUndefined();
        continue;
      }
      const op = ours.paths[r.route.path.replace(/:(\w+)/g, "{$1}")][r.route.method];
      expect(op["x-required-scope"], `${r.route.method} ${r.route.path}`).toBeTruthy();
      expect(op.security).toBeTruthy();
      for (const status of ["401", "403", "404"]) expect(op.responses[status], `${r.route.path} ${status}`).toBeTruthy();
    }
  });

  it("is served at /api/v2/openapi.json, with a docs page at /docs", async () => {
    const { app } = makeApp();
    const r = await call(app, "GET", "/api/v2/openapi.json");
    expect(r.status).toBe(200);
    expect(r.body).toEqual(ours);
    const docs = await app.request("/docs");
    expect(docs.status).toBe(200);
    const page = await docs.text();
    // Works offline: every script and stylesheet comes from this server, none inline.
    const refs = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBe(3);
    expect(refs.every((r) => r.startsWith("/docs/"))).toBe(true);
    expect(page).not.toMatch(/<script>|<script type="text\/javascript">/);
    expect(docs.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    for (const ref of refs) {
      const asset = await app.request(ref);
      expect(asset.status, ref).toBe(200);
      expect((await asset.text()).length, ref).toBeGreaterThan(50);
    }
    expect(await (await app.request("/docs/init.js")).text()).toContain("/api/v2/openapi.json");
    expect((await app.request("/docs/../package.json")).status).toBe(404);
  });

  it("shares Tailscale's field names and types for Device and Key", () => {
    const pairs: [string, string][] = [
      ["Device", "Device"],
      ["Key", "Key"],
    ];
    for (const [mine, theirs] of pairs) {
      const a = ours.components.schemas[mine].properties;
      const b = official.components.schemas[theirs].properties;
      for (const [field, spec] of Object.entries<any>(b)) {
        // The 2024 document spells the all-only field "advertiseRoutes"; the API (and every client) uses advertisedRoutes.
        const name = field === "advertiseRoutes" ? "advertisedRoutes" : field;
        expect(a[name], `${mine}.${name}`).toBeTruthy();
        expect(a[name].type ?? "object", `${mine}.${name} type`).toBe(spec.type ?? (spec.$ref ? "object" : undefined));
      }
    }
  });
});
