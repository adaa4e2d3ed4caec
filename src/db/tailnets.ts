import { randomBytes } from "node:crypto";
import { randomNumericId } from "../lib/ids.js";
import { isUniqueViolation, query, type Queryable } from "./sql.js";

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

export class TailnetExistsError extends Error {}

/** Creates a tailnet with a MagicDNS suffix in Tailscale's style (`tail1a2b3c.ts.net`). */
export async function createTailnet(sql: Queryable, name: string): Promise<Tailnet> {
  try {
    const [row] = await query(sql, 
      `INSERT INTO tailnets (tailnet_id, name, dns_suffix) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [randomNumericId(), name, `tail${randomBytes(3).toString("hex")}.ts.net`],
    );
    return toTailnet(row!);
  } catch (err) {
    if (isUniqueViolation(err, "tailnets_name_key")) throw new TailnetExistsError(`tailnet ${name} already exists`);
    throw err;
  }
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
