import { query, type Queryable } from "./sql.js";

/** A console session as stored (its token only as a hash). */
export type SessionRow = {
  tailnetId: string;
  keyId: string;
  csrfToken: string;
  flash: unknown;
  createdAt: Date;
  expiresAt: Date;
};

function toSession(r: Record<string, unknown>): SessionRow {
  return {
    tailnetId: r.tailnet_id as string,
    keyId: r.key_id as string,
    csrfToken: r.csrf_token as string,
    flash: r.flash ?? null,
    createdAt: r.created_at as Date,
    expiresAt: r.expires_at as Date,
  };
}

export async function insertSession(
  db: Queryable,
  s: { tailnetId: string; tokenHash: Buffer; keyId: string; csrfToken: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await query(
    db,
    `INSERT INTO console_sessions (tailnet_id, token_hash, key_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [s.tailnetId, s.tokenHash, s.keyId, s.csrfToken, s.createdAt, s.expiresAt],
  );
}

/** The live (unexpired) session with this token hash. */
export async function getSession(db: Queryable, tailnetId: string, tokenHash: Buffer, now: Date): Promise<SessionRow | undefined> {
  const [r] = await query(
    db,
    `SELECT tailnet_id::text AS tailnet_id, key_id, csrf_token, flash, created_at, expires_at
     FROM console_sessions WHERE tailnet_id = $1 AND token_hash = $2 AND expires_at > $3`,
    [tailnetId, tokenHash, now],
  );
  return r ? toSession(r) : undefined;
}

export async function setSessionFlash(db: Queryable, tailnetId: string, tokenHash: Buffer, flash: unknown): Promise<void> {
  await query(db, `UPDATE console_sessions SET flash = $3 WHERE tailnet_id = $1 AND token_hash = $2`, [tailnetId, tokenHash, flash]);
}

export async function deleteSession(db: Queryable, tailnetId: string, tokenHash: Buffer): Promise<void> {
  await query(db, `DELETE FROM console_sessions WHERE tailnet_id = $1 AND token_hash = $2`, [tailnetId, tokenHash]);
}

/** Expired sessions of a tailnet are removed when someone signs in to it (no timer needed on any replica). */
export async function deleteExpiredSessions(db: Queryable, tailnetId: string, now: Date): Promise<void> {
  await query(db, `DELETE FROM console_sessions WHERE tailnet_id = $1 AND expires_at <= $2`, [tailnetId, now]);
}
