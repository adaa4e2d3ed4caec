import { z } from "@hono/zod-openapi";
import type { DnsConfiguration } from "../../domain/dns.js";

export const NameserversSchema = z
  .object({ dns: z.array(z.string()).openapi({ example: ["8.8.8.8", "1.1.1.1"], description: "DNS nameservers." }) })
  .openapi("DnsNameservers");

export const SetNameserversResponse = z
  .object({
    dns: z.array(z.string()),
    magicDNS: z.boolean().openapi({ description: "Whether MagicDNS is active (removing every nameserver turns it off)." }),
  })
  .openapi("DnsNameserversUpdated");

export const PreferencesSchema = z.object({ magicDNS: z.boolean().openapi({ description: "Whether MagicDNS is active." }) }).openapi("DnsPreferences");

export const SearchPathsSchema = z
  .object({ searchPaths: z.array(z.string()).openapi({ example: ["user1.example.com"], description: "The search domains." }) })
  .openapi("DnsSearchPaths");

export const SplitDnsSchema = z
  .record(z.string(), z.array(z.string()).nullable())
  .openapi("SplitDns", { description: "Map of domain names to lists of nameservers (or `null`, which removes the domain)." });

/** What split DNS answers: every configured domain with its nameservers. */
export const SplitDnsResponse = z.record(z.string(), z.array(z.string())).openapi("SplitDnsMap");

const Resolver = z
  .object({ address: z.string(), useWithExitNode: z.boolean().optional() })
  .openapi("DnsConfigurationResolver");

export const DnsConfigurationSchema = z
  .object({
    nameservers: z.array(Resolver).optional(),
    splitDNS: z.record(z.string(), z.array(Resolver)).optional(),
    searchPaths: z.array(z.string()).optional(),
    preferences: z.object({ overrideLocalDNS: z.boolean().optional(), magicDNS: z.boolean().optional() }).optional(),
  })
  .openapi("DnsConfiguration", { description: "The whole DNS configuration (Tailscale marks this endpoint alpha)." });

/** The Go client omits empty fields and false booleans; so do we. */
export function toWireConfiguration(c: DnsConfiguration): z.infer<typeof DnsConfigurationSchema> {
  const resolver = (r: { address: string; useWithExitNode: boolean }) => (r.useWithExitNode ? { address: r.address, useWithExitNode: true } : { address: r.address });
  const out: z.infer<typeof DnsConfigurationSchema> = {};
  if (c.nameservers.length) out.nameservers = c.nameservers.map(resolver);
  if (Object.keys(c.splitDNS).length) out.splitDNS = Object.fromEntries(Object.entries(c.splitDNS).map(([k, v]) => [k, v.map(resolver)]));
  if (c.searchPaths.length) out.searchPaths = c.searchPaths;
  const prefs: { overrideLocalDNS?: boolean; magicDNS?: boolean } = {};
  if (c.preferences.overrideLocalDNS) prefs.overrideLocalDNS = true;
  if (c.preferences.magicDNS) prefs.magicDNS = true;
  if (Object.keys(prefs).length) out.preferences = prefs;
  return out;
}
