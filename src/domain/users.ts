import { lockUntilCommit } from "../db/locks.js";
import type { TxSql } from "../db/sql.js";
import {
  approveUserRow,
  countActiveOwners,
  deleteUserRow,
  getUser as getUserRow,
  insertUser,
  listUsers as listUserRows,
  listUsersWithStats,
  streamUsersWithStats,
  renameUserRow,
  setUserRole,
  setUserSuspended,
  type Role,
  type User,
  type UserType,
  type UserWithStats,
} from "../db/users.js";
import { conflict, forbidden, invalid, notFound } from "../lib/errors.js";
import { administersUsers, mayManageRole, type Actor } from "./actor.js";
import { audit } from "./audit.js";
import { presenceNow, type Deps } from "./deps.js";
import { actorName, emit } from "./events.js";
import { displayNameOf } from "./tailnets.js";

export { ROLES } from "../db/users.js";
export type { User, Role, UserType, UserWithStats };

/**
 * Login names: Tailscale's (`alice@example.com`) or headscale's bare user
 * names (`alice`). No spaces or control characters; at most one `@`.
 */
const LOGIN = /^[^\s@\x00-\x1f]{1,64}(@[^\s@\x00-\x1f]{1,190})?$/;

export function loginNameProblem(loginName: string): string | undefined {
  if (!LOGIN.test(loginName)) return `invalid login name ${JSON.stringify(loginName)}: expected a name (alice) or an email address (alice@example.com)`;
  if (/^\d+$/.test(loginName)) return `invalid login name ${JSON.stringify(loginName)}: a name of digits only would read as a user id`;
  if (loginName.toLowerCase() === "tagged-devices") return `invalid login name "${loginName}": it names the owner of tagged devices`;
  return undefined;
}

const DISPLAY_NAME_MAX = 128;

/** Creates a user of the actor's tailnet (tailapi extension). Only user administrators create users, and only owners create owners. */
export async function createUser(d: Deps, actor: Actor, u: { loginName: string; role: Role; displayName?: string }): Promise<User> {
  if (!administersUsers(actor) || !mayManageRole(actor, u.role)) throw forbidden();
  const problem = loginNameProblem(u.loginName);
  if (problem) throw invalid(problem);
  if (u.displayName !== undefined && (u.displayName.trim() === "" || u.displayName.length > DISPLAY_NAME_MAX)) {
    throw invalid(`invalid displayName: must be 1 to ${DISPLAY_NAME_MAX} characters`);
  }
  return d.sql.begin(async (tx) => {
    const user = await insertUser(tx, {
      tailnetId: actor.tailnetId,
      userId: d.ids.numericId(),
      loginName: u.loginName,
      displayName: u.displayName ?? displayNameOf(u.loginName),
      role: u.role,
    });
    if (!user) throw conflict(`user ${u.loginName} already exists`);
    await audit(tx, d, actor, { action: "CREATE", target: userTarget(user), new: { loginName: user.loginName, role: user.role } });
    await emit(tx, d, actor, "userCreated", `User ${user.loginName} created`, userData(user, actor));
    return user;
  });
}

/** A user as an audit target. */
export const userTarget = (u: { userId: string; loginName: string }, property?: string) => ({ type: "USER" as const, id: u.userId, name: u.loginName, property });

/** The `data` of user events. */
const userData = (u: { userId: string; loginName: string }, actor: Actor) => ({ user: u.loginName, actor: actorName(actor), url: `/api/v2/users/${u.userId}` });

/** The tailnet's users, plain (the CLI's name lookups, key listings). */
export function listUsers(d: Deps, actor: Actor): Promise<User[]> {
  return listUserRows(d.sql, actor.tailnetId);
}

type UserListFilter = { type?: UserType | "all"; role?: Role | "all" };

/** Users as the users API shows them: `type` member (the default), shared or all; `role` one role or all. */
export function listUsersWithDevices(d: Deps, actor: Actor, filter: UserListFilter = {}): Promise<UserWithStats[]> {
  return listUsersWithStats(d.sql, actor.tailnetId, presenceNow(d).onlineSince, statsFilter(filter));
}

/** The same list, in batches from a cursor: what the API streams, so a tailnet with many users never sits in memory. */
export function streamUsersWithDevices(d: Deps, actor: Actor, filter: UserListFilter = {}): AsyncIterable<UserWithStats[]> {
  return streamUsersWithStats(d.sql, actor.tailnetId, presenceNow(d).onlineSince, statsFilter(filter));
}

/** The API's filter as the repository takes it: `all` is no filter, and `type` defaults to member. */
const statsFilter = (f: UserListFilter) => ({ type: f.type === "all" ? undefined : (f.type ?? "member"), role: f.role === "all" ? undefined : f.role });

