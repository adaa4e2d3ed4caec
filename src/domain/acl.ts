import ipaddr from "ipaddr.js";
import type { Role } from "./actor.js";
import { PROTOCOLS, roleAutogroupNames, splitHostPorts, userRefMatches, type Policy, type PolicyTest } from "./policy.js";

/**
 * Rule evaluation: what a policy's `acls` (and `grants` that give network
 * access) allow, for policy tests and `acl/preview`. Pure: the tailnet's
 * users and devices come in as a `Directory`.
 *
 * Identities are matched by name first (users, groups, tags, autogroups),
 * then by address (hosts, IPs, prefixes against the devices' addresses), so
 * a test about a user who has no device yet is still meaningful. A user
 * named in a test or preview who is not in the tailnet is taken as a
 * member-to-be: rules naming them (or autogroup:member) apply.
 */

export type Directory = {
  users: readonly { loginName: string; role: Role; type: "member" | "shared" }[];
  /** `userLogin`: the owner of an untagged device; null for tagged devices (owned by their tags). */
  devices: readonly { addresses: readonly string[]; userLogin: string | null; tags: readonly string[] }[];
};

type Addr = ipaddr.IPv4 | ipaddr.IPv6;
type UserIdent = { login: string; role: Role; type: "member" | "shared" };

/** One identity traffic comes from or goes to: a user (their personal devices), a set of tags, and/or addresses. */
type Ident = { user?: UserIdent; tags: readonly string[]; ips: readonly Addr[] };

type PortRange = [number, number];

/** An acl rule or a grant's `ip` entry, flattened. `protos` undefined: TCP, UDP and ICMP (a rule without proto). */
type Flat = { src: readonly string[]; dst: { host: string; ports: PortRange[] | "*" }[]; protos?: number[]; origin: number };

/** Where a flat rule came from, as preview reports it. */
type Origin = { users: string[]; ports: string[]; lineNumber: number };

const ANY_PROTO = new Set([1, 6, 17, 58]);

function parseAddr(s: string): Addr | undefined {
  try {
    return ipaddr.parse(s);
  } catch {
    return undefined;
  }
}

function parseRange(s: string): [Addr, number] | undefined {
  try {
    return s.includes("/") ? ipaddr.parseCIDR(s) : (() => {
      const a = ipaddr.parse(s);
      return [a, a.kind() === "ipv4" ? 32 : 128] as [Addr, number];
    })();
  } catch {
    return undefined;
  }
}

function protoNumber(p: string): number {
  return PROTOCOLS[p.toLowerCase()] ?? Number(p);
}

function parsePorts(ports: string): PortRange[] | "*" {
  if (ports === "*") return "*";
  return ports.split(",").map((part) => {
    const [lo, hi] = part.split("-");
    return [Number(lo), Number(hi ?? lo)] as PortRange;
  });
}

export class Evaluator {
  private readonly flats: Flat[] = [];
  private readonly origins: Origin[] = [];

  constructor(
    private readonly policy: Policy,
    private readonly dir: Directory,
  ) {
    policy.acls.forEach((rule, i) => {
      this.origins.push({ users: rule.src, ports: rule.dst, lineNumber: policy.lines.acls[i] ?? 0 });
      const dst = rule.dst.map((d) => {
        const { host, ports } = splitHostPorts(d);
        return { host, ports: parsePorts(ports) };
      });
      this.flats.push({ src: rule.src, dst, protos: rule.proto ? [protoNumber(rule.proto)] : undefined, origin: this.origins.length - 1 });
    });
    policy.grants.forEach((grant, i) => {
      const origin = this.origins.length;
      this.origins.push({
        users: grant.src,
        ports: grant.dst.flatMap((h) => grant.ip.map((spec) => `${h}:${spec === "*" ? "*" : spec.includes(":") ? spec.slice(spec.indexOf(":") + 1) : spec}`)),
        lineNumber: policy.lines.grants[i] ?? 0,
      });
      for (const spec of grant.ip) {
        const colon = spec.indexOf(":");
        const protos = spec !== "*" && colon >= 0 ? [protoNumber(spec.slice(0, colon))] : undefined;
        const ports = parsePorts(spec === "*" ? "*" : colon >= 0 ? spec.slice(colon + 1) : spec);
        this.flats.push({ src: grant.src, dst: grant.dst.map((host) => ({ host, ports })), protos, origin });
      }
    });
  }

  // ---------------------------------------------------------------- names to identities

  private userIdent(ref: string): UserIdent {
    const u = this.dir.users.find((x) => x.loginName.toLowerCase() === ref.toLowerCase()) ?? this.dir.users.find((x) => userRefMatches(ref, x.loginName));
    return u ? { login: u.loginName, role: u.role, type: u.type } : { login: ref, role: "member", type: "member" };
  }

  private devicesOf(pred: (d: Directory["devices"][number]) => boolean): Addr[] {
    return this.dir.devices.filter(pred).flatMap((d) => d.addresses.map(parseAddr).filter((a): a is Addr => a !== undefined));
  }

  private ofUser(u: UserIdent): Ident {
    return { user: u, tags: [], ips: this.devicesOf((d) => d.tags.length === 0 && d.userLogin !== null && d.userLogin.toLowerCase() === u.login.toLowerCase()) };
  }

  /** The identity behind an address: the device holding it (its user, or its tags), or the bare address. */
  private ofAddress(a: Addr): Ident {
    const d = this.dir.devices.find((x) => x.addresses.some((s) => parseAddr(s)?.toString() === a.toString()));
    if (!d) return { tags: [], ips: [a] };
    if (d.tags.length > 0 || d.userLogin === null) return { tags: d.tags, ips: [a] };
    return { user: this.userIdent(d.userLogin), tags: [], ips: [a] };
  }

