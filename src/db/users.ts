import { cursor, query, type Queryable } from "./sql.js";

/** Every role Tailscale's API knows (kb/1138). */
export const ROLES = ["owner", "admin", "it-admin", "network-admin", "billing-admin", "auditor", "member"] as const;
export type Role = (typeof ROLES)[number];
export type UserType = "member" | "shared";

export type User = {
  tailnetId: string;
  userId: string;
  loginName: string;
  displayName: string;
  role: Role;
  createdAt: Date;
  type: UserType;
  suspendedAt: Date | null;
  approved: boolean;
  profilePicUrl: string;
};

/** A user with what the users API shows about their devices (computed, never stored). */
export type UserWithStats = User & {
  /** Personal (untagged) devices the user registered. */
  deviceCount: number;
  /** RFC 3339: the later of the user's own last-seen time and their devices' last reports; null if never seen. */
  lastSeen: string | null;
  /** Whether one of the user's devices is connected now. */
  currentlyConnected: boolean;
};

const COLUMNS = `u.tailnet_id::text AS tailnet_id, u.user_id::text AS user_id, u.login_name, u.display_name, u.role, u.created_at,
  u.user_type, u.suspended_at, u.approved, u.profile_pic_url`;

function toUser(r: Record<string, unknown>): User {
  return {
    tailnetId: r.tailnet_id as string,
    userId: r.user_id as string,
    loginName: r.login_name as string,
    displayName: r.display_name as string,
    role: r.role as Role,
    createdAt: r.created_at as Date,
    type: r.user_type as UserType,
    suspendedAt: (r.suspended_at as Date | null) ?? null,
    approved: r.approved as boolean,
    profilePicUrl: r.profile_pic_url as string,
  };
}

export type NewUser = {
  tailnetId: string;
  userId: string;
  loginName: string;
  displayName: string;
  role: Role;
  type?: UserType;
  approved?: boolean;
  suspendedAt?: Date | null;
  profilePicUrl?: string;
  createdAt?: Date;
  lastSeen?: Date | null;
};

