import { z } from "@hono/zod-openapi";
import ipaddr from "ipaddr.js";

/**
 * Subnet routes: an IPv4 or IPv6 prefix in canonical form (`10.0.0.0/16`, not
 * `10.0.0.1/16`). Exit-node routes are 0.0.0.0/0 and ::/0.
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

export const CidrSchema = z
  .string()
  .max(64)
  .refine((s) => canonicalCidr(s) !== undefined, { message: "must be an IP prefix with no host bits set, like 10.0.0.0/16" })
  .transform((s) => canonicalCidr(s)!);
