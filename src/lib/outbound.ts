import { lookup as dnsLookup } from "node:dns";
import type { LookupAddress, LookupOneOptions } from "node:dns";
import ipaddr from "ipaddr.js";

/**
 * The guard for requests the server makes itself (webhook deliveries): a
 * target must be a public unicast address. Loopback, link-local, private
 * (RFC 1918, unique-local), carrier-grade NAT (100.64.0.0/10, which is also
 * where tailnet addresses live), multicast, unspecified, reserved and
 * documentation ranges are refused, as are IPv4-mapped and NAT64 forms of
 * them, unless an allow-list entry (a CIDR, an address, or a host name) in the
 * configuration says otherwise.
 *
 * The check is made on the address actually connected to: `guardedLookup` is
 * a `lookup` for node:http / undici, so a name that resolves to a public
 * address at check time and to 127.0.0.1 at connect time (DNS rebinding) is
 * still refused. `checkOutboundUrl` is the early check for a URL given by a
 * user (a 400 when a webhook is created).
 */

export type OutboundPolicy = {
  /** CIDRs, addresses or host names that may be reached even though they are not public. */
  allow: readonly string[];
};

export const DEFAULT_OUTBOUND: OutboundPolicy = { allow: [] };

export class OutboundRefused extends Error {
  readonly code = "ERR_OUTBOUND_REFUSED";
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

function parseAllow(allow: readonly string[]): { cidrs: Cidr[]; hosts: Set<string> } {
  const cidrs: Cidr[] = [];
  const hosts = new Set<string>();
  for (const raw of allow) {
    const entry = raw.trim();
    if (!entry) continue;
    if (entry.includes("/")) cidrs.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const a = ipaddr.parse(entry);
      cidrs.push([a, a.kind() === "ipv4" ? 32 : 128]);
    } else hosts.add(entry.toLowerCase().replace(/\.$/, ""));
  }
  return { cidrs, hosts };
}

/** Throws on an allow-list entry that is neither a CIDR, an address nor a host name (config validation). */
export function validateAllowList(allow: readonly string[]): string | undefined {
  for (const entry of allow) {
    try {
      if (entry.includes("/")) ipaddr.parseCIDR(entry);
      else if (!ipaddr.isValid(entry) && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(entry)) return `"${entry}" is not a CIDR, an address or a host name`;
    } catch {
      return `"${entry}" is not a valid CIDR`;
    }
  }
  return undefined;
}

/** Why an address may not be reached (undefined: it may). */
export function addressProblem(address: string, policy: OutboundPolicy = DEFAULT_OUTBOUND): string | undefined {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  let a = ipaddr.parse(address);
  // ::ffff:127.0.0.1 is 127.0.0.1; 64:ff9b::7f00:1 (NAT64) reaches 127.0.0.1 too.
  if (a.kind() === "ipv6") {
    const v6 = a as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) a = v6.toIPv4Address();
    else if (v6.range() === "rfc6052") a = ipaddr.fromByteArray(v6.toByteArray().slice(12));
  }
  const { cidrs } = parseAllow(policy.allow);
  if (cidrs.some(([net, bits]) => net.kind() === a.kind() && a.match(net as never, bits))) return undefined;
  const range = a.range();
  if (range === "unicast") return undefined;
  return `${address} is a ${range} address`;
}

/** A `dns.lookup` that only yields addresses the policy allows (for http.request's and undici's `lookup` option). */
export function guardedLookup(policy: OutboundPolicy = DEFAULT_OUTBOUND, resolve: typeof dnsLookup = dnsLookup) {
  const { hosts } = parseAllow(policy.allow);
  return (hostname: string, options: LookupOneOptions | number, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    const opts = typeof options === "number" ? { family: options } : { ...options };
    resolve(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const list = addresses as LookupAddress[];
      const allowedHost = hosts.has(hostname.toLowerCase().replace(/\.$/, ""));
      const ok = allowedHost ? list : list.filter((x) => addressProblem(x.address, policy) === undefined);
      if (!ok.length) {
        const why = list.map((x) => addressProblem(x.address, policy)).filter(Boolean).join("; ");
        return callback(new OutboundRefused(`refusing to connect to ${hostname}: ${why || "no address"}`), "", 0);
      }
      if ((opts as { all?: boolean }).all) return callback(null, ok);
      callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}

/**
 * The early check of a URL a user gives (a webhook endpoint): http(s) only,
 * no credentials in it, and every address its host resolves to allowed.
 * Returns the problem, or undefined when it may be used.
 */
export async function checkOutboundUrl(
  url: string,
  policy: OutboundPolicy = DEFAULT_OUTBOUND,
  resolve: (host: string) => Promise<string[]> = async (h) => (await import("node:dns/promises")).lookup(h, { all: true }).then((l) => l.map((x) => x.address)),
): Promise<string | undefined> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "must be an absolute http:// or https:// URL";
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return "must be an http:// or https:// URL";
  if (u.username || u.password) return "must not carry a user name or password";
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const { hosts } = parseAllow(policy.allow);
  if (hosts.has(host.toLowerCase().replace(/\.$/, ""))) return undefined;
  let addresses: string[];
  if (ipaddr.isValid(host)) addresses = [host];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      return `its host ${host} does not resolve`;
    }
  }
  if (!addresses.length) return `its host ${host} does not resolve`;
  for (const a of addresses) {
    const problem = addressProblem(a, policy);
    if (problem) return `must not point at a loopback, link-local or private address (${problem}); allow it with TAILAPI_OUTBOUND_ALLOW`;
  }
  return undefined;
}
