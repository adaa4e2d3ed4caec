import { createHash } from "node:crypto";
import ipaddr from "ipaddr.js";
import { parse as parseJsonc, parseTree, findNodeAtLocation, printParseErrorCode, type ParseError } from "jsonc-parser";
import { invalid } from "../lib/errors.js";
import type { Actor, Role } from "./actor.js";
import { canonicalCidr } from "./subnets.js";

/**
 * The tailnet policy file: parsing (HuJSON: JSON with comments and trailing
 * commas), validation, and the rules other domain code asks it: who owns
 * which tag, and which advertised routes are approved automatically. Pure:
 * no I/O. Storage and the ETag protocol are in domain/policies.ts.
 */

/** Tag names: `tag:` and letters, digits and '-'. */
export const TAG_PATTERN = /^tag:[A-Za-z0-9-]+$/;

export type AclRule = { action: "accept"; src: string[]; dst: string[]; proto?: string };
export type PolicyTest = { src: string; accept: string[]; deny: string[]; proto?: string };
/**
 * A grant that gives network access (`ip`), in the terms of an ACL rule:
 * each `ip` entry is `*`, ports (`443`, `8000-8999`) or `proto:ports`
 * (`tcp:443`). Grants that only carry application capabilities (`app`)
 * give no network access and are not listed.
 */
export type GrantRule = { src: string[]; dst: string[]; ip: string[] };

export type Policy = {
  groups: Record<string, string[]>;
  tagOwners: Record<string, string[]>;
  hosts: Record<string, string>;
  autoApprovers: { routes: Record<string, string[]>; exitNode: string[] };
  acls: AclRule[];
  grants: GrantRule[];
  tests: PolicyTest[];
  /** Where each rule starts in the text (1-based lines; what `acl/preview` reports). */
  lines: { acls: number[]; grants: number[] };
  /** The document as JSON (what `GET /acl` answers without `Accept: application/hujson`). */
  json: Record<string, unknown>;
};

/**
 * The policy of a tailnet nobody has changed: everyone may reach everything,
 * as on Tailscale. Written as a starting point to edit.
 */
export const DEFAULT_POLICY_TEXT = `// The policy of this tailnet. Edit it through the API (POST /api/v2/tailnet/-/acl),
// with Terraform's tailscale_acl, or with \`tailapi policy set\`.
{
\t// Groups of users, for use in rules below.
\t// "groups": {
\t// \t"group:ops": ["alice@example.com", "bob@example.com"],
\t// },

\t// Which users, groups or tags may apply each tag to devices, auth keys and OAuth clients.
\t// A tag must be listed here before anyone can use it.
\t// "tagOwners": {
\t// \t"tag:server": ["group:ops"],
\t// },

\t// Rules: who may connect to what. The default allows every connection.
\t"acls": [
\t\t{"action": "accept", "src": ["*"], "dst": ["*:*"]},
\t],

\t// Tests run every time the policy is saved.
\t// "tests": [
\t// \t{"src": "alice@example.com", "accept": ["tag:server:22"]},
\t// ],
}
`;

/** The ETag of a policy text: its SHA-256, quoted as HTTP wants. */
export function policyEtag(text: string): string {
  return `"${createHash("sha256").update(text, "utf8").digest("hex")}"`;
}

// ---------------------------------------------------------------- parsing and validation

const KNOWN_SECTIONS = new Set([
  "acls", "groups", "hosts", "tagOwners", "autoApprovers", "tests", "ssh", "sshTests", "grants", "nodeAttrs",
  "postures", "defaultSrcPosture", "derpMap", "disableIPv4", "OneCGNATRoute", "randomizeClientPort", "ipsets",
]);

const AUTOGROUPS = new Set([
  "member", "admin", "owner", "it-admin", "network-admin", "billing-admin", "auditor", "tagged", "self", "internet",
  "shared", "nonroot", "danger-all",
]);
/** Autogroups that name users (what may own tags and approve routes). */
const USER_AUTOGROUPS = new Set(["member", "admin", "owner", "it-admin", "network-admin", "billing-admin", "auditor"]);

