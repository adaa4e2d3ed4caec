import type { Role } from "../auth/actor.js";
import { randomNumericId } from "../lib/ids.js";
import { isUniqueViolation, query, type Queryable } from "./sql.js";

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

export class UserExistsError extends Error {}

export async function createUser(
  sql: Queryable,
  tailnetId: string,
  u: { loginName: string; displayName?: string; role: Role },
): Promise<User> {
  try {
    const [row] = await query(sql, 
      `INSERT INTO users (tailnet_id, user_id, login_name, display_name, role)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [tailnetId, randomNumericId(), u.loginName, u.displayName ?? u.loginName.split("@")[0]!, u.role],
    );
    return toUser(row!);
  } catch (err) {
    if (isUniqueViolation(err, "users_login_key")) throw new UserExistsError(`user ${u.loginName} already exists`);
    throw err;
  }
}

export async function findUserByLogin(sql: Queryable, tailnetId: string, loginName: string): Promise<User | undefined> {
  const [row] = await query(sql, `SELECT ${COLUMNS} FROM users WHERE tailnet_id = $1 AND lower(login_name) = lower($2)`, [
    tailnetId,
    loginName,
  ]);
  return row ? toUser(row) : undefined;
}

export async function listUsers(sql: Queryable, tailnetId: string): Promise<User[]> {
  return (await query(sql, `SELECT ${COLUMNS} FROM users WHERE tailnet_id = $1 ORDER BY created_at, login_name`, [tailnetId])).map(
    toUser,
  );
}
