import { query, type Queryable, type TxSql } from "./sql.js";

export type InviteRow = {
  tailnetId: string;
  inviteId: string;
  deviceId: string;
  sharerUserId: string;
  code: string;
  multiUse: boolean;
  allowExitNode: boolean;
  email: string;
  lastEmailSentAt: string | null;
  acceptCount: number;
  created: string;
  /** The latest acceptance, if any. */
  acceptedBy: { userId: string; loginName: string } | null;
};

const rfc3339 = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

const SELECT = `SELECT i.tailnet_id::text AS tailnet_id, i.invite_id::text AS invite_id, i.device_id::text AS device_id,
    i.sharer_user_id::text AS sharer_user_id, i.code, i.multi_use, i.allow_exit_node, i.email,
    ${rfc3339("i.last_email_sent_at")} AS last_email_sent_at, i.accept_count, ${rfc3339("i.created_at")} AS created,
    acc.user_id AS accepted_user_id, acc.login_name AS accepted_login
  FROM device_invites i
  LEFT JOIN LATERAL (
    SELECT s.accepted_by_user_id::text AS user_id, u.login_name
    FROM device_shares s JOIN users u ON u.tailnet_id = s.tailnet_id AND u.user_id = s.accepted_by_user_id
    WHERE s.source_tailnet_id = i.tailnet_id AND s.invite_id = i.invite_id
    ORDER BY s.created_at DESC LIMIT 1
  ) acc ON true`;

function toInvite(r: Record<string, unknown>): InviteRow {
  return {
    tailnetId: r.tailnet_id as string,
    inviteId: r.invite_id as string,
    deviceId: r.device_id as string,
    sharerUserId: r.sharer_user_id as string,
    code: r.code as string,
    multiUse: r.multi_use as boolean,
    allowExitNode: r.allow_exit_node as boolean,
    email: r.email as string,
    lastEmailSentAt: (r.last_email_sent_at as string | null) ?? null,
    acceptCount: r.accept_count as number,
    created: r.created as string,
    acceptedBy: r.accepted_user_id ? { userId: r.accepted_user_id as string, loginName: r.accepted_login as string } : null,
  };
}

export async function insertInvite(
  tx: TxSql,
  i: { tailnetId: string; inviteId: string; deviceId: string; sharerUserId: string; code: string; multiUse: boolean; allowExitNode: boolean; email: string; emailSentAt: Date | null; now: Date },
): Promise<void> {
  await query(
    tx,
    `INSERT INTO device_invites (tailnet_id, invite_id, device_id, sharer_user_id, code, multi_use, allow_exit_node, email, last_email_sent_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [i.tailnetId, i.inviteId, i.deviceId, i.sharerUserId, i.code, i.multiUse, i.allowExitNode, i.email, i.emailSentAt, i.now],
  );
}

export async function listInvites(db: Queryable, tailnetId: string, deviceId: string): Promise<InviteRow[]> {
  return (await query(db, `${SELECT} WHERE i.tailnet_id = $1 AND i.device_id = $2 ORDER BY i.created_at, i.invite_id`, [tailnetId, deviceId])).map(toInvite);
}

export async function getInvite(db: Queryable, tailnetId: string, inviteId: string): Promise<InviteRow | undefined> {
  const [r] = await query(db, `${SELECT} WHERE i.tailnet_id = $1 AND i.invite_id = $2`, [tailnetId, inviteId]);
  return r ? toInvite(r) : undefined;
}

export async function deleteInvite(db: Queryable, tailnetId: string, inviteId: string): Promise<boolean> {
  return (await query(db, `DELETE FROM device_invites WHERE tailnet_id = $1 AND invite_id = $2 RETURNING invite_id`, [tailnetId, inviteId])).length > 0;
}

/**
 * Records that the invite's email would be sent now, unless one was sent
 * within `gapMs` (then undefined): the rate limit lives in the row, so every
 * replica honours it.
 */
export async function markInviteEmailed(db: Queryable, tailnetId: string, inviteId: string, now: Date, gapMs: number): Promise<boolean> {
  const rows = await query(
    db,
    `UPDATE device_invites SET last_email_sent_at = $3
     WHERE tailnet_id = $1 AND invite_id = $2 AND (last_email_sent_at IS NULL OR last_email_sent_at <= $4)
     RETURNING invite_id`,
    [tailnetId, inviteId, now, new Date(now.getTime() - gapMs)],
  );
  return rows.length > 0;
}

/** The invite an accepting user presents a code of: looked up without a tailnet id (the accepter does not know it). */
export async function findInviteByCode(db: Queryable, code: string): Promise<{ tailnetId: string; inviteId: string } | undefined> {
  const [r] = await query<{ tailnet_id: string; invite_id: string }>(
    db,
    `/* cross-tailnet: device invite lookup by code */ SELECT tailnet_id::text AS tailnet_id, invite_id::text AS invite_id FROM device_invites WHERE code = $1`,
    [code],
  );
  return r ? { tailnetId: r.tailnet_id, inviteId: r.invite_id } : undefined;
}

/** Takes one acceptance of an invite: once for a single-use one, up to `max` times for a multi-use one. */
export async function claimInvite(tx: TxSql, tailnetId: string, inviteId: string, max: number): Promise<boolean> {
  const rows = await query(
    tx,
    `UPDATE device_invites SET accept_count = accept_count + 1
     WHERE tailnet_id = $1 AND invite_id = $2 AND (accept_count = 0 OR (multi_use AND accept_count < $3))
     RETURNING invite_id`,
    [tailnetId, inviteId, max],
  );
  return rows.length > 0;
}

/** Shares a device into a tailnet; false when it is shared there already. */
export async function insertShare(
  tx: TxSql,
  s: { tailnetId: string; sourceTailnetId: string; deviceId: string; inviteId: string; acceptedByUserId: string; allowExitNode: boolean; now: Date },
): Promise<boolean> {
  const rows = await query(
    tx,
    `INSERT INTO device_shares (tailnet_id, source_tailnet_id, device_id, invite_id, accepted_by_user_id, allow_exit_node, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING device_id`,
    [s.tailnetId, s.sourceTailnetId, s.deviceId, s.inviteId, s.acceptedByUserId, s.allowExitNode, s.now],
  );
  return rows.length > 0;
}
