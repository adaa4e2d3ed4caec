import { describe, expect, it } from "vitest";
import { call, registerDevice, seedTailnet, makeApp, setupTailnet } from "../helpers.js";

const acl = "/api/v2/tailnet/-/acl";
const hujson = (key: string, text: string) => ({ key, rawBody: text, headers: { "content-type": "application/hujson" } });

/** The users guide's first policy, as the seed document writes it (comments on rules included). */
const GUIDE = `{
"acls" : [
{ "action" : "accept" , "src" : [ "alice" ], "dst" : [ "bob:*" ], "comment" : "Alice can access all of Bob's devices" },
{ "action" : "accept" , "src" : [ "bob" ], "dst" : [ "alice:80,443" ], "comment" : "Bob can only access Alice's web services" },
{ "action" : "accept" , "src" : [ "servers" ], "dst" : [ "*:*" ], "comment" : "Server user can access everything" }
],
"tests": [
  {"src": "alice", "accept": ["bob:22"], "deny": ["servers:22"]},
  {"src": "bob", "accept": ["alice:443"], "deny": ["alice:22"]}
]
}`;

describe("policy tests run on every save", () => {
  it("a policy whose tests pass is saved", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const r = await call(app, "POST", acl, hujson(t.apiKey, GUIDE));
    expect(r.status, r.text).toBe(200);
  });

  it("a failing test is Tailscale's 400 with data, and nothing is saved", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const before = await call(app, "GET", acl, { key: t.apiKey, headers: { accept: "application/hujson" } });
    const failing = GUIDE.replace(`"deny": ["servers:22"]`, `"deny": ["bob:80"]`).replace(`"accept": ["alice:443"]`, `"accept": ["alice:22"]`);
    const r = await call(app, "POST", acl, hujson(t.apiKey, failing));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      message: "test(s) failed",
      data: [
        { user: "alice", errors: ['address "bob:80": want: Drop, got: Accept'] },
        { user: "bob", errors: ['address "alice:22": want: Accept, got: Drop'] },
      ],
    });
    expect((await call(app, "GET", acl, { key: t.apiKey, headers: { accept: "application/hujson" } })).text).toBe(before.text);
    // validate answers the same, with a 200.
    const v = await call(app, "POST", `${acl}/validate`, hujson(t.apiKey, failing));
    expect(v.status).toBe(200);
    expect(v.body).toEqual(r.body);
  });

  it("tests see the tailnet's devices: addresses resolve to their owners", async () => {
    const s = await setupTailnet();
    const { device } = await registerDevice(s.app, s.authKey);
    const ip = device.addresses[0];
    const text = JSON.stringify({
      acls: [{ action: "accept", src: [s.owner.loginName], dst: [`${s.owner.loginName}:22`] }],
      tests: [{ src: ip, accept: [`${ip}:22`], deny: [`${ip}:80`] }],
    });
    const r = await call(s.app, "POST", acl, hujson(s.apiKey, text));
    expect(r.status, r.text).toBe(200);
  });
});

describe("POST /acl/preview", () => {
  const POLICY = `{
  "hosts": {"db": "100.64.0.9"},
  "acls": [
    {"action": "accept", "src": ["alice@example.com"], "dst": ["db:5432"]},
    {"action": "accept", "src": ["*"], "dst": ["db:443"]},
  ],
}`;
  it("type=user: which rules the user's traffic matches, with Tailscale's answer shape", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const r = await call(app, "POST", `${acl}/preview?type=user&previewFor=alice@example.com`, hujson(t.apiKey, POLICY));
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      matches: [
        { users: ["alice@example.com"], ports: ["db:5432"], lineNumber: 4 },
        { users: ["*"], ports: ["db:443"], lineNumber: 5 },
      ],
      type: "user",
      previewFor: "alice@example.com",
    });
  });

  it("type=ipport: which rules take that address and port", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const r = await call(app, "POST", `${acl}/preview?type=ipport&previewFor=100.64.0.9:5432`, hujson(t.apiKey, POLICY));
    expect(r.body).toEqual({ matches: [{ users: ["alice@example.com"], ports: ["db:5432"], lineNumber: 4 }], type: "ipport", previewFor: "100.64.0.9:5432" });
    const none = await call(app, "POST", `${acl}/preview?type=ipport&previewFor=100.64.0.10:5432`, hujson(t.apiKey, POLICY));
    expect(none.body.matches).toEqual([]);
  });

  it.each([
    ["?type=user", /^previewFor is required$/],
    ["?type=group&previewFor=x", /^invalid type: must be "user" or "ipport"$/],
    ["?type=ipport&previewFor=alice", /^invalid previewFor "alice": expected an IP address and port/],
    ["?type=ipport&previewFor=100.64.0.1:99999", /^invalid previewFor/],
  ])("refuses %s", async (query, message) => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const r = await call(app, "POST", `${acl}/preview${query}`, hujson(t.apiKey, POLICY));
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(message);
  });

  it("refuses a policy that does not parse, and another tailnet", async () => {
    const t = await seedTailnet();
    const other = await seedTailnet();
    const { app } = makeApp();
    const bad = await call(app, "POST", `${acl}/preview?type=user&previewFor=a@b`, hujson(t.apiKey, `{"acls": [{"action": "drop"}]}`));
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^invalid policy: acls\[0\]\.action/);
    const r = await call(app, "POST", `/api/v2/tailnet/${other.tailnet.name}/acl/preview?type=user&previewFor=a@b`, hujson(t.apiKey, POLICY));
    expect(r.status).toBe(404);
  });
});
