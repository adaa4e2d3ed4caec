import { query, type Queryable } from "./sql.js";

export type UserInvite = {
  tailnetId: string;
  inviteId: string;
  role: string;
  email: string;
  inviterId: string | null;
  createdAt: Date;
  lastEmailSentAt: Date | null;
};

/** An invite as the secret check sees it (see auth/credentials verifySecret). */
export type InviteSecret = UserInvite & { keyType: "invite"; secretHash: Buffer };

const COLUMNS = `tailnet_id::text AS tailnet_id, invite_id::text AS invite_id, role, email, inviter_id::text AS inviter_id, created_at,
  last_email_sent_at`;

function toInvite(r: Record<string, unknown>): UserInvite {
  return {
    tailnetId: r.tailnet_id as string,
    inviteId: r.invite_id as string,
    role: r.role as string,
    email: r.email as string,
    inviterId: (r.inviter_id as string | null) ?? null,
    createdAt: r.created_at as Date,
    lastEmailSentAt: (r.last_email_sent_at as Date | null) ?? null,
  };
}

const isId = (id: string) => /^\d{1,16}$/.test(id);

export async function insertInvite(db: Queryable, i: UserInvite & { secretHash: Buffer }): Promise<UserInvite> {
  const [r] = await query(
    db,
    `INSERT INTO user_invites (tailnet_id, invite_id, secret_hash, role, email, inviter_id, created_at, last_email_sent_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [i.tailnetId, i.inviteId, i.secretHash, i.role, i.email, i.inviterId, i.createdAt, i.lastEmailSentAt],
  );
  return toInvite(r!);
}

export async function listInvites(db: Queryable, tailnetId: string): Promise<UserInvite[]> {
  return (await query(db, `SELECT ${COLUMNS} FROM user_invites WHERE tailnet_id = $1 ORDER BY created_at, invite_id`, [tailnetId])).map(toInvite);
}

export async function getInvite(db: Queryable, tailnetId: string, inviteId: string, forUpdate = false): Promise<UserInvite | undefined> {
  if (!isId(inviteId)) return undefined;
  const [r] = await query(db, `SELECT ${COLUMNS} FROM user_invites WHERE tailnet_id = $1 AND invite_id = $2${forUpdate ? " FOR UPDATE" : ""}`, [
    tailnetId,
    inviteId,
  ]);
  return r ? toInvite(r) : undefined;
}

/** An invite by the id in its code, before the tailnet is known (accepting one): the one lookup that starts without a tailnet id. */
export async function findInviteSecret(db: Queryable, inviteId: string): Promise<InviteSecret | undefined> {
  if (!isId(inviteId)) return undefined;
  const [r] = await query(db, `/* cross-tailnet: user invite lookup by invite id */ SELECT ${COLUMNS}, secret_hash FROM user_invites WHERE invite_id = $1`, [inviteId]);
  return r ? { ...toInvite(r), keyType: "invite", secretHash: r.secret_hash as Buffer } : undefined;
}

export async function deleteInvite(db: Queryable, tailnetId: string, inviteId: string): Promise<boolean> {
  if (!isId(inviteId)) return false;
  return (await query(db, `DELETE FROM user_invites WHERE tailnet_id = $1 AND invite_id = $2 RETURNING invite_id`, [tailnetId, inviteId])).length > 0;
}

export async function markInviteSent(db: Queryable, tailnetId: string, inviteId: string, at: Date): Promise<UserInvite | undefined> {
  const [r] = await query(db, `UPDATE user_invites SET last_email_sent_at = $3 WHERE tailnet_id = $1 AND invite_id = $2 RETURNING ${COLUMNS}`, [
    tailnetId,
    inviteId,
    at,
  ]);
  return r ? toInvite(r) : undefined;
}
