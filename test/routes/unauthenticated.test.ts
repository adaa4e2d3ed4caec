import { describe, expect, it } from "vitest";
import { mintSecret } from "../../src/auth/credentials.js";
import { randomIds } from "../../src/lib/ids.js";
import { ROUTES } from "../../src/routes/index.js";
import { call, makeApp } from "../helpers.js";

/**
 * Generated from the route table: every route that declares a scope answers
 * 401 `API token invalid` (with a WWW-Authenticate challenge) to a request
 * with no credential, a malformed one, or a well-formed unknown one, before
 * it looks at anything else. A new route is covered by being in the table.
 */
const scoped = ROUTES.filter((r) => r.route["x-required-scope"] !== undefined);

/** A concrete path for a route template: `-` for the tailnet, a plausible id for everything else. */
function concrete(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === "tailnet" ? "-" : name === "deviceId" ? "nAAAAAAAAAACNTRL" : "kAAAAAAAAAACNTRL"));
}

const CREDENTIALS: [string, Record<string, string>][] = [
  ["no credential", {}],
  ["a malformed one", { authorization: "Bearer not-a-key" }],
  ["an unknown API key", { authorization: `Bearer ${mintSecret("api", randomIds.keyId()).full}` }],
  ["a JWT that is not ours", { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl" }],
];

describe("every scoped route refuses a caller without a valid credential", () => {
  it("covers the route table", () => {
    expect(scoped.length).toBeGreaterThan(5);
  });
  const { app } = makeApp();
  for (const r of scoped) {
    const method = r.route.method.toUpperCase();
    const path = concrete(r.route.path);
    it.each(CREDENTIALS)(`${method} ${r.route.path} with %s → 401`, async (_name, headers) => {
      const res = await call(app, method, path, { headers, body: method === "GET" || method === "DELETE" ? undefined : {} });
      expect(res.status, res.text).toBe(401);
      expect(res.body).toEqual({ message: "API token invalid" });
      expect(res.headers.get("www-authenticate")).toMatch(/^Basic /);
    });
  }
});
