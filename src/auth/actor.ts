import type { Scope } from "./scopes.js";

export type Role = "owner" | "admin" | "member";

/** Who is calling: resolved from the credential by the auth middleware. */
export type Actor = {
  tailnetId: string;
  tailnetName: string;
  kind: "api" | "oauth";
  /** The API key's id, or the OAuth client's id for access tokens. */
  keyId: string;
  /** The user an API key belongs to (absent for OAuth tokens). */
  user?: { id: string; loginName: string; role: Role };
  /** Canonical scopes held (see scopes.normalize). */
  scopes: ReadonlySet<string>;
  /** Tags an OAuth token may use (empty for API keys). */
  tags: readonly string[];
  /** For OAuth tokens: the user who created the client (what auth keys and devices it makes are attributed to). */
  creatorUserId?: string;
  /** Members may write only their own devices. */
  ownDevicesOnly: boolean;
};

/**
 * Scopes an API key carries: those of its user's role. Owners and admins may
 * do everything in the tailnet; members read everything and write only their
 * own devices (the device write routes check ownership, see `ownDevicesOnly`).
 */
export function roleScopes(role: Role): Scope[] {
  return role === "member" ? ["all:read", "devices:core", "devices:routes", "devices:posture_attributes"] : ["all"];
}
