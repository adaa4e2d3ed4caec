import { describe, expect, it } from "vitest";
import { autoApprovedRoutes, DEFAULT_POLICY_TEXT, parsePolicy, policyEtag, unownedTags, userRefMatches, type Principal } from "../../src/domain/policy.js";

describe("userRefMatches: Tailscale and headscale user references", () => {
  it.each([
    ["alice@example.com", "alice@example.com", true],
    ["Alice@Example.com", "alice@example.com", true],
    ["alice@", "alice@example.com", true],
    ["alice@", "alice", true],
    ["alice@example.com", "alice", true],
    ["alice@", "alicia@example.com", false],
    ["alice@example.com", "alice@other.com", false],
    ["bob@example.com", "alice@example.com", false],
    ["alice@", "bob@alice", false],
  ])("%s names %s: %s", (ref, login, want) => {
    expect(userRefMatches(ref, login)).toBe(want);
  });
});

describe("the tag-ownership rule", () => {
  const policy = parsePolicy(`{
    "groups": {"group:dev": ["dev@example.com"]},
    "tagOwners": {
      "tag:open": ["autogroup:member"],
      "tag:dev": ["group:dev"],
      "tag:alice": ["alice@"],
      "tag:admins": ["autogroup:admin"],
      "tag:owners": ["autogroup:owner"],
      "tag:ci": [],
      "tag:ci-child": ["tag:ci"],
    }
  }`);
  const user = (login: string, role: "member" | "admin" | "owner" = "member"): Principal => ({ kind: "user", login, role });
  it.each<[string, Principal, string[], string[]]>([
    ["admins own every defined tag", { kind: "admin" }, ["tag:ci", "tag:dev", "tag:owners"], []],
    ["…but no undefined one", { kind: "admin" }, ["tag:nope"], ["tag:nope"]],
    ["autogroup:member names any user", user("x@example.com"), ["tag:open"], []],
    ["a group names its members", user("dev@example.com"), ["tag:dev"], []],
    ["…and nobody else", user("x@example.com"), ["tag:dev"], ["tag:dev"]],
    ["headscale's alice@", user("alice@example.com"), ["tag:alice"], []],
    ["a member is no admin", user("x@example.com"), ["tag:admins", "tag:owners"], ["tag:admins", "tag:owners"]],
    ["autogroup:admin names an admin user principal", user("x@example.com", "admin"), ["tag:admins", "tag:owners"], ["tag:owners"]],
    ["tags own themselves", { kind: "tags", tags: ["tag:ci"] }, ["tag:ci"], []],
    ["…and the tags they own", { kind: "tags", tags: ["tag:ci"] }, ["tag:ci-child"], []],
    ["…but nothing else", { kind: "tags", tags: ["tag:ci"] }, ["tag:open", "tag:dev"], ["tag:open", "tag:dev"]],
    ["tags own themselves only when defined", { kind: "tags", tags: ["tag:ghost"] }, ["tag:ghost"], ["tag:ghost"]],
  ])("%s", (_name, p, tags, unowned) => {
    expect(unownedTags(policy, p, tags)).toEqual(unowned);
  });
});

describe("autoApprovers", () => {
  const policy = parsePolicy(`{
    "groups": {"group:net": ["net@example.com"]},
    "tagOwners": {"tag:router": [], "tag:exit": []},
    "autoApprovers": {"routes": {"10.0.0.0/8": ["tag:router", "group:net"], "fd00::/8": ["tag:router"]}, "exitNode": ["tag:exit"]}
  }`);
  const router: Principal = { kind: "tags", tags: ["tag:router"] };
  it.each<[string, Principal, string[], string[]]>([
    ["routes inside an approved prefix", router, ["10.1.0.0/16", "10.0.0.0/8", "192.168.0.0/24", "fd00:1::/64"], ["10.1.0.0/16", "10.0.0.0/8", "fd00:1::/64"]],
    ["a wider route than the prefix is not approved", router, ["10.0.0.0/7"], []],
    ["exit routes need exitNode", router, ["0.0.0.0/0", "::/0"], []],
    ["exitNode approves both exit routes", { kind: "tags", tags: ["tag:exit"] }, ["0.0.0.0/0", "::/0", "10.0.0.0/24"], ["0.0.0.0/0", "::/0"]],
    ["users through groups", { kind: "user", login: "net@example.com", role: "member" }, ["10.9.0.0/24"], ["10.9.0.0/24"]],
    ["other users are not approvers", { kind: "user", login: "x@example.com", role: "admin" }, ["10.9.0.0/24"], []],
  ])("%s", (_name, owner, advertised, approved) => {
    expect(autoApprovedRoutes(policy, owner, advertised)).toEqual(approved);
  });
});

describe("the default policy", () => {
  it("parses, allows all, and has a stable ETag", () => {
    const p = parsePolicy(DEFAULT_POLICY_TEXT);
    expect(p.acls).toEqual([{ action: "accept", src: ["*"], dst: ["*:*"] }]);
    expect(p.tagOwners).toEqual({});
    expect(policyEtag(DEFAULT_POLICY_TEXT)).toBe(policyEtag(DEFAULT_POLICY_TEXT));
    expect(policyEtag(DEFAULT_POLICY_TEXT)).not.toBe(policyEtag(DEFAULT_POLICY_TEXT + " "));
  });
});
