import { describe, expect, it } from "vitest";
import { call, hex64, seedUser, setPolicy, setupTailnet, TEST_POLICY } from "../helpers.js";

type S = Awaited<ReturnType<typeof setupTailnet>>;

/** A node that registers without an auth key: the same machine and node keys on every try. */
function node(s: S, o: { hostname?: string; advertiseTags?: string[]; tailnet?: string } = {}) {
  const body = {
    nodeKey: `nodekey:${hex64()}`,
    machineKey: `mkey:${hex64()}`,
    hostname: o.hostname ?? "laptop",
    advertiseTags: o.advertiseTags ?? [],
    tailnet: o.tailnet ?? s.tailnet.name,
  };
  return { body, register: () => call(s.app, "POST", "/machine/register", { body }) };
}

const approve = (s: S, key: string, registrationKey: string, user: string) =>
  call(s.app, "POST", `/api/v2/tailnet/-/registrations/${registrationKey}/approve`, { key, body: { user } });

describe("web authentication", () => {
  it("register without an auth key → authUrl page → approval → the node's next register gets its device and token", async () => {
    const s = await setupTailnet();
    const { user: alice } = await seedUser(s, "member");
    const n = node(s);
    const first = await n.register();
    expect(first.status, first.text).toBe(200);
    expect(first.body).toEqual({ authUrl: `http://localhost/register/${first.body.registrationKey}`, registrationKey: expect.stringMatching(/^[A-Za-z0-9]{32}$/) });
    // Asking again while it waits answers the same key; nothing exists yet.
    expect((await n.register()).body).toEqual(first.body);
    expect((await call(s.app, "GET", "/api/v2/tailnet/-/devices", { key: s.apiKey })).body.devices).toEqual([]);

    const page = await call(s.app, "GET", `/register/${first.body.registrationKey}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    expect(page.text).toContain(`tailapi nodes register --user &lt;USER&gt; --key ${first.body.registrationKey}`);
    expect(page.text).not.toMatch(/<script|https?:\/\/(?!localhost)/);

    const approved = await approve(s, s.apiKey, first.body.registrationKey, alice.loginName.split("@")[0]!);
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ user: alice.loginName, hostname: "laptop", authorized: true });
    expect(approved.body).not.toHaveProperty("tags");

    const collected = await n.register();
    expect(collected.status, collected.text).toBe(200);
    expect(collected.body.device).toMatchObject({ nodeId: approved.body.nodeId, user: alice.loginName });
    expect(collected.body.nodeToken).toMatch(/^tskey-node-/);
    expect((await call(s.app, "POST", "/machine/update", { bearer: collected.body.nodeToken, body: {} })).body.device.connectedToControl).toBe(true);
    // Collected once: the page is gone, and the next register starts over.
    expect((await call(s.app, "GET", `/register/${first.body.registrationKey}`)).status).toBe(404);
    expect((await n.register()).body.registrationKey).not.toBe(first.body.registrationKey);
  });

  it("with advertised tags, the user must own them, and the device is a tagged device", async () => {
    const s = await setupTailnet();
    await setPolicy(s.app, s.apiKey, JSON.stringify({ ...JSON.parse(TEST_POLICY), tagOwners: { "tag:server": ["alice@"], "tag:ci": ["autogroup:admin"] } }));
    await call(s.app, "POST", "/api/v2/tailnet/-/users", { key: s.apiKey, body: { loginName: "alice" } });
    await call(s.app, "POST", "/api/v2/tailnet/-/users", { key: s.apiKey, body: { loginName: "bob" } });
    const n = node(s, { advertiseTags: ["tag:server"] });
    const key = (await n.register()).body.registrationKey;
    const notBobs = await approve(s, s.apiKey, key, "bob");
    expect(notBobs.status).toBe(400);
    expect(notBobs.body).toEqual({ message: "requested tags [tag:server] are invalid or not permitted" });
    const ok = await approve(s, s.apiKey, key, "alice");
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ user: "alice", tags: ["tag:server"], keyExpiryDisabled: true });
  });

  it("refuses unknown or expired keys, unknown and suspended users, and members approving for others", async () => {
    const s = await setupTailnet();
    const { user: m, apiKey: memberKey } = await seedUser(s, "member");
    const { user: other } = await seedUser(s, "member");
    const n = node(s);
    const key = (await n.register()).body.registrationKey;
    expect((await approve(s, s.apiKey, "A".repeat(32), m.loginName)).status).toBe(404);
    const nobody = await approve(s, s.apiKey, key, "nobody");
    expect(nobody.status).toBe(404);
    expect(nobody.body).toEqual({ message: 'no user "nobody" in this tailnet' });
    expect((await approve(s, memberKey, key, other.loginName)).status).toBe(403);
    await call(s.app, "POST", `/api/v2/users/${other.userId}/suspend`, { key: s.apiKey });
    expect((await approve(s, s.apiKey, key, other.loginName)).status).toBe(400);
    // Another tailnet cannot approve it.
    const t = await setupTailnet();
    expect((await approve(t, t.apiKey, key, t.owner.loginName)).status).toBe(404);
    // A member may approve their own machine.
    expect((await approve(s, memberKey, key, m.loginName)).status).toBe(200);
    // 15 minutes: an unapproved registration expires.
    const late = node(s);
    const lateKey = (await late.register()).body.registrationKey;
    s.clock.advance(15 * 60_000 + 1000);
    expect((await approve(s, s.apiKey, lateKey, m.loginName)).status).toBe(404);
    expect((await call(s.app, "GET", `/register/${lateKey}`)).status).toBe(404);
    expect((await late.register()).body.registrationKey).not.toBe(lateKey);
  });

  it("names an existing tailnet, or the server's default", async () => {
    const s = await setupTailnet();
    const r = await call(s.app, "POST", "/machine/register", { body: { ...node(s).body, tailnet: "no-such-tailnet.example" } });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ message: "tailnet no-such-tailnet.example does not exist" });
  });
});
