import { query, type Queryable } from "./sql.js";

export type Resolver = { address: string; useWithExitNode: boolean };
export type DnsRow = {
  nameservers: Resolver[];
  magicDNS: boolean;
  overrideLocalDNS: boolean;
  searchPaths: string[];
  splitDns: Record<string, Resolver[]>;
};

export const EMPTY_DNS: DnsRow = { nameservers: [], magicDNS: false, overrideLocalDNS: false, searchPaths: [], splitDns: {} };

/** A tailnet's DNS configuration (the defaults when it never set one); `forUpdate` serialises changes. */
export async function getDns(db: Queryable, tailnetId: string, forUpdate = false): Promise<DnsRow> {
  if (forUpdate) await query(db, `SELECT 1 FROM tailnets WHERE tailnet_id = $1 FOR NO KEY UPDATE`, [tailnetId]);
  const [r] = await query(
    db,
    `SELECT nameservers, magic_dns, override_local_dns, search_paths, split_dns FROM dns_config WHERE tailnet_id = $1`,
    [tailnetId],
  );
  if (!r) return structuredClone(EMPTY_DNS);
  return {
    nameservers: r.nameservers as Resolver[],
    magicDNS: r.magic_dns as boolean,
    overrideLocalDNS: r.override_local_dns as boolean,
    searchPaths: r.search_paths as string[],
    splitDns: r.split_dns as Record<string, Resolver[]>,
  };
}

export async function saveDns(db: Queryable, tailnetId: string, c: DnsRow): Promise<void> {
  await query(
    db,
    `INSERT INTO dns_config (tailnet_id, nameservers, magic_dns, override_local_dns, search_paths, split_dns)
     VALUES ($1, $2::text::jsonb, $3, $4, $5, $6::text::jsonb)
     ON CONFLICT (tailnet_id) DO UPDATE SET nameservers = EXCLUDED.nameservers, magic_dns = EXCLUDED.magic_dns,
       override_local_dns = EXCLUDED.override_local_dns, search_paths = EXCLUDED.search_paths, split_dns = EXCLUDED.split_dns`,
    [tailnetId, JSON.stringify(c.nameservers), c.magicDNS, c.overrideLocalDNS, c.searchPaths, JSON.stringify(c.splitDns)],
  );
}