class PolicyProblem extends Error {}
const problem = (where: string, what: string): never => {
  throw new PolicyProblem(`${where}: ${what}`);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const q = (s: string) => JSON.stringify(s);

function stringList(v: unknown, where: string, { nonEmpty = false } = {}): string[] {
  if (!Array.isArray(v)) return problem(where, "must be a list of strings");
  v.forEach((x, i) => {
    if (typeof x !== "string" || x === "") problem(`${where}[${i}]`, "must be a non-empty string");
  });
  if (nonEmpty && v.length === 0) problem(where, "must not be empty");
  return v as string[];
}

function objectOf<T>(v: unknown, where: string, each: (value: unknown, key: string, where: string) => T): Record<string, T> {
  if (v === undefined) return {};
  if (!isObject(v)) return problem(where, "must be an object");
  const out: Record<string, T> = {};
  for (const [k, x] of Object.entries(v)) out[k] = each(x, k, `${where}[${q(k)}]`);
  return out;
}

function listOf<T>(v: unknown, where: string, each: (value: unknown, where: string, index: number) => T): T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return problem(where, "must be a list");
  return v.map((x, i) => each(x, `${where}[${i}]`, i));
}

/**
 * A user reference: Tailscale's login (`alice@example.com`), headscale's
 * `alice@`, or headscale's bare user name (`alice`, the same as `alice@`).
 */
const isUserRef = (s: string) => /^[^\s@:*]+@[^\s@:*]*$/.test(s) || BARE_USER.test(s);
const BARE_USER = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const isIp = (s: string) => ipaddr.isValid(s) && (ipaddr.IPv4.isValidFourPartDecimal(s) || s.includes(":"));
const isCidr = (s: string) => s.includes("/") && canonicalCidrLoose(s) !== undefined;

/** A prefix, host bits allowed (rules may say 10.0.0.1/24); undefined when not a prefix at all. */
function canonicalCidrLoose(s: string): string | undefined {
  try {
    const [addr, bits] = ipaddr.parseCIDR(s);
    return `${addr.toString()}/${bits}`;
  } catch {
    return undefined;
  }
}

type Defined = { groups: Record<string, string[]>; tagOwners: Record<string, unknown>; hosts: Record<string, string> };

/** An owner or approver: a user, a group, a tag, or a user autogroup. */
function checkOwner(o: string, where: string, defs: Defined): void {
  if (o.startsWith("group:")) {
    if (!(o in defs.groups)) problem(where, `${o} is not defined in groups`);
  } else if (o.startsWith("tag:")) {
    if (!(o in defs.tagOwners)) problem(where, `${o} is not defined in tagOwners`);
  } else if (o.startsWith("autogroup:")) {
    if (!USER_AUTOGROUPS.has(o.slice("autogroup:".length))) problem(where, `${o} cannot own tags or approve routes`);
  } else if (!isUserRef(o)) {
    problem(where, `${q(o)} is not a user (alice@example.com, alice@ or alice), group:, tag: or autogroup:`);
  }
}

// `comment`: headscale's documentation annotates rules with it; it is kept in the file and otherwise ignored.
const RULE_FIELDS = new Set(["action", "src", "dst", "users", "ports", "proto", "srcPosture", "comment"]);
// `user` and `allow` are the older names of `src` and `accept` (the Go client still has fields for them).
const TEST_FIELDS = new Set(["src", "user", "accept", "allow", "deny", "proto", "srcPostureAttrs"]);

/** A source or destination host in a rule: everything an owner may be, plus `*`, hosts, IPs and prefixes. */
function checkTarget(t: string, where: string, defs: Defined): void {
  if (t === "*") return;
  if (t.startsWith("autogroup:")) {
    if (!AUTOGROUPS.has(t.slice("autogroup:".length))) problem(where, `unknown autogroup ${t}`);
    return;
  }
  if (t.startsWith("group:") || t.startsWith("tag:") || t.includes("@")) return checkOwner(t, where, defs);
  if (isIp(t) || isCidr(t)) return;
  if (t in defs.hosts) return;
  // headscale's bare user names (`alice`, `bob:*`): a name that is not a host is a user.
  if (BARE_USER.test(t)) return;
  problem(where, `${q(t)} is not a user, group, tag, autogroup, host name, IP address or prefix`);
}

/** `host:ports`, ports being `*` or a comma list of numbers and ranges. IPv6 hosts may be bracketed. */
function checkDestination(d: string, where: string, defs: Defined): void {
  const { host, ports } = splitHostPorts(d);
  if (host === "") return problem(where, `${q(d)} needs ports: host:port, host:80,443, host:1000-2000 or host:*`);
  if (portsProblem(ports)) problem(where, `${q(d)} has invalid ports ${q(ports)}: use *, a port, a list or a range`);
  checkTarget(host, where, defs);
}

