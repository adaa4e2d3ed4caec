import ipaddr from "ipaddr.js";
import { getDns as getDnsRow, saveDns, type DnsRow, type Resolver } from "../db/dns.js";
import { invalid } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { audit, tailnetTarget, type AuditEntry } from "./audit.js";
import type { Deps } from "./deps.js";

export type { DnsRow, Resolver };

export const MAX_NAMESERVERS = 100;
export const MAX_SEARCH_PATHS = 100;
export const MAX_SPLIT_DOMAINS = 500;

const LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;

/** A DNS domain (`example.com`, `corp.internal`; a trailing dot is dropped), or undefined when it is not one. */
export function normalDomain(text: string): string | undefined {
  const t = text.endsWith(".") ? text.slice(0, -1) : text;
  if (t.length === 0 || t.length > 253) return undefined;
  return t.split(".").every((l) => LABEL.test(l)) ? t : undefined;
}

/** A nameserver: an IPv4 or IPv6 address, or a DNS-over-HTTPS URL. Returns its canonical text. */
export function normalNameserver(text: string): string | undefined {
  if (ipaddr.isValid(text) && (ipaddr.IPv4.isValidFourPartDecimal(text) || text.includes(":"))) return ipaddr.parse(text).toString();
  if (/^https:\/\//.test(text)) {
    try {
      const u = new URL(text);
      return u.hostname ? u.toString() : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function nameservers(field: string, list: readonly string[]): string[] {
  if (list.length > MAX_NAMESERVERS) throw invalid(`${field}: at most ${MAX_NAMESERVERS} nameservers`);
  return [
    ...new Set(
      list.map((a) => {
        const n = normalNameserver(a);
        if (!n) throw invalid(`${field}: ${JSON.stringify(a)} is not an IP address or an https:// DNS-over-HTTPS URL`);
        return n;
      }),
    ),
  ];
}

function domains(field: string, list: readonly string[], max: number): string[] {
  if (list.length > max) throw invalid(`${field}: at most ${max} domains`);
  return [
    ...new Set(
      list.map((s) => {
        const n = normalDomain(s);
        if (!n) throw invalid(`${field}: ${JSON.stringify(s)} is not a valid domain name`);
        return n;
      }),
    ),
  ];
}

const addresses = (rs: readonly Resolver[]) => rs.map((r) => r.address);
const resolvers = (list: string[]): Resolver[] => list.map((address) => ({ address, useWithExitNode: false }));

export function getDns(d: Deps, actor: Actor): Promise<DnsRow> {
  return getDnsRow(d.sql, actor.tailnetId);
}

/** Read, change, write and audit in one transaction that holds the tailnet's row. */
async function change(d: Deps, actor: Actor, fn: (c: DnsRow) => AuditEntry[]): Promise<DnsRow> {
  return d.sql.begin(async (tx) => {
    const c = await getDnsRow(tx, actor.tailnetId, true);
    const entries = fn(c);
    await saveDns(tx, actor.tailnetId, c);
    if (entries.length) await audit(tx, d, actor, ...entries);
    return c;
  });
}

const dnsConfigEntry = (actor: Actor, old: unknown, next: unknown): AuditEntry[] =>
  JSON.stringify(old) === JSON.stringify(next) ? [] : [{ action: "UPDATE", target: tailnetTarget(actor, "DNS_CONFIG"), old, new: next }];

/**
 * Replaces the global nameservers. Removing the last one turns MagicDNS off
 * (Tailscale's rule); it stays off until turned on again.
 */
export async function setNameservers(d: Deps, actor: Actor, list: string[]): Promise<DnsRow> {
  const next = nameservers("dns", list);
  return change(d, actor, (c) => {
    const entries = dnsConfigEntry(actor, { nameservers: addresses(c.nameservers) }, { nameservers: next });
    c.nameservers = next.map((address) => ({ address, useWithExitNode: c.nameservers.find((r) => r.address === address)?.useWithExitNode ?? false }));
    if (next.length === 0 && c.magicDNS) {
      c.magicDNS = false;
      entries.push({ action: "DISABLE", target: tailnetTarget(actor, "MAGIC_DNS"), old: true, new: false, details: "the last nameserver was removed" });
    }
    return entries;
  });
}

/** MagicDNS on or off; on needs at least one nameserver (Tailscale's rule). */
export async function setMagicDns(d: Deps, actor: Actor, on: boolean): Promise<DnsRow> {
  return change(d, actor, (c) => {
    if (on && c.nameservers.length === 0) throw invalid("MagicDNS cannot be enabled without at least one DNS nameserver; add one first");
    if (c.magicDNS === on) return [];
    c.magicDNS = on;
    return [{ action: on ? "ENABLE" : "DISABLE", target: tailnetTarget(actor, "MAGIC_DNS"), old: !on, new: on }];
  });
}

export async function setSearchPaths(d: Deps, actor: Actor, list: string[]): Promise<DnsRow> {
  const next = domains("searchPaths", list, MAX_SEARCH_PATHS);
  return change(d, actor, (c) => {
    const entries = dnsConfigEntry(actor, { searchPaths: c.searchPaths }, { searchPaths: next });
    c.searchPaths = next;
    return entries;
  });
}

function splitEntries(body: Record<string, string[] | null>): [string, string[] | null][] {
  const entries = Object.entries(body);
  if (entries.length > MAX_SPLIT_DOMAINS) throw invalid(`at most ${MAX_SPLIT_DOMAINS} split DNS domains`);
  return entries.map(([domain, ns]) => {
    const n = normalDomain(domain);
    if (!n) throw invalid(`${JSON.stringify(domain)} is not a valid domain name`);
    return [n, ns === null || ns.length === 0 ? null : nameservers(domain, ns)];
  });
}

const splitView = (s: Record<string, Resolver[]>) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, addresses(v)]));

