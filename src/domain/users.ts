import { insertUser, listUsers as listUserRows, type Role, type User } from "../db/users.js";
import { conflict, forbidden, invalid } from "../lib/errors.js";
import { isAdmin, type Actor } from "./actor.js";
import type { Deps } from "./deps.js";
import { displayNameOf } from "./tailnets.js";

export type { User, Role };

const LOGIN = /^[^\s@\x00-\x1f]{1,64}(@[^\s@\x00-\x1f]{1,190})?$/;

/** Creates a user of the actor's tailnet. Only admins create users, and only owners create owners. */
export async function createUser(d: Deps, actor: Actor, u: { loginName: string; role: Role; displayName?: string }): Promise<User> {
  if (!isAdmin(actor)) throw forbidden();
  if (u.role === "owner" && actor.user?.role !== "owner") throw forbidden();
  if (!LOGIN.test(u.loginName)) throw invalid(`invalid login name ${JSON.stringify(u.loginName)}: expected a name or an email address`);
  const user = await insertUser(d.sql, {
    tailnetId: actor.tailnetId,
    userId: d.ids.numericId(),
    loginName: u.loginName,
    displayName: u.displayName ?? displayNameOf(u.loginName),
    role: u.role,
  });
  if (!user) throw conflict(`user ${u.loginName} already exists`);
  return user;
}

export function listUsers(d: Deps, actor: Actor): Promise<User[]> {
  return listUserRows(d.sql, actor.tailnetId);
}