export async function getUserWithDevices(d: Deps, actor: Actor, userId: string): Promise<UserWithStats> {
  const [u] = await listUsersWithStats(d.sql, actor.tailnetId, presenceNow(d).onlineSince, { userId });
  if (!u) throw notFound();
  return u;
}

/** A user's status as Tailscale reports it: suspended, needs-approval, else active if seen (or created) within 28 days, else idle. */
export function userStatus(u: User & { lastSeen: string | null }, now: Date): "active" | "idle" | "suspended" | "needs-approval" {
  if (u.suspendedAt) return "suspended";
  if (!u.approved) return "needs-approval";
  const seen = u.lastSeen ? Date.parse(u.lastSeen) : u.createdAt.getTime();
  return now.getTime() - Math.max(seen, u.createdAt.getTime()) <= 28 * 86_400_000 ? "active" : "idle";
}

/**
 * Finds the user a reference names, among `users`: their id; their login
 * name (any case); or, headscale style, `alice` or `alice@` for the user
 * whose login is `alice` or the one login `alice@…`. Undefined when none
 * does; "ambiguous" when a short name fits several logins.
 */
export function matchUserRef<U extends { userId: string; loginName: string }>(users: readonly U[], ref: string): U | "ambiguous" | undefined {
  const r = ref.trim().toLowerCase();
  if (r === "") return undefined;
  const byId = users.find((u) => u.userId === r);
  if (byId) return byId;
  const exact = users.find((u) => u.loginName.toLowerCase() === r);
  if (exact) return exact;
  const local = r.endsWith("@") ? r.slice(0, -1) : r.includes("@") ? undefined : r;
  if (local === undefined || local === "") return undefined;
  const bare = users.find((u) => u.loginName.toLowerCase() === local);
  if (bare) return bare;
  const fits = users.filter((u) => u.loginName.toLowerCase().startsWith(`${local}@`));
  return fits.length === 1 ? fits[0] : fits.length > 1 ? "ambiguous" : undefined;
}

/** `matchUserRef`, as a domain answer: a 404 for nobody, a 400 for several. */
export function resolveUserRef<U extends { userId: string; loginName: string }>(users: readonly U[], ref: string): U {
  const u = matchUserRef(users, ref);
  if (u === "ambiguous") {
    const names = users.filter((x) => x.loginName.toLowerCase().startsWith(`${ref.toLowerCase().replace(/@$/, "")}@`)).map((x) => x.loginName);
    throw invalid(`${JSON.stringify(ref)} names several users (${names.join(", ")}): use the full login name or the id`);
  }
  if (!u) throw notFound(`no user ${JSON.stringify(ref)} in this tailnet`);
  return u;
}

/**
 * Loads the user an administrator is about to change, under the tailnet's
 * users lock: 404 when there is none (or it is another tailnet's), 403 when
 * the actor may not touch a user of that role.
 */
async function target(tx: TxSql, actor: Actor, userId: string): Promise<User> {
  if (!administersUsers(actor)) throw forbidden();
  await lockUntilCommit(tx, "users", actor.tailnetId);
  const u = await getUserRow(tx, actor.tailnetId, userId, true);
  if (!u) throw notFound();
  if (!mayManageRole(actor, u.role)) throw forbidden();
  return u;
}

/** The last owner who is not suspended stays: it cannot be demoted, suspended or deleted. */
async function keepAnOwner(tx: TxSql, actor: Actor, u: User, what: string): Promise<void> {
  if (u.role !== "owner" || u.suspendedAt) return;
  if ((await countActiveOwners(tx, actor.tailnetId)) <= 1) throw invalid(`${u.loginName} is the tailnet's last owner and cannot be ${what}`);
}

/** Users act on others: an API key may not suspend or delete its own user (the CLI's operator is not such a key). */
function notYourself(actor: Actor, u: User, what: string): void {
  if (actor.kind !== "cli" && actor.user?.id === u.userId) throw invalid(`you cannot ${what} yourself`);
}

export async function setUserRoleOf(d: Deps, actor: Actor, userId: string, role: Role): Promise<void> {
  await d.sql.begin(async (tx) => {
    const u = await target(tx, actor, userId);
    if (!mayManageRole(actor, role)) throw forbidden();
    if (u.role === role) return audit(tx, d, actor, { action: "UPDATE", target: userTarget(u, "ROLE"), old: u.role, new: role, details: "unchanged" });
    if (role !== "owner") await keepAnOwner(tx, actor, u, "demoted");
    await setUserRole(tx, actor.tailnetId, u.userId, role);
    await audit(tx, d, actor, { action: "UPDATE", target: userTarget(u, "ROLE"), old: u.role, new: role });
    await emit(tx, d, actor, "userRoleUpdated", `User ${u.loginName} role changed from ${u.role} to ${role}`, { ...userData(u, actor), oldRoles: [u.role], newRoles: [role] });
  });
}

