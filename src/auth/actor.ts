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
};

/** Scopes an API key carries: those of its user's role. */
export function roleScopes(role: Role): Scope[] {
  return role === "member" ? ["all:read"] : ["all"];
}
