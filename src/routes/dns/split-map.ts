import type { z } from "@hono/zod-openapi";
import type { DnsConfiguration, DnsRow } from "../../domain/dns.js";
import type { DnsConfigurationSchema } from "./wire.js";

/** Split DNS as Tailscale answers it: domain → nameserver addresses. */
export function splitMap(r: DnsRow): Record<string, string[]> {
  return Object.fromEntries(Object.entries(r.splitDns).map(([k, v]) => [k, v.map((x) => x.address)]));
}

/** The wire's optional fields as the domain's complete configuration (absent means empty or off). */
export function toDomainConfiguration(b: z.infer<typeof DnsConfigurationSchema>): DnsConfiguration {
  const r = (x: { address: string; useWithExitNode?: boolean }) => ({ address: x.address, useWithExitNode: x.useWithExitNode ?? false });
  return {
    nameservers: (b.nameservers ?? []).map(r),
    splitDNS: Object.fromEntries(Object.entries(b.splitDNS ?? {}).map(([k, v]) => [k, v.map(r)])),
    searchPaths: b.searchPaths ?? [],
    preferences: { overrideLocalDNS: b.preferences?.overrideLocalDNS ?? false, magicDNS: b.preferences?.magicDNS ?? false },
  };
}
