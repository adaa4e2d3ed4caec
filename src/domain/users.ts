import { insertUser, listUsers as listUserRows, type Role, type User } from "../db/users.js";
import { conflict, forbidden, invalid } from "../lib/errors.js";
import { isAdmin, type Actor } from "./actor.js";
import { audit } from "./audit.js";
import type { Deps } from "./deps.js";
import { actorName, emit } from "./events.js";
import { displayNameOf } from "./tailnets.js";

export type { User, Role };

const LOGIN = /^[^\s@\x00-\x1f]{1,64}(@[^\s@\x00-\x1f]{1,190})?$/;

/** Creates a user of the actor's tailnet. Only admins create users, and only owners create owners. */
export async function createUser(d: Deps, actor: Actor, u: { loginName: string; role: Role; displayName?: string }): Promise<User> {
  if (!isAdmin(actor)) throw forbidden();
  if (u.role === "owner" && actor.user?.role !== "owner") throw forbidden();
  if (!LOGIN.test(u.loginName)) throw invalid(`invalid login name ${JSON.stringify(u.loginName)}: expected a name or an email address`);
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
    await emit(tx, d, actor, "userCreated", `User ${user.loginName} created`, { user: user.loginName, actor: actorName(actor), url: `/api/v2/users/${user.userId}` });
    return user;
  });
}

/** A user as an audit target. */
export const userTarget = (u: { userId: string; loginName: string }, property?: string) => ({ type: "USER" as const, id: u.userId, name: u.loginName, property });

export function listUsers(d: Deps, actor: Actor): Promise<User[]> {
  return listUserRows(d.sql, actor.tailnetId);
}
