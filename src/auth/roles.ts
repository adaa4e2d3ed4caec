import type { Role } from "../domain/actor.js";
import type { Scope } from "./scopes.js";

/**
 * Scopes an API key carries: those of its user's role. Owners and admins may
 * do everything in the tailnet; members read everything and write only their
 * own devices (the domain's device rules check ownership, see `ownDevicesOnly`).
 */
export function roleScopes(role: Role): Scope[] {
  return role === "member" ? ["all:read", "devices:core", "devices:routes", "devices:posture_attributes"] : ["all"];
}
