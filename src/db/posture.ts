import type { PostureColumn } from "./devices.js";
import { query, type Queryable, type TxSql } from "./sql.js";

export type PostureType = "string" | "number" | "boolean";
export type PostureKey = { key: string; valueType: PostureType };

/**
 * Registers a key for the tailnet if it is new (the first writer's spelling
 * and type win, also when two writes race), and returns the key as
 * registered, locked until the transaction ends. The conflict has no target
 * on purpose: the table has two unique constraints (the key, and the key with
 * its spelling that the attributes' foreign key references), and racing
 * inserts of one spelling that pass PostgreSQL's pre-check together would
 * fail on whichever constraint is not an arbiter.
 */
export async function claimPostureKey(tx: TxSql, tailnetId: string, key: string, valueType: PostureType): Promise<PostureKey> {
  await query(
    tx,
    `INSERT INTO posture_attribute_keys (tailnet_id, key_lower, key, value_type) VALUES ($1, lower($2), $2, $3)
     ON CONFLICT DO NOTHING`,
    [tailnetId, key, valueType],
  );
  return (await lockPostureKey(tx, tailnetId, key))!;
}

export async function lockPostureKey(tx: TxSql, tailnetId: string, key: string): Promise<PostureKey | undefined> {
  const [r] = await query<{ key: string; value_type: PostureType }>(
    tx,
    `SELECT key, value_type FROM posture_attribute_keys WHERE tailnet_id = $1 AND key_lower = lower($2) FOR UPDATE`,
    [tailnetId, key],
  );
  return r ? { key: r.key, valueType: r.value_type } : undefined;
}

export async function upsertPostureAttribute(
  tx: TxSql,
  a: { tailnetId: string; deviceId: string; key: string; value: string | number | boolean; expiresAt: Date | null; comment: string; now: Date },
): Promise<void> {
  await query(
    tx,
    `INSERT INTO posture_attributes (tailnet_id, device_id, key_lower, key, value, expires_at, comment, updated_at)
     VALUES ($1, $2, lower($3), $3, $4::text::jsonb, $5, $6, $7)
     ON CONFLICT (tailnet_id, device_id, key_lower)
     DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at, comment = EXCLUDED.comment, updated_at = EXCLUDED.updated_at`,
    [a.tailnetId, a.deviceId, a.key, JSON.stringify(a.value), a.expiresAt, a.comment, a.now],
  );
}

/** Deletes one attribute; false when the device had none of that key (an expired one counts as none). */
export async function deletePostureAttribute(tx: TxSql, tailnetId: string, deviceId: string, key: string, now: Date): Promise<boolean> {
  const rows = await query<{ live: boolean }>(
    tx,
    `DELETE FROM posture_attributes WHERE tailnet_id = $1 AND device_id = $2 AND key_lower = lower($3)
     RETURNING (expires_at IS NULL OR expires_at > $4) AS live`,
    [tailnetId, deviceId, key, now],
  );
  return rows.some((r) => r.live);
}

/** Frees a key no device holds any more (so its type can be chosen anew); the caller holds the key's lock. */
export async function dropPostureKeyIfUnused(tx: TxSql, tailnetId: string, key: string): Promise<void> {
  await query(
    tx,
    `DELETE FROM posture_attribute_keys k WHERE k.tailnet_id = $1 AND k.key_lower = lower($2)
       AND NOT EXISTS (SELECT 1 FROM posture_attributes a WHERE a.tailnet_id = k.tailnet_id AND a.key_lower = k.key_lower)`,
    [tailnetId, key],
  );
}

/** A device's live custom attributes. */
export async function listPostureAttributes(db: Queryable, tailnetId: string, deviceId: string, now: Date): Promise<PostureColumn> {
  const rows = await query<{ key: string; value: string | number | boolean; expiry: string | null }>(
    db,
    `SELECT a.key, a.value, to_char(a.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expiry
     FROM posture_attributes a
     WHERE a.tailnet_id = $1 AND a.device_id = $2 AND (a.expires_at IS NULL OR a.expires_at > $3)
     ORDER BY a.key`,
    [tailnetId, deviceId, now],
  );
  return Object.fromEntries(rows.map((r) => [r.key, { value: r.value, expiry: r.expiry }]));
}
