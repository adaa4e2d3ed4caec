import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY_TEXT } from "../../src/domain/policy.js";
import { call, createAuthKey, createOAuthClient, makeApp, registerDevice, seedTailnet, setupTailnet } from "../helpers.js";

const HUJSON = `// Our tailnet
{
  "groups": {
    "group:ops": ["alice@example.com",], // trailing comma
  },
  "tagOwners": {
    "tag:server": ["group:ops"],
  },
  "acls": [
    {"action": "accept", "src": ["group:ops"], "dst": ["tag:server:22,443"]},
  ],
}
`;

const acl = "/api/v2/tailnet/-/acl";
const hujson = (key: string, text: string, headers: Record<string, string> = {}) => ({
  key,
  rawBody: text,
  headers: { "content-type": "application/hujson", ...headers },
});

describe("the policy file", () => {
  it("a new tailnet has the default policy (allow all), as JSON and as HuJSON, with an ETag", async () => {
    const t = await seedTailnet(new Date(), { policy: false });
    const { app } = makeApp();
    const json = await call(app, "GET", acl, { key: t.apiKey });
    expect(json.status).toBe(200);
    expect(json.body).toEqual({ acls: [{ action: "accept", src: ["*"], dst: ["*:*"] }] });
    expect(json.headers.get("etag")).toMatch(/^"[0-9a-f]{64}"$/);
    const raw = await call(app, "GET", acl, { key: t.apiKey, headers: { accept: "application/hujson" } });
    expect(raw.status).toBe(200);
    expect(raw.headers.get("content-type")).toMatch(/^application\/hujson/);
    expect(raw.text).toBe(DEFAULT_POLICY_TEXT);
    expect(raw.headers.get("etag")).toBe(json.headers.get("etag"));
  });

  it("stores HuJSON byte for byte; GET gives the text back with its ETag, or JSON without comments", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const set = await call(app, "POST", acl, hujson(t.apiKey, HUJSON));
    expect(set.status, set.text).toBe(200);
    const etag = set.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(set.body.tagOwners).toEqual({ "tag:server": ["group:ops"] });
    const raw = await call(app, "GET", acl, { key: t.apiKey, headers: { accept: "application/hujson" } });
    expect(raw.text).toBe(HUJSON);
    expect(raw.headers.get("etag")).toBe(etag);
    const json = await call(app, "GET", acl, { key: t.apiKey, headers: { accept: "application/json" } });
    expect(json.body).toEqual({
      groups: { "group:ops": ["alice@example.com"] },
      tagOwners: { "tag:server": ["group:ops"] },
      acls: [{ action: "accept", src: ["group:ops"], dst: ["tag:server:22,443"] }],
    });
  });

  it("accepts plain JSON too, with any content type", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const body = { tagOwners: { "tag:x": [] }, acls: [] };
    const r = await call(app, "POST", acl, { key: t.apiKey, body });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual(body);
  });

  it("If-Match: a stale ETag is a 412 and changes nothing; the current one writes", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const first = await call(app, "POST", acl, hujson(t.apiKey, HUJSON));
    const etag = first.headers.get("etag")!;
    const second = await call(app, "POST", acl, hujson(t.apiKey, `{"acls": []}`, { "if-match": etag }));
    expect(second.status, second.text).toBe(200);
    const stale = await call(app, "POST", acl, hujson(t.apiKey, HUJSON, { "if-match": etag }));
    expect(stale.status).toBe(412);
    expect(stale.body).toEqual({ message: "precondition failed, invalid old hash" });
    const now = await call(app, "GET", acl, { key: t.apiKey, headers: { accept: "application/hujson" } });
    expect(now.text).toBe(`{"acls": []}`);
  });

  it('If-Match: "ts-default" succeeds only while the policy is the default; an empty body resets to it', async () => {
    const t = await seedTailnet(new Date(), { policy: false });
    const { app } = makeApp();
    const first = await call(app, "POST", acl, hujson(t.apiKey, HUJSON, { "if-match": '"ts-default"' }));
    expect(first.status, first.text).toBe(200);
    const again = await call(app, "POST", acl, hujson(t.apiKey, `{"acls": []}`, { "if-match": '"ts-default"' }));
    expect(again.status).toBe(412);
    // Terraform's delete: POST with an empty body.
    const reset = await call(app, "POST", acl, { key: t.apiKey, rawBody: "" });
    expect(reset.status, reset.text).toBe(200);
    expect(reset.body).toEqual({ acls: [{ action: "accept", src: ["*"], dst: ["*:*"] }] });
    const raw = await call(app, "GET", acl, { key: t.apiKey, headers: { accept: "application/hujson" } });
    expect(raw.text).toBe(DEFAULT_POLICY_TEXT);
    const afterReset = await call(app, "POST", acl, hujson(t.apiKey, HUJSON, { "if-match": '"ts-default"' }));
    expect(afterReset.status).toBe(200);
  });

  it("two writers with the same ETag: one wins, the other gets 412", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const etag = (await call(app, "GET", acl, { key: t.apiKey })).headers.get("etag")!;
    const rs = await Promise.all(["a", "b"].map((n) => call(app, "POST", acl, hujson(t.apiKey, `{"tagOwners": {"tag:${n}": []}}`, { "if-match": etag }))));
    expect(rs.map((r) => r.status).sort()).toEqual([200, 412]);
  });

  it.each([
    ["{", /^invalid policy: line 1, column 2: /],
    [`{"acls": [{"action": "deny", "src": ["*"], "dst": ["*:*"]}]}`, /^invalid policy: acls\[0\]\.action: must be "accept"$/],
    [`{"acls": [{"action": "accept", "src": ["*"], "dst": ["*"]}]}`, /^invalid policy: acls\[0\]\.dst\[0\]: "\*" needs ports/],
    [`{"acls": [{"action": "accept", "src": ["*"], "dst": ["*:99999"]}]}`, /acls\[0\]\.dst\[0\]: "\*:99999" has invalid ports/],
    [`{"acls": [{"action": "accept", "src": ["group:nope"], "dst": ["*:*"]}]}`, /acls\[0\]\.src\[0\]: group:nope is not defined in groups/],
    [`{"acls": [{"action": "accept", "src": ["tag:nope"], "dst": ["*:*"]}]}`, /tag:nope is not defined in tagOwners/],
    [`{"acls": [{"action": "accept", "src": ["*"], "dst": ["my host:22"]}]}`, /"my host" is not a user, group, tag, autogroup, host name/],
    [`{"tagOwners": {"server": []}}`, /^invalid policy: tagOwners\["server"\]: tag names look like tag:<name>/],
    [`{"tagOwners": {"tag:a": ["group:ops"]}}`, /tagOwners\["tag:a"\]\[0\]: group:ops is not defined in groups/],
    [`{"groups": {"group:a": ["tag:x"]}}`, /groups\["group:a"\]\[0\]: "tag:x" is not a user/],
    [`{"autoApprovers": {"routes": {"10.0.0.1/8": ["tag:a"]}}, "tagOwners": {"tag:a": []}}`, /autoApprovers\.routes\["10\.0\.0\.1\/8"\]: .* no host bits set/],
    [`{"hosts": {"db": "not-an-ip"}}`, /hosts\["db"\]: must be an IP address or a prefix/],
    [`{"tests": [{"src": "alice@example.com", "accept": ["1.2.3.4"]}]}`, /tests\[0\]\.accept\[0\]/],
    [`{"nonsense": 1}`, /^invalid policy: "nonsense": is not a policy section$/],
    [`[]`, /^invalid policy: policy: must be a JSON object$/],
  ])("refuses %s with a 400 pointing at the problem, saving nothing", async (text, message) => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const before = await call(app, "GET", acl, { key: t.apiKey, headers: { accept: "application/hujson" } });
    const r = await call(app, "POST", acl, hujson(t.apiKey, text));
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(message);
    const after = await call(app, "GET", acl, { key: t.apiKey, headers: { accept: "application/hujson" } });
    expect(after.text).toBe(before.text);
    expect(after.headers.get("etag")).toBe(before.headers.get("etag"));
  });

  it("accepts the rules of a realistic policy (users/ports legacy names, hosts, IPv6, autogroups, tests, ssh)", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const text = `{
      "groups": {"group:eng": ["alice@example.com", "bob@"]},
      "hosts": {"db": "100.101.102.103", "lan": "192.168.0.0/16", "v6": "fd7a:115c:a1e0::1"},
      "tagOwners": {"tag:web": ["group:eng", "autogroup:admin"], "tag:db": ["tag:web"]},
      "autoApprovers": {"routes": {"10.0.0.0/8": ["tag:web"], "fd00::/8": ["group:eng"]}, "exitNode": ["autogroup:admin"]},
      "acls": [
        {"action": "accept", "users": ["group:eng"], "ports": ["lan:*"]},
        {"action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:self:*", "db:5432", "lan:80,443", "[fd7a:115c:a1e0::1]:22", "100.64.0.0/10:1-1024"]},
        {"action": "accept", "proto": "udp", "src": ["tag:web"], "dst": ["tag:db:53"]},
      ],
      "ssh": [{"action": "check", "src": ["autogroup:member"], "dst": ["autogroup:self"], "users": ["autogroup:nonroot", "root"]}],
      "tests": [{"src": "alice@example.com", "accept": ["db:5432"], "deny": ["tag:db:22"]}, {"src": "bob@", "allow": ["lan:80"]}],
    }`;
    const r = await call(app, "POST", acl, hujson(t.apiKey, text));
    expect(r.status, r.text).toBe(200);
  });
});

