import { describe, expect, it } from "vitest";
import { ALL_SCOPE_NAMES, covers, grants, isKnownScope, normalize, uncovered, type Scope } from "../../src/auth/scopes.js";

describe("grants", () => {
  const cases: [held: string[], required: Scope, expected: boolean][] = [
    [["devices:core"], "devices:core", true],
    [["devices:core"], "devices:core:read", true],
    [["devices:core:read"], "devices:core:read", true],
    [["devices:core:read"], "devices:core", false],
    [["devices:routes"], "devices:core:read", false],
    [["all"], "devices:core", true],
    [["all"], "policy_file:read", true],
    [["all:read"], "devices:core:read", true],
    [["all:read"], "devices:core", false],
    [["all:read"], "all", false],
    [["all:read"], "all:read", true],
    [["devices"], "devices:core", true],
    [["devices"], "auth_keys", true],
    [["devices"], "devices:posture_attributes", true],
    [["devices"], "devices:routes", false],
    [["devices:read"], "devices:core:read", true],
    [["devices:read"], "devices:core", false],
    [["devices:read"], "auth_keys:read", true],
    [["routes"], "devices:routes", true],
    [["routes:read"], "devices:routes:read", true],
    [["routes:read"], "devices:routes", false],
    [["acl"], "policy_file", true],
    [["acl:read"], "policy_file:read", true],
    [["acl:read"], "policy_file", false],
    [["logs:read"], "logs:configuration:read", true],
    [["network-logs:read"], "logs:network:read", true],
    [["dns"], "dns:read", true],
    [["dns:read"], "dns", false],
    [[], "devices:core:read", false],
    [["nonsense"], "devices:core:read", false],
    [["auth_keys"], "oauth_keys", false],
  ];
  it.each(cases)("%j grants %s: %s", (held, required, expected) => {
    expect(grants(held, required)).toBe(expected);
  });
});

describe("normalize", () => {
  it("maps legacy names and drops unknown ones", () => {
    expect([...normalize(["devices", "bogus", "dns:read"])].sort()).toEqual(
      ["auth_keys", "devices:core", "devices:posture_attributes", "dns:read"].sort(),
    );
  });
});

describe("isKnownScope", () => {
  it.each(["all", "all:read", "devices:core", "devices:core:read", "devices", "routes:read", "logs:configuration:read"])("%s is known", (s) => {
    expect(isKnownScope(s)).toBe(true);
  });
  it.each(["", "devices:core:write", "all:write", "logs:configuration", "DEVICES"])("%j is not", (s) => {
    expect(isKnownScope(s)).toBe(false);
  });
  it("lists every known name once", () => {
    expect(new Set(ALL_SCOPE_NAMES).size).toBe(ALL_SCOPE_NAMES.length);
    for (const s of ALL_SCOPE_NAMES) expect(isKnownScope(s)).toBe(true);
  });
});

describe("covers / uncovered", () => {
  const cases: [held: string[], wanted: string[], missing: string[]][] = [
    [["all"], ["devices:core", "dns"], []],
    [["all:read"], ["devices:core:read"], []],
    [["all:read"], ["devices:core"], ["devices:core"]],
    [["devices:core"], ["devices:core:read", "devices:core"], []],
    [["devices:core"], ["all:read"], ["all:read"]],
    [["devices"], ["devices:core", "auth_keys"], []],
    [["devices:core", "auth_keys", "devices:posture_attributes"], ["devices"], []],
    [["devices:core"], ["devices"], ["devices"]],
    [["dns"], ["users:read", "dns:read"], ["users:read"]],
    [["all"], ["all"], []],
    [["all:read"], ["all"], ["all"]],
    [["all"], ["bogus"], ["bogus"]],
  ];
  it.each(cases)("%j covers %j except %j", (held, wanted, missing) => {
    expect(uncovered(held, wanted)).toEqual(missing);
    expect(covers(held, wanted)).toBe(missing.length === 0);
  });
});
