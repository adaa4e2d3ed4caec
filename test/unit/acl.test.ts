import { describe, expect, it } from "vitest";
import { Evaluator, type Directory } from "../../src/domain/acl.js";
import { parsePolicy } from "../../src/domain/policy.js";

/** A small tailnet: users with personal devices, a tagged server, and an address nobody holds. */
const DIR: Directory = {
  users: [
    { loginName: "alice", role: "member", type: "member" },
    { loginName: "bob@example.com", role: "admin", type: "member" },
    { loginName: "servers", role: "member", type: "member" },
    { loginName: "guests", role: "member", type: "member" },
    { loginName: "carol@other.example", role: "member", type: "shared" },
  ],
  devices: [
    { addresses: ["100.64.0.1", "fd7a:115c:a1e0::1"], userLogin: "alice", tags: [] },
    { addresses: ["100.64.0.2", "fd7a:115c:a1e0::2"], userLogin: "bob@example.com", tags: [] },
    { addresses: ["100.64.0.3", "fd7a:115c:a1e0::3"], userLogin: "servers", tags: [] },
    { addresses: ["100.64.0.4", "fd7a:115c:a1e0::4"], userLogin: null, tags: ["tag:web"] },
  ],
};

/** Runs `tests` against `policy` (a JSON object) and answers the failures. */
function run(policy: object, tests: object[]) {
  const p = parsePolicy(JSON.stringify({ ...policy, tests }));
  return new Evaluator(p, DIR).runTests(p.tests);
}

describe("the users guide's policies (headscale bare names)", () => {
  const POLICY = {
    tagOwners: { "tag:web": [] },
    acls: [
      { action: "accept", src: ["alice"], dst: ["bob:*"] },
      { action: "accept", src: ["bob"], dst: ["alice:80,443"] },
      { action: "accept", src: ["servers"], dst: ["*:*"] },
    ],
  };
  it.each([
    ["alice reaches all of Bob's devices", { src: "alice", accept: ["bob:22", "bob@example.com:8080", "100.64.0.2:1"] }],
    ["…but nothing else", { src: "alice", deny: ["servers:22", "tag:web:443", "100.64.0.3:80"] }],
    ["Bob reaches Alice's web services only", { src: "bob", accept: ["alice:80", "alice:443", "100.64.0.1:443"], deny: ["alice:22"] }],
    ["the servers user reaches everything", { src: "servers", accept: ["alice:22", "bob:5432", "tag:web:80", "192.0.2.1:53"] }],
    ["tests name users headscale's way or Tailscale's", { src: "alice@", accept: ["bob@:22"] }],
  ])("%s", (_name, test) => {
    expect(run(POLICY, [test])).toEqual([]);
  });

  it("a failing test says what it wanted, in Tailscale's words", () => {
    expect(run(POLICY, [{ src: "alice", accept: ["servers:22"], deny: ["bob:22"] }])).toEqual([
      { user: "alice", errors: ['address "servers:22": want: Accept, got: Drop', 'address "bob:22": want: Drop, got: Accept'] },
    ]);
  });

  it("isolates the guest user", () => {
    const guests = {
      tagOwners: { "tag:web": [] },
      acls: [
        { action: "accept", src: ["guests"], dst: ["servers:80,443"] },
        { action: "accept", src: ["alice", "bob"], dst: ["*:*"] },
      ],
    };
    expect(run(guests, [{ src: "guests", accept: ["servers:80", "servers:443"], deny: ["servers:22", "alice:80", "tag:web:80"] }])).toEqual([]);
  });
});