describe("POST /acl/validate", () => {
  it("answers {} for a valid policy and saves nothing", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const before = await call(app, "GET", acl, { key: t.apiKey, headers: { accept: "application/hujson" } });
    const r = await call(app, "POST", `${acl}/validate`, hujson(t.apiKey, HUJSON));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({});
    expect((await call(app, "GET", acl, { key: t.apiKey, headers: { accept: "application/hujson" } })).text).toBe(before.text);
  });

  it("answers 200 with {message, data} for a bad policy, as Tailscale does", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    const r = await call(app, "POST", `${acl}/validate`, hujson(t.apiKey, `{"acls": [{"action": "drop"}]}`));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ message: 'invalid policy: acls[0].action: must be "accept"', data: [] });
  });

  it("runs a list of tests against the stored policy", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    await call(app, "POST", acl, hujson(t.apiKey, `{"hosts": {"db": "100.64.0.9"}, "acls": [{"action": "accept", "src": ["alice@example.com"], "dst": ["db:22"]}]}`));
    const ok = await call(app, "POST", `${acl}/validate`, { key: t.apiKey, body: [{ src: "alice@example.com", accept: ["db:22"], deny: ["db:80"] }] });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({});
    const failing = await call(app, "POST", `${acl}/validate`, { key: t.apiKey, body: [{ src: "bob@example.com", accept: ["db:22"] }] });
    expect(failing.status).toBe(200);
    expect(failing.body).toEqual({ message: "test(s) failed", data: [{ user: "bob@example.com", errors: ['address "db:22": want: Accept, got: Drop'] }] });
    // A malformed list of tests is bad input.
    const bad = await call(app, "POST", `${acl}/validate`, { key: t.apiKey, body: [{ src: "alice@example.com", accept: ["db"] }] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/tests\[0\]\.accept\[0\]/);
  });
});

