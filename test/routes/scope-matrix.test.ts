import { describe, expect, it } from "vitest";
import { ALL_SCOPE_NAMES, grants, type Scope } from "../../src/auth/scopes.js";
import { ROUTES } from "../../src/routes/index.js";
import { accessToken, call, setupTailnet } from "../helpers.js";
import { CASES, type Fixture, type Req } from "./cases.js";

const scoped = ROUTES.filter((r) => r.route["x-required-scope"] !== undefined);

async function send(f: Fixture, token: string, req: Req) {
  return call(f.app, req.method, req.path, { bearer: token, body: req.body });
}

describe("scope matrix", () => {
  it("covers every route that declares a scope", () => {
    expect(Object.keys(CASES).sort()).toEqual(scoped.map((r) => r.route.operationId).sort());
    for (const r of scoped) {
      const declared = [r.route["x-required-scope"]].flat();
      expect(CASES[r.route.operationId!]!.map((v) => v.scope).sort(), r.route.operationId).toEqual([...declared].sort());
    }
  });

  for (const r of scoped) {
    const op = r.route.operationId!;
    for (const v of CASES[op] ?? []) {
      const read = v.scope.endsWith(":read");
      describe(`${op} (${v.scope})`, () => {
        it(`succeeds with exactly ${v.scope}`, async () => {
          const f = await setupTailnet();
          const res = await send(f, await accessToken(f.app, f.apiKey, [v.scope]), await v.request(f));
          if (v.userOnly) {
            // Past the scope check, the operation itself wants a person: a user's API key does it.
            expect(res.status, res.text).toBe(403);
            expect(res.body.message).toMatch(/needs a user's API key/);
            const withKey = await call(f.app, (await v.request(f)).method, (await v.request(f)).path, { key: f.apiKey, body: (await v.request(f)).body });
            expect(withKey.status, withKey.text).toBeLessThan(300);
          } else expect(res.status, res.text).toBeLessThan(300);
        });
        const excluded: Scope[] = v.filters ? [r.route["x-required-scope"] as Scope | Scope[]].flat() : [v.scope];
        it(`is 403 with every scope but those granting ${excluded.join(" or ")}`, async () => {
          const f = await setupTailnet();
          const others = ALL_SCOPE_NAMES.filter((s) => !excluded.some((e) => grants([s], e)));
          const res = await send(f, await accessToken(f.app, f.apiKey, others), await v.request(f));
          expect(res.status, res.text).toBe(403);
          expect(res.body).toEqual({ message: "calling actor does not have enough permissions to perform this function" });
        });
        it(`all:read ${read ? "reads" : "cannot write"}`, async () => {
          const f = await setupTailnet();
          const res = await send(f, await accessToken(f.app, f.apiKey, ["all:read"]), await v.request(f));
          if (read) expect(res.status, res.text).toBe(200);
          else expect(res.status, res.text).toBe(403);
        });
        it("all does it", async () => {
          const f = await setupTailnet();
          const res = await send(f, await accessToken(f.app, f.apiKey, ["all"]), await v.request(f));
          if (v.userOnly) expect(res.body.message, res.text).toMatch(/needs a user's API key/);
          else expect(res.status, res.text).toBeLessThan(300);
        });
      });
    }
  }
});