function parseText(text: string): unknown {
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (errors.length) {
    const e = errors[0]!;
    const before = text.slice(0, e.offset);
    const line = before.split("\n").length;
    const column = e.offset - before.lastIndexOf("\n");
    const what = printParseErrorCode(e.error).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
    throw new PolicyProblem(`line ${line}, column ${column}: ${what}`);
  }
  return value;
}

/**
 * Parses and validates a policy file. Throws `invalid` with one sentence that
 * points at the first problem (`invalid policy: acls[0].dst[1]: …`).
 */
export function parsePolicy(text: string): Policy {
  try {
    const policy = validate(parseText(text));
    const grantLines = elementLines(text, "grants");
    policy.lines = {
      acls: elementLines(text, "acls"),
      grants: policy.lines.grants.map((i) => grantLines[i] ?? 0),
    };
    return policy;
  } catch (err) {
    if (err instanceof PolicyProblem) throw invalid(`invalid policy: ${err.message}`);
    throw err;
  }
}

/** The problem with a policy text, or undefined when it is valid (for validate endpoints). */
export function policyProblem(text: string): string | undefined {
  try {
    parsePolicy(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function validate(doc: unknown): Policy {
  if (!isObject(doc)) return problem("policy", "must be a JSON object");
  for (const k of Object.keys(doc)) if (!KNOWN_SECTIONS.has(k)) problem(q(k), "is not a policy section");

  const groups = objectOf(doc.groups, "groups", (v, k, where) => {
    if (!/^group:[A-Za-z0-9._-]+$/.test(k)) problem(where, "group names look like group:<name>");
    const members = stringList(v, where);
    members.forEach((m, i) => {
      if (!isUserRef(m)) problem(`${where}[${i}]`, `${q(m)} is not a user (groups hold users only)`);
    });
    return members;
  });
  const tagOwnersRaw = isObject(doc.tagOwners) ? doc.tagOwners : {};
  const hosts = objectOf(doc.hosts, "hosts", (v, k, where) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(k) || k.includes("@") || k.includes(":")) problem(where, "host names are letters, digits, '.', '_' and '-'");
    if (typeof v !== "string" || !(isIp(v) || isCidr(v))) problem(where, "must be an IP address or a prefix");
    return v as string;
  });
  const defs: Defined = { groups, tagOwners: tagOwnersRaw, hosts };

  const tagOwners = objectOf(doc.tagOwners, "tagOwners", (v, k, where) => {
    if (!TAG_PATTERN.test(k)) problem(where, "tag names look like tag:<name>, with letters, digits and '-'");
    const owners = stringList(v, where);
    owners.forEach((o, i) => checkOwner(o, `${where}[${i}]`, defs));
    return owners;
  });

  let autoApprovers: Policy["autoApprovers"] = { routes: {}, exitNode: [] };
  if (doc.autoApprovers !== undefined) {
    if (!isObject(doc.autoApprovers)) problem("autoApprovers", "must be an object");
    const aa = doc.autoApprovers as Record<string, unknown>;
    for (const k of Object.keys(aa)) if (k !== "routes" && k !== "exitNode") problem(`autoApprovers[${q(k)}]`, 'is not "routes" or "exitNode"');
    const routes = objectOf(aa.routes, "autoApprovers.routes", (v, k, where) => {
      if (canonicalCidr(k) === undefined) problem(where, `${q(k)} is not an IP prefix with no host bits set`);
      const approvers = stringList(v, where);
      approvers.forEach((o, i) => checkOwner(o, `${where}[${i}]`, defs));
      return approvers;
    });
    const exitNode = aa.exitNode === undefined ? [] : stringList(aa.exitNode, "autoApprovers.exitNode");
    exitNode.forEach((o, i) => checkOwner(o, `autoApprovers.exitNode[${i}]`, defs));
    autoApprovers = { routes, exitNode };
  }

  const acls = listOf(doc.acls, "acls", (v, where): AclRule => {
    if (!isObject(v)) return problem(where, "must be an object");
    for (const k of Object.keys(v)) if (!RULE_FIELDS.has(k)) problem(`${where}.${k}`, "is not a rule field");
    if (v.action !== "accept") problem(`${where}.action`, 'must be "accept"');
    // `users` and `ports` are the older names of `src` and `dst`; Tailscale still reads them.
    const [srcKey, dstKey] = [v.src !== undefined || v.users === undefined ? "src" : "users", v.dst !== undefined || v.ports === undefined ? "dst" : "ports"];
    const src = stringList(v[srcKey], `${where}.${srcKey}`, { nonEmpty: true });
    src.forEach((s, i) => checkTarget(s, `${where}.${srcKey}[${i}]`, defs));
    const dst = stringList(v[dstKey], `${where}.${dstKey}`, { nonEmpty: true });
    dst.forEach((d, i) => checkDestination(d, `${where}.${dstKey}[${i}]`, defs));
    if (v.proto !== undefined && (typeof v.proto !== "string" || !isProto(v.proto))) problem(`${where}.proto`, PROTO_PROBLEM);
    return { action: "accept", src, dst, ...(typeof v.proto === "string" ? { proto: v.proto } : {}) };
  });

  const tests = listOf(doc.tests, "tests", (v, where): PolicyTest => {
    if (!isObject(v)) return problem(where, "must be an object");
    for (const k of Object.keys(v)) if (!TEST_FIELDS.has(k)) problem(`${where}.${k}`, "is not a test field");
    const srcKey = v.src !== undefined || v.user === undefined ? "src" : "user";
    if (typeof v[srcKey] !== "string" || v[srcKey] === "") problem(`${where}.${srcKey}`, "must be a user, group, tag, host or IP");
    checkTestSource(v[srcKey] as string, `${where}.${srcKey}`, defs);
    // `allow` is the older name of `accept`.
    const acceptKey = v.accept !== undefined || v.allow === undefined ? "accept" : "allow";
    const accept = v[acceptKey] === undefined ? [] : stringList(v[acceptKey], `${where}.${acceptKey}`);
    const deny = v.deny === undefined ? [] : stringList(v.deny, `${where}.deny`);
    [...accept.map((d, i) => [d, `${where}.${acceptKey}[${i}]`]), ...deny.map((d, i) => [d, `${where}.deny[${i}]`])].forEach(([d, w]) =>
      checkTestDestination(d!, w!, defs),
    );
    if (v.proto !== undefined && (typeof v.proto !== "string" || !isProto(v.proto))) problem(`${where}.proto`, PROTO_PROBLEM);
    return { src: v[srcKey] as string, accept, deny, ...(typeof v.proto === "string" ? { proto: v.proto } : {}) };
  });

  listOf(doc.ssh, "ssh", (v, where) => {
    if (!isObject(v)) return problem(where, "must be an object");
    if (v.action !== "accept" && v.action !== "check") problem(`${where}.action`, 'must be "accept" or "check"');
    stringList(v.src, `${where}.src`, { nonEmpty: true }).forEach((s, i) => checkTarget(s, `${where}.src[${i}]`, defs));
    stringList(v.dst, `${where}.dst`, { nonEmpty: true }).forEach((s, i) => checkTarget(s, `${where}.dst[${i}]`, defs));
    stringList(v.users, `${where}.users`, { nonEmpty: true });
  });
  const grantsWithIndex = listOf(doc.grants, "grants", (v, where, index): [GrantRule, number] | undefined => {
    if (!isObject(v)) return problem(where, "must be an object");
    const src = stringList(v.src, `${where}.src`, { nonEmpty: true });
    src.forEach((s, i) => checkTarget(s, `${where}.src[${i}]`, defs));
    const dst = stringList(v.dst, `${where}.dst`, { nonEmpty: true });
    dst.forEach((s, i) => checkTarget(s, `${where}.dst[${i}]`, defs));
    if (v.ip === undefined && v.app === undefined) problem(where, 'needs "ip" (network access) or "app" (capabilities)');
    const ip = v.ip === undefined ? [] : stringList(v.ip, `${where}.ip`);
    ip.forEach((spec, i) => {
      if (!isGrantIp(spec)) problem(`${where}.ip[${i}]`, `${q(spec)} is not *, ports (443, 8000-8999) or proto:ports (tcp:443)`);
    });
    if (v.app !== undefined && !isObject(v.app)) problem(`${where}.app`, "must be an object");
    return ip.length ? [{ src, dst, ip }, index] : undefined;
  }).filter((g): g is [GrantRule, number] => g !== undefined);
  const grants = grantsWithIndex.map(([g]) => g);
  listOf(doc.nodeAttrs, "nodeAttrs", (v, where) => {
    if (!isObject(v)) return problem(where, "must be an object");
    stringList(v.target, `${where}.target`, { nonEmpty: true }).forEach((s, i) => checkTarget(s, `${where}.target[${i}]`, defs));
  });

  return {
    groups, tagOwners, hosts, autoApprovers, acls, grants, tests, json: doc,
    lines: { acls: [], grants: grantsWithIndex.map(([, i]) => i) },
  };
}

/** Protocols a rule or test may name: IANA numbers, or the names Tailscale knows. */
export const PROTOCOLS: Record<string, number> = {
  icmp: 1, igmp: 2, ipv4: 4, "ip-in-ip": 4, tcp: 6, egp: 8, igp: 9, udp: 17, gre: 47, esp: 50, ah: 51, ipv6icmp: 58, "ipv6-icmp": 58, sctp: 132,
};
const PROTO_PROBLEM = "must be a protocol name (tcp, udp, icmp, sctp, …) or an IANA protocol number";
const isProto = (p: string) => p.toLowerCase() in PROTOCOLS || (/^\d{1,3}$/.test(p) && Number(p) <= 255);

/** A port list: `*`, or a comma list of ports and ranges. */
function portsProblem(ports: string): boolean {
  if (ports === "*") return false;
  return ports.split(",").some((part) => {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    return !m || lo > 65535 || hi > 65535 || lo > hi;
  });
}

/** A grant's `ip` entry: `*`, ports, or `proto:ports`. */
function isGrantIp(spec: string): boolean {
  if (spec === "*") return true;
  const colon = spec.indexOf(":");
  if (colon < 0) return !portsProblem(spec);
  return isProto(spec.slice(0, colon)) && !portsProblem(spec.slice(colon + 1));
}

/** A test's source names one identity: a user, group, tag, host or IP (no `*`, no autogroup). */
function checkTestSource(t: string, where: string, defs: Defined): void {
  if (t === "*" || t.startsWith("autogroup:") || isCidr(t)) problem(where, `${q(t)}: a test's src must be a user, group, tag, host or IP address`);
  checkTarget(t, where, defs);
}

/** A test's destination: `host:port`, one port, a specific host (no `*`). */
function checkTestDestination(d: string, where: string, defs: Defined): void {
  const { host, ports } = splitHostPorts(d);
  if (host === "" || ports === "") return problem(where, `${q(d)} needs a port: host:port`);
  if (!/^\d{1,5}$/.test(ports) || Number(ports) > 65535) problem(where, `${q(d)}: a test names one port (host:22), not ${q(ports)}`);
  if (host === "*" || host.startsWith("autogroup:")) problem(where, `${q(d)}: a test's destination must be a specific user, group, tag, host or IP address`);
  checkTarget(host, where, defs);
}

/** `host:ports` split at the last colon (IPv6 hosts may be bracketed). Empty parts when there is no colon. */
export function splitHostPorts(d: string): { host: string; ports: string } {
  const bracket = /^\[([^\]]+)\]:(.+)$/.exec(d);
  if (bracket) return { host: bracket[1]!, ports: bracket[2]! };
  const colon = d.lastIndexOf(":");
  if (colon <= 0) return { host: "", ports: "" };
  return { host: d.slice(0, colon), ports: d.slice(colon + 1) };
}