describe("tagOwners govern keys and registration", () => {
  const POLICY = JSON.stringify({
    tagOwners: { "tag:server": ["autogroup:admin"], "tag:ci": ["autogroup:admin"], "tag:router": ["autogroup:admin"] },
    autoApprovers: { routes: { "10.0.0.0/8": ["tag:router"] }, exitNode: ["tag:router"] },
  });

  it("an auth key or OAuth client with tags not in tagOwners is a 400 in Tailscale's words", async () => {
    const t = await seedTailnet();
    const { app } = makeApp();
    await call(app, "POST", acl, hujson(t.apiKey, POLICY));
    const key = await call(app, "POST", "/api/v2/tailnet/-/keys", { key: t.apiKey, body: { capabilities: { devices: { create: { tags: ["tag:server", "tag:ghost"] } } } } });
    expect(key.status).toBe(400);
    expect(key.body).toEqual({ message: "requested tags [tag:ghost] are invalid or not permitted" });
    const client = await call(app, "POST", "/api/v2/tailnet/-/keys", { key: t.apiKey, body: { keyType: "client", scopes: ["devices:core"], tags: ["tag:ghost"] } });
    expect(client.status).toBe(400);
    expect(client.body).toEqual({ message: "requested tags [tag:ghost] are invalid or not permitted" });
    expect((await createAuthKey(app, t.apiKey, { tags: ["tag:server"] })).key).toMatch(/^tskey-auth-/);
  });

  it("a token owns its tags and the tags they own: auth keys it mints follow the same rule", async () => {
    const s = await setupTailnet();
    await call(s.app, "POST", acl, hujson(s.apiKey, JSON.stringify({ tagOwners: { "tag:ci": ["autogroup:admin"], "tag:ci-runner": ["tag:ci"], "tag:server": [] } })));
    const client = await createOAuthClient(s.app, s.apiKey, ["auth_keys"], ["tag:ci"]);
    const { tokenFor } = await import("../helpers.js");
    const token = (await tokenFor(s.app, client)).body.access_token;
    const body = (tags: string[]) => ({ capabilities: { devices: { create: { tags } } } });
    expect((await call(s.app, "POST", "/api/v2/tailnet/-/keys", { bearer: token, body: body(["tag:ci-runner"]) })).status).toBe(200);
    const bad = await call(s.app, "POST", "/api/v2/tailnet/-/keys", { bearer: token, body: body(["tag:server"]) });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ message: "requested tags [tag:server] are invalid or not permitted" });
  });

  it("registration: advertised tags must be owned by the key's user; a tagged key's tags are trusted", async () => {
    const s = await setupTailnet();
    await call(s.app, "POST", acl, hujson(s.apiKey, POLICY));
    const tagged = await createAuthKey(s.app, s.apiKey, { tags: ["tag:server"] });
    // The policy changes after the key was made: the key's tags still apply.
    await call(s.app, "POST", acl, hujson(s.apiKey, JSON.stringify({ tagOwners: { "tag:ci": [] } })));
    const { device } = await registerDevice(s.app, tagged.key, { advertiseTags: ["tag:ci"] });
    expect(device.tags).toEqual(["tag:ci", "tag:server"]);
    const r = await call(s.app, "POST", "/machine/register", {
      body: (await import("../helpers.js")).registerBody(s.authKey, { advertiseTags: ["tag:router"] }),
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: "requested tags [tag:router] are invalid or not permitted" });
  });

  it("autoApprovers: routes inside an approved prefix and exit routes are enabled at registration for an approved owner", async () => {
    const s = await setupTailnet();
    await call(s.app, "POST", acl, hujson(s.apiKey, POLICY));
    const router = await createAuthKey(s.app, s.apiKey, { tags: ["tag:router"] });
    const routes = ["10.1.0.0/16", "192.168.0.0/24", "0.0.0.0/0", "::/0"];
    const { device } = await registerDevice(s.app, router.key, { advertiseRoutes: routes });
    expect(device.advertisedRoutes).toEqual(routes);
    expect(device.enabledRoutes).toEqual(["10.1.0.0/16", "0.0.0.0/0", "::/0"]);
    // The same routes from a device whose owner is not an approver stay unapproved.
    const plain = await registerDevice(s.app, s.authKey, { advertiseRoutes: routes });
    expect(plain.device.enabledRoutes).toEqual([]);
  });
});
