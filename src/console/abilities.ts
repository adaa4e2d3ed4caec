import { grants, type Scope } from "../auth/scopes.js";
import { administersUsers, mayManageRole, type Actor } from "../domain/actor.js";
import { ROLES, type Role } from "../domain/users.js";
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

/** Administering users (create, rename, role, suspend, delete): owners, admins, IT admins, OAuth clients with `users`. */
export function mayAdministerUsers(actor: Actor): boolean {
  return administersUsers(actor) && can(actor, "users");
}

/** The roles the actor may give (and the users it may act on, by their role): only owners touch owners. */
export function assignableRoles(actor: Actor): Role[] {
  return ROLES.filter((r) => mayManageRole(actor, r));
}
