import { query, type Queryable } from "./sql.js";

export type Tailnet = { tailnetId: string; name: string; dnsSuffix: string; keyExpirySeconds: number };

const COLUMNS = "tailnet_id::text AS tailnet_id, name, dns_suffix, key_expiry_seconds";

function toTailnet(r: Record<string, unknown>): Tailnet {
  return {
    tailnetId: r.tailnet_id as string,
    name: r.name as string,
    dnsSuffix: r.dns_suffix as string,
    keyExpirySeconds: r.key_expiry_seconds as number,
  };
}

/** Inserts a tailnet; undefined when the name is taken (without failing the surrounding transaction). */
export async function insertTailnet(sql: Queryable, t: { tailnetId: string; name: string; dnsSuffix: string }): Promise<Tailnet | undefined> {
  const [row] = await query(
    sql,
    `INSERT INTO tailnets (tailnet_id, name, dns_suffix) VALUES ($1, $2, $3)
     ON CONFLICT (lower(name)) DO NOTHING RETURNING ${COLUMNS}`,
    [t.tailnetId, t.name, t.dnsSuffix],
  );
  return row ? toTailnet(row) : undefined;
}

export async function findTailnetByName(sql: Queryable, name: string): Promise<Tailnet | undefined> {
  const [row] = await query(sql, `SELECT ${COLUMNS} FROM tailnets WHERE lower(name) = lower($1)`, [name]);
  return row ? toTailnet(row) : undefined;
}

export async function getTailnet(sql: Queryable, tailnetId: string): Promise<Tailnet | undefined> {
  const [row] = await query(sql, `SELECT ${COLUMNS} FROM tailnets WHERE tailnet_id = $1`, [tailnetId]);
  return row ? toTailnet(row) : undefined;
}

export async function listTailnets(sql: Queryable): Promise<Tailnet[]> {
  return (await query(sql, `SELECT ${COLUMNS} FROM tailnets ORDER BY name`)).map(toTailnet);
}

/** Every tailnet id (the sweeper walks them, so each of its statements stays scoped by tailnet). */
export async function listTailnetIds(sql: Queryable): Promise<string[]> {
  return (await query<{ tailnet_id: string }>(sql, `SELECT tailnet_id::text AS tailnet_id FROM tailnets`)).map((r) => r.tailnet_id);
}

/** The tailnet's MagicDNS suffix (an import adopts the real tailnet's, so device names read the same). */
export async function setDnsSuffix(sql: Queryable, tailnetId: string, dnsSuffix: string): Promise<void> {
  await query(sql, `UPDATE tailnets SET dns_suffix = $2 WHERE tailnet_id = $1`, [tailnetId, dnsSuffix]);
}