describe("groups, tags, autogroups, hosts, prefixes, protocols", () => {
  const POLICY = {
    groups: { "group:eng": ["alice@", "bob@example.com"] },
    hosts: { db: "100.64.0.3", lan: "192.168.0.0/16" },
    tagOwners: { "tag:web": ["autogroup:admin"], "tag:personal": [], "tag:servers": [] },
    acls: [
      { action: "accept", src: ["group:eng"], dst: ["db:5432"] },
      { action: "accept", src: ["autogroup:member"], dst: ["autogroup:self:*", "tag:web:443"] },
      { action: "accept", src: ["autogroup:admin"], dst: ["lan:*"] },
      { action: "accept", src: ["tag:web"], dst: ["db:5432"], proto: "tcp" },
      { action: "accept", proto: "udp", src: ["100.64.0.0/30"], dst: ["100.64.0.4:53"] },
      { action: "accept", src: ["tag:personal"], dst: ["tag:servers:*"] },
    ],
  };
  it.each([
    ["a group's members", { src: "group:eng", accept: ["db:5432"], deny: ["db:22"] }],
    ["a member reaches their own devices (autogroup:self), not others'", { src: "alice", accept: ["alice:22", "100.64.0.1:22"], deny: ["bob:22"] }],
    ["autogroup:member names every member, not shared users", { src: "carol@other.example", deny: ["tag:web:443"] }],
    ["…and a user not in the tailnet yet counts as a member-to-be", { src: "newcomer@example.com", accept: ["tag:web:443"] }],
    ["autogroup:admin by role", { src: "bob@example.com", accept: ["lan:80", "192.168.1.1:22"], deny: ["10.0.0.1:22"] }],
    ["a tag source, by name or by its devices' addresses", { src: "tag:web", accept: ["db:5432"] }],
    ["…with the rule's protocol", { src: "100.64.0.4", accept: ["db:5432"], proto: "tcp" }],
    ["…and not another", { src: "tag:web", deny: ["db:5432"], proto: "udp" }],
    ["a prefix source matches addresses", { src: "100.64.0.1", accept: ["100.64.0.4:53"], proto: "udp" }],
    ["a UDP-only rule does not allow TCP", { src: "100.64.0.1", deny: ["100.64.0.4:53"], proto: "tcp" }],
    ["without proto, TCP or UDP is enough", { src: "alice", accept: ["100.64.0.4:53"] }],
    ["headscale's tags policy", { src: "tag:personal", accept: ["tag:servers:22"] }],
  ])("%s", (_name, test) => {
    expect(run(POLICY, [test])).toEqual([]);
  });
});

describe("grants", () => {
  const POLICY = {
    tagOwners: { "tag:web": [] },
    grants: [
      { src: ["alice"], dst: ["tag:web"], ip: ["tcp:443", "80"] },
      { src: ["bob@example.com"], dst: ["*"], ip: ["*"] },
      { src: ["servers"], dst: ["tag:web"], app: { "tailscale.com/cap/example": [{}] } },
    ],
  };
  it("ip grants are rules; app-only grants give no network access", () => {
    expect(run(POLICY, [{ src: "alice", accept: ["tag:web:443", "tag:web:80"], deny: ["tag:web:22"] }])).toEqual([]);
    expect(run(POLICY, [{ src: "alice", deny: ["tag:web:443"], proto: "udp" }])).toEqual([]);
    expect(run(POLICY, [{ src: "bob@example.com", accept: ["alice:1", "tag:web:65535"] }])).toEqual([]);
    expect(run(POLICY, [{ src: "servers", deny: ["tag:web:443"] }])).toEqual([]);
  });
});

describe("preview", () => {
  const TEXT = `{
  // comments and trailing commas, as a real policy file
  "groups": {"group:eng": ["alice"]},
  "acls": [
    {"action": "accept", "src": ["group:eng"], "dst": ["bob:22"]},
    {"action": "accept", "src": ["*"], "dst": ["tag:web:443"]},
    {"action": "accept", "src": ["bob"], "dst": ["alice:80"]},
  ],
  "tagOwners": {"tag:web": []},
  "grants": [
    {"src": ["alice"], "dst": ["100.64.0.2"], "ip": ["tcp:5432"]},
  ],
}`;
  const e = new Evaluator(parsePolicy(TEXT), DIR);
  it("type user: the rules whose sources name the user, with their lines", () => {
    expect(e.previewUser("alice")).toEqual([
      { users: ["group:eng"], ports: ["bob:22"], lineNumber: 5 },
      { users: ["*"], ports: ["tag:web:443"], lineNumber: 6 },
      { users: ["alice"], ports: ["100.64.0.2:5432"], lineNumber: 11 },
    ]);
    expect(e.previewUser("bob@example.com").map((m) => m.lineNumber)).toEqual([6, 7]);
  });
  it("type ipport: the rules whose destinations take the address and port", () => {
    expect(e.previewAddress("100.64.0.2", 22).map((m) => m.lineNumber)).toEqual([5]);
    expect(e.previewAddress("100.64.0.4", 443).map((m) => m.lineNumber)).toEqual([6]);
    expect(e.previewAddress("100.64.0.2", 5432).map((m) => m.lineNumber)).toEqual([11]);
    expect(e.previewAddress("100.64.0.2", 80)).toEqual([]);
  });
});

describe("test validation", () => {
  it.each([
    [{ src: "*", accept: ["bob:22"] }, /tests\[0\]\.src: "\*": a test's src must be a user/],
    [{ src: "alice", accept: ["bob:22,80"] }, /a test names one port/],
    [{ src: "alice", accept: ["*:22"] }, /must be a specific user/],
    [{ src: "alice", accept: ["bob:22"], proto: "carrier-pigeon" }, /proto: must be a protocol name/],
  ])("refuses %j", (test, message) => {
    expect(() => parsePolicy(JSON.stringify({ tests: [test] }))).toThrow(message);
  });
});