/** The 1-based line of each element of a top-level list in the text. */
function elementLines(text: string, section: string): number[] {
  const tree = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const node = tree && findNodeAtLocation(tree, [section]);
  if (!node || node.type !== "array" || !node.children) return [];
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  return node.children.map((c) => lineOf(c.offset));
}

// ---------------------------------------------------------------- who owns what

/**
 * Whom a rule is asked about: an admin (owners, admins, the CLI: they own
 * every defined tag), a user, or a set of tags (an OAuth token, a tagged
 * device).
 */
export type Principal = { kind: "admin" } | { kind: "user"; login: string; role: Role } | { kind: "tags"; tags: readonly string[] };

/** Roles that may apply every tag defined in tagOwners. */
const TAG_ADMINS: ReadonlySet<Role> = new Set(["owner", "admin", "it-admin", "network-admin"]);

/** A user as a principal: a tag-administering role is `admin`, anyone else themselves. */
export function userPrincipal(u: { loginName: string; role: Role }): Principal {
  return TAG_ADMINS.has(u.role) ? { kind: "admin" } : { kind: "user", login: u.loginName, role: u.role };
}

export function principalOf(actor: Actor): Principal {
  if (actor.kind === "oauth") return { kind: "tags", tags: actor.tags };
  if (actor.user) return userPrincipal(actor.user);
  return { kind: "user", login: "", role: "member" };
}

