import { query, type Queryable } from "./sql.js";

export type PolicyRow = { text: string; etag: string; updatedAt: Date };

/** The stored policy file; undefined means the default (never changed, or reset). */
export async function getPolicyRow(db: Queryable, tailnetId: string, forUpdate = false): Promise<PolicyRow | undefined> {
  const [r] = await query(
    db,
    `SELECT text, etag, updated_at FROM policies WHERE tailnet_id = $1${forUpdate ? " FOR UPDATE" : ""}`,
    [tailnetId],
  );
  return r ? { text: r.text as string, etag: r.etag as string, updatedAt: r.updated_at as Date } : undefined;
}

export async function putPolicyRow(db: Queryable, tailnetId: string, text: string, etag: string, now: Date): Promise<void> {
  await query(
    db,
    `INSERT INTO policies (tailnet_id, text, etag, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tailnet_id) DO UPDATE SET text = EXCLUDED.text, etag = EXCLUDED.etag, updated_at = EXCLUDED.updated_at`,
    [tailnetId, text, etag, now],
  );
}

export async function deletePolicyRow(db: Queryable, tailnetId: string): Promise<void> {
  await query(db, `DELETE FROM policies WHERE tailnet_id = $1`, [tailnetId]);
}