/** Split DNS: PATCH merges (null or [] removes a domain); PUT (`replace`) replaces the whole map. */
export async function updateSplitDns(d: Deps, actor: Actor, body: Record<string, string[] | null>, replace: boolean): Promise<DnsRow> {
  const entries = splitEntries(body);
  return change(d, actor, (c) => {
    const old = splitView(c.splitDns);
    const next: Record<string, Resolver[]> = replace ? {} : { ...c.splitDns };
    for (const [domain, ns] of entries) {
      if (ns === null) delete next[domain];
      else next[domain] = resolvers(ns);
    }
    c.splitDns = next;
    return dnsConfigEntry(actor, { splitDns: old }, { splitDns: splitView(next) });
  });
}

export type DnsConfiguration = {
  nameservers: Resolver[];
  splitDNS: Record<string, Resolver[]>;
  searchPaths: string[];
  preferences: { overrideLocalDNS: boolean; magicDNS: boolean };
};

/** Replaces the whole DNS configuration at once (the Go client's alpha `dns/configuration`). */
export async function setDnsConfiguration(d: Deps, actor: Actor, cfg: DnsConfiguration): Promise<DnsRow> {
  const ns = nameservers("nameservers", cfg.nameservers.map((r) => r.address));
  const withExit = new Map(cfg.nameservers.map((r) => [normalNameserver(r.address), r.useWithExitNode]));
  const search = domains("searchPaths", cfg.searchPaths, MAX_SEARCH_PATHS);
  const split = splitEntries(Object.fromEntries(Object.entries(cfg.splitDNS).map(([k, v]) => [k, v.map((r) => r.address)])));
  if (cfg.preferences.magicDNS && ns.length === 0) throw invalid("MagicDNS cannot be enabled without at least one DNS nameserver; add one first");
  return change(d, actor, (c) => {
    const before = configurationOf(c);
    c.nameservers = ns.map((address) => ({ address, useWithExitNode: withExit.get(address) ?? false }));
    c.searchPaths = search;
    c.splitDns = {};
    for (const [domain, list] of split) {
      if (!list) continue;
      const given = cfg.splitDNS[domain] ?? Object.entries(cfg.splitDNS).find(([k]) => normalDomain(k) === domain)?.[1] ?? [];
      const exitOf = new Map(given.map((r) => [normalNameserver(r.address), r.useWithExitNode]));
      c.splitDns[domain] = list.map((address) => ({ address, useWithExitNode: exitOf.get(address) ?? false }));
    }
    c.magicDNS = cfg.preferences.magicDNS;
    c.overrideLocalDNS = cfg.preferences.overrideLocalDNS;
    return dnsConfigEntry(actor, before, configurationOf(c));
  });
}

export function configurationOf(c: DnsRow): DnsConfiguration {
  return {
    nameservers: c.nameservers,
    splitDNS: c.splitDns,
    searchPaths: c.searchPaths,
    preferences: { overrideLocalDNS: c.overrideLocalDNS, magicDNS: c.magicDNS },
  };
}
