import ipaddr from "ipaddr.js";

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Subnet routes: an IPv4 or IPv6 prefix in canonical form (`10.0.0.0/16`, not
 * `10.0.0.1/16`). Exit-node routes are 0.0.0.0/0 and ::/0. Returns the
 * canonical text, or undefined when `text` is not such a prefix.
 *
 * IPv4 (the common case, and on the write path of every route approval) is
 * checked with integer arithmetic: ipaddr.js signals "not this family" by
 * throwing, which costs tens of microseconds per call.
 */
export function canonicalCidr(text: string): string | undefined {
  const m = V4.exec(text);
  if (m) {
    const octets = [m[1]!, m[2]!, m[3]!, m[4]!];
    // Canonical decimal only: no leading zeros (010 would be octal to some parsers).
    if (octets.some((o) => o.length > 1 && o.startsWith("0"))) return undefined;
    const [a, b, c, d] = octets.map(Number) as [number, number, number, number];
    const bits = Number(m[5]);
    if (a > 255 || b > 255 || c > 255 || d > 255 || bits > 32 || (m[5]!.length > 1 && m[5]!.startsWith("0"))) return undefined;
    const addr = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
    const hostMask = bits === 32 ? 0 : 0xffffffff >>> bits;
    return (addr & hostMask) === 0 ? text : undefined;
  }
  if (!text.includes(":") || !text.includes("/")) return undefined;
  try {
    const [addr, bits] = ipaddr.IPv6.parseCIDR(text);
    const net = ipaddr.IPv6.networkAddressFromCIDR(text);
    return net.toString() === addr.toString() ? `${addr.toString()}/${bits}` : undefined;
  } catch {
    return undefined;
  }
}