/**
 * Whether a user reference in a policy names this login. Tailscale's login
 * names (`alice@example.com`) and headscale's (`alice@`, for a user `alice`)
 * both work: `alice@` names any login whose local part is alice, and a bare
 * login `alice` is named by any `alice@…`.
 */
export function userRefMatches(ref: string, login: string): boolean {
  // headscale's bare `alice` is `alice@`.
  const r = ref.includes("@") ? ref.toLowerCase() : `${ref.toLowerCase()}@`;
  const l = login.toLowerCase();
  if (r === l) return true;
  const at = r.lastIndexOf("@");
  const local = r.slice(0, at);
  if (at === r.length - 1) return l === local || l.startsWith(`${local}@`);
  return !l.includes("@") && l === local;
}

/**
 * Whether a role autogroup names a user of this role: autogroup:admin names
 * owners and admins (as on Tailscale), autogroup:owner the owner, and
 * autogroup:<role> every other role by name.
 */
export function roleAutogroupNames(autogroup: string, role: Role): boolean {
  const g = autogroup.slice("autogroup:".length);
  if (g === "member") return true;
  if (g === "admin") return role === "owner" || role === "admin";
  return g === role && USER_AUTOGROUPS.has(g);
}

/** Whether an owner/approver entry names the principal. */
function names(policy: Policy, entry: string, p: Principal): boolean {
  if (entry.startsWith("tag:")) return p.kind === "tags" && p.tags.includes(entry);
  if (p.kind === "tags") return false;
  if (p.kind === "admin") return entry === "autogroup:admin" || entry === "autogroup:member";
  if (entry === "autogroup:member") return true;
  if (entry.startsWith("autogroup:")) return roleAutogroupNames(entry, p.role);
  if (entry.startsWith("group:")) return (policy.groups[entry] ?? []).some((m) => userRefMatches(m, p.login));
  return userRefMatches(entry, p.login);
}

