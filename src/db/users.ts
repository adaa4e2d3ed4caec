import { query, type Queryable } from "./sql.js";

export type Role = "owner" | "admin" | "member";

export type User = { tailnetId: string; userId: string; loginName: string; displayName: string; role: Role; createdAt: Date };

const COLUMNS = "tailnet_id::text AS tailnet_id, user_id::text AS user_id, login_name, display_name, role, created_at";

function toUser(r: Record<string, unknown>): User {
  return {
    tailnetId: r.tailnet_id as string,
    userId: r.user_id as string,
    loginName: r.login_name as string,
    displayName: r.display_name as string,
    role: r.role as Role,
    createdAt: r.created_at as Date,
  };
}

/** Inserts a user; undefined when the login name is taken in the tailnet (without failing the surrounding transaction). */
export async function insertUser(
  sql: Queryable,
  u: { tailnetId: string; userId: string; loginName: string; displayName: string; role: Role },
): Promise<User | undefined> {
  const [row] = await query(
    sql,
    `INSERT INTO users (tailnet_id, user_id, login_name, display_name, role)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tailnet_id, lower(login_name)) DO NOTHING RETURNING ${COLUMNS}`,
    [u.tailnetId, u.userId, u.loginName, u.displayName, u.role],
  );
  return row ? toUser(row) : undefined;
}

export async function findUserByLogin(sql: Queryable, tailnetId: string, loginName: string): Promise<User | undefined> {
  const [row] = await query(sql, `SELECT ${COLUMNS} FROM users WHERE tailnet_id = $1 AND lower(login_name) = lower($2)`, [
    tailnetId,
    loginName,
  ]);
  return row ? toUser(row) : undefined;
}

export async function getUser(sql: Queryable, tailnetId: string, userId: string): Promise<User | undefined> {
  const [row] = await query(sql, `SELECT ${COLUMNS} FROM users WHERE tailnet_id = $1 AND user_id = $2`, [tailnetId, userId]);
  return row ? toUser(row) : undefined;
}

export async function listUsers(sql: Queryable, tailnetId: string): Promise<User[]> {
  return (await query(sql, `SELECT ${COLUMNS} FROM users WHERE tailnet_id = $1 ORDER BY created_at, login_name`, [tailnetId])).map(
    toUser,
  );
}
