import { randomBytes, randomInt } from "node:crypto";
import ipaddr from "ipaddr.js";

/**
 * Tailscale address pools: IPv4 from the CGNAT range 100.64.0.0/10 minus the
 * ranges Tailscale reserves (100.100.100.0/24 for its DNS and services,
 * 100.115.92.0/23 used by ChromeOS), IPv6 from fd7a:115c:a1e0::/48.
 */
const CGNAT = ipaddr.parseCIDR("100.64.0.0/10");
const RESERVED_V4 = [ipaddr.parseCIDR("100.100.100.0/24"), ipaddr.parseCIDR("100.115.92.0/23")];
const CGNAT_BASE = 0x64400000; // 100.64.0.0
const CGNAT_SIZE = 1 << 22;

export function isAssignableIPv4(text: string): boolean {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return false;
  const a = ipaddr.IPv4.parse(text);
  if (!a.match(CGNAT)) return false;
  if (RESERVED_V4.some((r) => a.match(r))) return false;
  const last = a.octets[3]!;
  return !(a.octets[1] === 64 && a.octets[2] === 0 && last === 0);
}

/** A random assignable IPv4 address. */
export function randomIPv4(): string {
  for (;;) {
    const n = CGNAT_BASE + randomInt(CGNAT_SIZE);
    const text = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
    if (isAssignableIPv4(text)) return text;
  }
}

/** A random IPv6 address in fd7a:115c:a1e0::/48. */
export function randomIPv6(): string {
  const b = randomBytes(10);
  const groups = ["fd7a", "115c", "a1e0"];
  for (let i = 0; i < 10; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return ipaddr.IPv6.parse(groups.join(":")).toString();
}