/**
 * The one tag-ownership rule. A tag must be defined in tagOwners; owners and
 * admins own every defined tag; a user owns the tags whose owners name them,
 * a group they are in, or autogroup:member; a set of tags owns itself and the
 * tags whose owners list one of them. Returns the tags not owned.
 */
export function unownedTags(policy: Policy, p: Principal, tags: readonly string[]): string[] {
  return tags.filter((tag) => {
    const owners = policy.tagOwners[tag];
    if (!owners) return true;
    if (p.kind === "admin") return false;
    if (p.kind === "tags" && p.tags.includes(tag)) return false;
    return !owners.some((o) => names(policy, o, p));
  });
}

/** Tailscale's answer for tags that are not allowed (Go `%v` of the list). */
export function tagsNotPermitted(tags: readonly string[]) {
  return invalid(`requested tags [${tags.join(" ")}] are invalid or not permitted`);
}

export function requireOwnedTags(policy: Policy, p: Principal, tags: readonly string[]): void {
  const bad = unownedTags(policy, p, tags);
  if (bad.length) throw tagsNotPermitted(bad);
}

const EXIT_ROUTES = new Set(["0.0.0.0/0", "::/0"]);

function within(route: string, prefix: string): boolean {
  const [a, bits] = ipaddr.parseCIDR(route);
  const [p, pbits] = ipaddr.parseCIDR(prefix);
  return a.kind() === p.kind() && bits >= pbits && a.match(p, pbits);
}

/**
 * The advertised routes `autoApprovers` approve for a device owned by
 * `owner` (its tags, or its user): a route inside an approved prefix whose
 * approvers name the owner; the exit-node routes through `exitNode`.
 */
export function autoApprovedRoutes(policy: Policy, owner: Principal, advertised: readonly string[]): string[] {
  const aa = policy.autoApprovers;
  return advertised.filter((route) => {
    if (EXIT_ROUTES.has(route)) return aa.exitNode.some((o) => names(policy, o, owner));
    return Object.entries(aa.routes).some(([prefix, approvers]) => within(route, prefix) && approvers.some((o) => names(policy, o, owner)));
  });
}