  /** The identities a test or preview names: a user, each member of a group, a tag, a host or an address. */
  resolve(name: string): Ident[] {
    if (name.startsWith("group:")) return (this.policy.groups[name] ?? []).map((m) => this.ofUser(this.userIdent(m)));
    if (name.startsWith("tag:")) return [{ tags: [name], ips: this.devicesOf((d) => d.tags.includes(name)) }];
    const host = this.policy.hosts[name];
    if (host !== undefined) {
      const r = parseRange(host);
      return r ? [r[1] === (r[0].kind() === "ipv4" ? 32 : 128) ? this.ofAddress(r[0]) : { tags: [], ips: [r[0]] }] : [];
    }
    const a = parseAddr(name);
    if (a) return [this.ofAddress(a)];
    return [this.ofUser(this.userIdent(name))];
  }

  // ---------------------------------------------------------------- selectors

  /** Whether a rule's source or destination selector names the identity. `src` is the source, for autogroup:self. */
  private names(sel: string, id: Ident, src?: Ident): boolean {
    if (sel === "*") return true;
    const personal = id.user !== undefined && id.tags.length === 0 ? id.user : undefined;
    if (sel.startsWith("autogroup:")) {
      switch (sel) {
        case "autogroup:tagged":
          return id.tags.length > 0;
        case "autogroup:self":
          return personal !== undefined && src?.user !== undefined && src.tags.length === 0 && src.user.login.toLowerCase() === personal.login.toLowerCase();
        case "autogroup:member":
          return personal?.type === "member";
        case "autogroup:shared":
          return personal?.type === "shared";
        case "autogroup:danger-all":
          return true;
        case "autogroup:internet":
        case "autogroup:nonroot":
          return false;
        default:
          return personal !== undefined && personal.type === "member" && roleAutogroupNames(sel, personal.role);
      }
    }
    if (sel.startsWith("group:")) return personal !== undefined && (this.policy.groups[sel] ?? []).some((m) => userRefMatches(m, personal.login));
    if (sel.startsWith("tag:")) return id.tags.includes(sel);
    const range = parseRange(this.policy.hosts[sel] ?? sel);
    if (range) return id.ips.some((ip) => ip.kind() === range[0].kind() && ip.match(range));
    return personal !== undefined && userRefMatches(sel, personal.login);
  }

  private protoOk(f: Flat, proto: number | undefined): boolean {
    if (proto === undefined) return f.protos === undefined || f.protos.some((p) => p === 6 || p === 17);
    return f.protos === undefined ? ANY_PROTO.has(proto) : f.protos.includes(proto);
  }

  /** Whether traffic from `src` to `dst` on `port` (and `proto`; undefined: TCP or UDP) is accepted. */
  allows(src: Ident, dst: Ident, port: number, proto?: number): boolean {
    return this.flats.some(
      (f) =>
        this.protoOk(f, proto) &&
        f.src.some((s) => this.names(s, src)) &&
        f.dst.some((d) => (d.ports === "*" || d.ports.some(([lo, hi]) => port >= lo && port <= hi)) && this.names(d.host, dst, src)),
    );
  }

  // ---------------------------------------------------------------- tests and preview

  /** Runs tests; the failures, grouped by source, in Tailscale's shape (`address "h:p": want: Accept, got: Drop`). */
  runTests(tests: readonly PolicyTest[]): { user: string; errors: string[] }[] {
    const failures = new Map<string, string[]>();
    for (const t of tests) {
      const srcs = this.resolve(t.src);
      const proto = t.proto ? protoNumber(t.proto) : undefined;
      const check = (dst: string, want: boolean) => {
        const { host, ports } = splitHostPorts(dst);
        const port = Number(ports);
        const dsts = this.resolve(host);
        const ok = srcs.every((s) => dsts.every((d) => this.allows(s, d, port, proto) === want));
        if (!ok) {
          const list = failures.get(t.src) ?? [];
          list.push(`address ${JSON.stringify(dst)}: want: ${want ? "Accept" : "Drop"}, got: ${want ? "Drop" : "Accept"}`);
          failures.set(t.src, list);
        }
      };
      t.accept.forEach((d) => check(d, true));
      t.deny.forEach((d) => check(d, false));
    }
    return [...failures].map(([user, errors]) => ({ user, errors }));
  }

  /** The rules whose source names `user` (preview type `user`). */
  previewUser(user: string): Origin[] {
    const ids = this.resolve(user);
    return this.matching((f) => f.src.some((s) => ids.some((id) => this.names(s, id))));
  }

  /** The rules whose destination takes `address:port` (preview type `ipport`). */
  previewAddress(address: string, port: number): Origin[] {
    const a = parseAddr(address)!;
    const id = this.ofAddress(a);
    return this.matching((f) =>
      f.dst.some((d) => (d.ports === "*" || d.ports.some(([lo, hi]) => port >= lo && port <= hi)) && this.names(d.host, id, id)),
    );
  }

  private matching(pred: (f: Flat) => boolean): Origin[] {
    const seen = new Set<number>();
    for (const f of this.flats) if (!seen.has(f.origin) && pred(f)) seen.add(f.origin);
    return [...seen].sort((a, b) => a - b).map((i) => this.origins[i]!);
  }
}

/** `ip:port` (IPv6 bracketed: `[fd7a::1]:22`) as preview takes it; undefined when it is not that. */
export function parseIpPort(text: string): { address: string; port: number } | undefined {
  const { host, ports } = splitHostPorts(text);
  if (!/^\d{1,5}$/.test(ports) || Number(ports) > 65535) return undefined;
  if (!parseAddr(host)) return undefined;
  return { address: host, port: Number(ports) };
}
