import ipaddr from "ipaddr.js";

/**
 * Subnet routes: an IPv4 or IPv6 prefix in canonical form (`10.0.0.0/16`, not
 * `10.0.0.1/16`). Exit-node routes are 0.0.0.0/0 and ::/0. Returns the
 * canonical text, or undefined when `text` is not such a prefix.
 */
export function canonicalCidr(text: string): string | undefined {
  if (!text.includes("/")) return undefined;
  try {
    const [addr, bits] = ipaddr.parseCIDR(text);
    const net = addr.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
    if (net.toString() !== addr.toString()) return undefined;
    if (addr.kind() === "ipv4" && !ipaddr.IPv4.isValidFourPartDecimal(text.split("/")[0]!)) return undefined;
    return `${addr.toString()}/${bits}`;
  } catch {
    return undefined;
  }
}