/** Inserts a user; undefined when the login name (or the id) is taken in the tailnet, without failing the surrounding transaction. */
export async function insertUser(sql: Queryable, u: NewUser): Promise<User | undefined> {
  const [row] = await query(
    sql,
    `INSERT INTO users AS u (tailnet_id, user_id, login_name, display_name, role, user_type, approved, suspended_at, profile_pic_url,
       created_at, last_seen)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10, now()), $11) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    [
      u.tailnetId, u.userId, u.loginName, u.displayName, u.role, u.type ?? "member", u.approved ?? true, u.suspendedAt ?? null,
      u.profilePicUrl ?? "", u.createdAt ?? null, u.lastSeen ?? null,
    ],
  );
  return row ? toUser(row) : undefined;
}

export async function findUserByLogin(sql: Queryable, tailnetId: string, loginName: string): Promise<User | undefined> {
  const [row] = await query(sql, `SELECT ${COLUMNS} FROM users u WHERE u.tailnet_id = $1 AND lower(u.login_name) = lower($2)`, [
    tailnetId,
    loginName,
  ]);
  return row ? toUser(row) : undefined;
}

const isUserId = (id: string) => /^\d{1,16}$/.test(id);

export async function getUser(sql: Queryable, tailnetId: string, userId: string, forUpdate = false): Promise<User | undefined> {
  if (!isUserId(userId)) return undefined;
  const [row] = await query(sql, `SELECT ${COLUMNS} FROM users u WHERE u.tailnet_id = $1 AND u.user_id = $2${forUpdate ? " FOR UPDATE" : ""}`, [
    tailnetId,
    userId,
  ]);
  return row ? toUser(row) : undefined;
}

export async function listUsers(sql: Queryable, tailnetId: string): Promise<User[]> {
  return (await query(sql, `SELECT ${COLUMNS} FROM users u WHERE u.tailnet_id = $1 ORDER BY u.created_at, u.login_name`, [tailnetId])).map(toUser);
}

/** RFC 3339 in UTC, formatted by PostgreSQL. */
const rfc3339 = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/**
 * Users with their device statistics. `onlineSince`: a device that reported
 * since then is connected (the presence rule of the devices repository).
 */
export async function listUsersWithStats(
  sql: Queryable,
  tailnetId: string,
  onlineSince: Date,
  filter: { userId?: string; type?: UserType; role?: Role } = {},
): Promise<UserWithStats[]> {
  if (filter.userId !== undefined && !isUserId(filter.userId)) return [];
  return (await query(sql, WITH_STATS, withStatsParams(tailnetId, onlineSince, filter))).map(toUserWithStats);
}

/** The same list as listUsersWithStats, read through a cursor in batches (bounded memory whatever the tailnet's size). */
export async function* streamUsersWithStats(
  sql: Queryable,
  tailnetId: string,
  onlineSince: Date,
  filter: { type?: UserType; role?: Role } = {},
  batch = 500,
): AsyncGenerator<UserWithStats[]> {
  for await (const rows of cursor(sql, WITH_STATS, withStatsParams(tailnetId, onlineSince, filter), batch)) yield rows.map(toUserWithStats);
}

const WITH_STATS = `SELECT ${COLUMNS}, COALESCE(s.device_count, 0)::int AS device_count, COALESCE(s.connected, false) AS currently_connected,
            ${rfc3339("GREATEST(u.last_seen, s.last_seen)")} AS last_seen_any
     FROM users u
     LEFT JOIN LATERAL (
       SELECT count(*) FILTER (WHERE d.tags = '{}') AS device_count, max(d.last_seen) AS last_seen,
              bool_or(d.connected_to_control AND d.last_seen > $2) AS connected
       FROM devices d WHERE d.tailnet_id = u.tailnet_id AND d.user_id = u.user_id
     ) s ON true
     WHERE u.tailnet_id = $1 AND ($3::bigint IS NULL OR u.user_id = $3) AND ($4::text IS NULL OR u.user_type = $4)
       AND ($5::text IS NULL OR u.role = $5)
     ORDER BY u.created_at, u.login_name`;

const withStatsParams = (tailnetId: string, onlineSince: Date, filter: { userId?: string; type?: UserType; role?: Role }) => [
  tailnetId,
  onlineSince,
  filter.userId ?? null,
  filter.type ?? null,
  filter.role ?? null,
];

function toUserWithStats(r: Record<string, unknown>): UserWithStats {
  return {
    ...toUser(r),
    deviceCount: r.device_count as number,
    lastSeen: (r.last_seen_any as string | null) ?? null,
    currentlyConnected: r.currently_connected as boolean,
  };
}

export async function setUserRole(sql: Queryable, tailnetId: string, userId: string, role: Role): Promise<void> {
  await query(sql, `UPDATE users SET role = $3 WHERE tailnet_id = $1 AND user_id = $2`, [tailnetId, userId, role]);
}

/** Suspends (a time) or restores (null) a user; a suspension keeps its first time. */
export async function setUserSuspended(sql: Queryable, tailnetId: string, userId: string, at: Date | null): Promise<void> {
  await query(sql, `UPDATE users SET suspended_at = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE COALESCE(suspended_at, $3) END
                    WHERE tailnet_id = $1 AND user_id = $2`, [tailnetId, userId, at]);
}

export async function approveUserRow(sql: Queryable, tailnetId: string, userId: string): Promise<void> {
  await query(sql, `UPDATE users SET approved = true WHERE tailnet_id = $1 AND user_id = $2`, [tailnetId, userId]);
}

/** Renames a user; false when the new login name is taken (the caller holds the users lock). */
export async function renameUserRow(sql: Queryable, tailnetId: string, userId: string, loginName: string, displayName: string): Promise<boolean> {
  const taken = await query(sql, `SELECT 1 FROM users WHERE tailnet_id = $1 AND lower(login_name) = lower($2) AND user_id <> $3`, [
    tailnetId,
    loginName,
    userId,
  ]);
  if (taken.length) return false;
  await query(sql, `UPDATE users SET login_name = $3, display_name = $4 WHERE tailnet_id = $1 AND user_id = $2`, [
    tailnetId,
    userId,
    loginName,
    displayName,
  ]);
  return true;
}

/** Owners of the tailnet that are not suspended (the last of them cannot go). */
export async function countActiveOwners(sql: Queryable, tailnetId: string): Promise<number> {
  const [r] = await query<{ n: number }>(
    sql,
    `SELECT count(*)::int AS n FROM users WHERE tailnet_id = $1 AND role = 'owner' AND suspended_at IS NULL`,
    [tailnetId],
  );
  return r!.n;
}

/**
 * Deletes a user and what is theirs, in the caller's transaction: personal
 * (untagged) devices with their node credentials and pending registrations,
 * API keys and auth keys. Tagged devices they registered stay, owned by their
 * tags alone; OAuth clients they created stay, unattributed. Returns what went.
 */
export async function deleteUserRow(sql: Queryable, tailnetId: string, userId: string): Promise<{ devices: number; keys: number }> {
  const devices = await query(sql, `DELETE FROM devices WHERE tailnet_id = $1 AND user_id = $2 AND tags = '{}' RETURNING device_id`, [
    tailnetId,
    userId,
  ]);
  await query(sql, `UPDATE devices SET user_id = NULL WHERE tailnet_id = $1 AND user_id = $2`, [tailnetId, userId]);
  const keys = await query(sql, `DELETE FROM keys WHERE tailnet_id = $1 AND user_id = $2 AND key_type IN ('api', 'auth') RETURNING key_id`, [
    tailnetId,
    userId,
  ]);
  await query(sql, `UPDATE keys SET user_id = NULL WHERE tailnet_id = $1 AND user_id = $2`, [tailnetId, userId]);
  await query(sql, `DELETE FROM users WHERE tailnet_id = $1 AND user_id = $2`, [tailnetId, userId]);
  return { devices: devices.length, keys: keys.length };
}
