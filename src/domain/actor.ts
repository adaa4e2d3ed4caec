import type { Role } from "../db/users.js";

export type { Role };

/**
 * Who is acting: resolved from a credential by the auth layer (API key, OAuth
 * access token), or made by the CLI for the operator. Domain functions take
 * one and apply their rules to it; they never see how it authenticated.
 */
export type Actor = {
  tailnetId: string;
  tailnetName: string;
  /** `cli`: the operator at the server's own command line, acting as the tailnet's owner. */
  kind: "api" | "oauth" | "cli";
  /** The API key's id, or the OAuth client's id for access tokens; `cli` for the CLI. */
  keyId: string;
  /** The user an API key belongs to, or the owner the CLI acts as (absent for OAuth tokens). */
  user?: { id: string; loginName: string; role: Role };
  /** Canonical scopes held (see auth/scopes.normalize). */
  scopes: ReadonlySet<string>;
  /** Tags an OAuth token carries (empty for users). */
  tags: readonly string[];
  /** For OAuth tokens: the user who created the client (what auth keys and devices it makes are attributed to). */
  creatorUserId?: string;
  /** Members may write only their own devices. */
  ownDevicesOnly: boolean;
};

const ALL: ReadonlySet<string> = new Set(["all"]);

/** The CLI's actor: the operator, acting as the tailnet's owner with every scope. */
export function cliActor(tailnet: { tailnetId: string; name: string }, owner: { userId: string; loginName: string }): Actor {
  return {
    tailnetId: tailnet.tailnetId,
    tailnetName: tailnet.name,
    kind: "cli",
    keyId: "cli",
    user: { id: owner.userId, loginName: owner.loginName, role: "owner" },
    scopes: ALL,
    tags: [],
    ownDevicesOnly: false,
  };
}

/** Roles that administer users (create, change, suspend, delete them). */
const USER_ADMINS: ReadonlySet<Role> = new Set(["owner", "admin", "it-admin"]);

/** Whether the actor is a user with a role that administers users (owner, admin, IT admin). */
export function isAdmin(actor: Actor): boolean {
  return actor.user !== undefined && USER_ADMINS.has(actor.user.role);
}

/**
 * Whether the actor may administer users: a user-administering role, or an
 * OAuth token (its `users` scope was checked by the route).
 */
export function administersUsers(actor: Actor): boolean {
  return actor.kind === "oauth" || isAdmin(actor);
}

/**
 * Whether the actor may give a user this role, or act on a user holding it:
 * only owners touch owners; owners and admins (and OAuth tokens) admins; IT
 * admins every role below admin.
 */
export function mayManageRole(actor: Actor, role: Role): boolean {
  if (role === "owner") return actor.user?.role === "owner";
  if (role === "admin") return actor.kind === "oauth" || actor.user?.role === "owner" || actor.user?.role === "admin";
  return administersUsers(actor);
}

/** Who a key or device made by this actor is attributed to. */
export function creatorOf(actor: Actor): { userId: string | null; clientId: string | null } {
  return actor.kind === "oauth" ? { userId: actor.creatorUserId ?? null, clientId: actor.keyId } : { userId: actor.user!.id, clientId: null };
}