/** Approves a user waiting for approval; a no-op for a user already approved (as on Tailscale). */
export async function approveUser(d: Deps, actor: Actor, userId: string): Promise<void> {
  await d.sql.begin(async (tx) => {
    const u = await target(tx, actor, userId);
    if (!u.approved) {
      await approveUserRow(tx, actor.tailnetId, u.userId);
      await emit(tx, d, actor, "userApproved", `User ${u.loginName} approved`, userData(u, actor));
    }
    await audit(tx, d, actor, { action: "APPROVE", target: userTarget(u), ...(u.approved ? { details: "already approved" } : {}) });
  });
}

/** Suspends a user: their API keys and personal devices stop working (within a second on every replica) until restored. */
export async function suspendUser(d: Deps, actor: Actor, userId: string): Promise<void> {
  await d.sql.begin(async (tx) => {
    const u = await target(tx, actor, userId);
    notYourself(actor, u, "suspend");
    if (u.suspendedAt) return audit(tx, d, actor, { action: "SUSPEND", target: userTarget(u), details: "already suspended" });
    await keepAnOwner(tx, actor, u, "suspended");
    await setUserSuspended(tx, actor.tailnetId, u.userId, d.clock.now());
    await audit(tx, d, actor, { action: "SUSPEND", target: userTarget(u) });
    await emit(tx, d, actor, "userSuspended", `User ${u.loginName} suspended`, userData(u, actor));
  });
}

export async function restoreUser(d: Deps, actor: Actor, userId: string): Promise<void> {
  await d.sql.begin(async (tx) => {
    const u = await target(tx, actor, userId);
    if (u.suspendedAt) {
      await setUserSuspended(tx, actor.tailnetId, u.userId, null);
      await emit(tx, d, actor, "userRestored", `User ${u.loginName} restored`, userData(u, actor));
    }
    await audit(tx, d, actor, { action: "RESTORE", target: userTarget(u), ...(u.suspendedAt ? {} : { details: "was not suspended" }) });
  });
}

/**
 * Deletes a user, in one transaction: their personal devices (and those
 * devices' node credentials and pending registrations), their API keys and
 * auth keys. Tagged devices they registered stay, owned by their tags; OAuth
 * clients they created stay. Cannot be undone.
 */
export async function deleteUser(d: Deps, actor: Actor, userId: string): Promise<{ user: User; devices: number; keys: number }> {
  return d.sql.begin(async (tx) => {
    const u = await target(tx, actor, userId);
    notYourself(actor, u, "delete");
    await keepAnOwner(tx, actor, u, "deleted");
    // Registrations are serialised per tailnet: no device of this user appears while it goes.
    await lockUntilCommit(tx, "registration", actor.tailnetId);
    const gone = await deleteUserRow(tx, actor.tailnetId, u.userId);
    await audit(tx, d, actor, {
      action: "DELETE",
      target: userTarget(u),
      old: { loginName: u.loginName, role: u.role },
      details: `with ${gone.devices} personal device(s) and ${gone.keys} API and auth key(s)`,
    });
    await emit(tx, d, actor, "userDeleted", `User ${u.loginName} deleted`, userData(u, actor));
    return { user: u, ...gone };
  });
}

/**
 * Renames a user (tailapi extension; headscale's `users rename`). The
 * display name follows the login name unless one is given or it was set
 * apart from it. Policies name users by login: rules that named the old one
 * no longer apply.
 */
export async function renameUser(d: Deps, actor: Actor, userId: string, loginName: string, displayName?: string): Promise<User> {
  const problem = loginNameProblem(loginName);
  if (problem) throw invalid(problem);
  if (displayName !== undefined && (displayName.trim() === "" || displayName.length > DISPLAY_NAME_MAX)) {
    throw invalid(`invalid displayName: must be 1 to ${DISPLAY_NAME_MAX} characters`);
  }
  return d.sql.begin(async (tx) => {
    const u = await target(tx, actor, userId);
    const display = displayName ?? (u.displayName === displayNameOf(u.loginName) ? displayNameOf(loginName) : u.displayName);
    if (!(await renameUserRow(tx, actor.tailnetId, u.userId, loginName, display))) throw conflict(`user ${loginName} already exists`);
    await audit(tx, d, actor, { action: "UPDATE", target: userTarget(u, "LOGIN_NAME"), old: u.loginName, new: loginName });
    return (await getUserRow(tx, actor.tailnetId, u.userId))!;
  });
}
