import { grants, type Scope } from "../auth/scopes.js";
import { isAdmin, type Actor } from "../domain/actor.js";
import type { Device } from "../domain/devices.js";

/**
 * What the console offers the signed-in credential. The scopes are the API
 * routes' own (a page or form needs what the matching endpoint needs); the
 * role rules mirror the domain's, which refuses anyway whatever is posted.
 * Nothing here grants anything: it only decides what is shown.
 */
export function can(actor: Actor, scope: Scope): boolean {
  return grants(actor.scopes, scope);
}

/** Members change only their own untagged machines; shared-in machines are read-only for everyone. */
export function mayChangeDevice(actor: Actor, d: Device): boolean {
  if (d.isExternal || !can(actor, "devices:core")) return false;
  return !actor.ownDevicesOnly || (d.userId === actor.user?.id && d.tags.length === 0);
}

/** Approving machines and their routes, key expiry and addresses are admin operations. */
export function mayAdministerDevice(actor: Actor, d: Device, scope: Scope = "devices:core"): boolean {
  return !d.isExternal && !actor.ownDevicesOnly && can(actor, scope);
}

/** Writing posture attributes: owners, admins and OAuth clients with the scope. */
export function mayWritePosture(actor: Actor, d: Device): boolean {
  return mayAdministerDevice(actor, d, "devices:posture_attributes");
}

/** Sharing needs a person (an API key), and for members their own untagged machine. */
export function mayShare(actor: Actor, d: Device): boolean {
  if (!actor.user || d.isExternal || !can(actor, "device_invites")) return false;
  return !actor.ownDevicesOnly || (d.userId === actor.user.id && d.tags.length === 0);
}

/** Creating users: user administrators (owners and admins). */
export function mayCreateUsers(actor: Actor): boolean {
  return isAdmin(actor) && can(actor, "users");
}

/** The roles the actor may give a new user: only owners make owners. */
export function assignableRoles(actor: Actor): ("member" | "admin" | "owner")[] {
  return actor.user?.role === "owner" ? ["member", "admin", "owner"] : ["member", "admin"];
}
