import type { Role } from "../domain/actor.js";
import type { Scope } from "./scopes.js";

/** What every user may do with their own devices (the domain's device rules check ownership, see `ownDevicesOnly`). */
const OWN_DEVICES: Scope[] = ["all:read", "devices:core", "devices:routes", "devices:posture_attributes"];

/**
 * Scopes an API key carries: those of its user's role (kb/1138). Owners and
 * admins may do everything in the tailnet; IT admins everything but the
 * policy file, DNS and network settings; network admins those, and their own
 * devices; members, billing admins and auditors read everything and write
 * only their own devices.
 */
export function roleScopes(role: Role): Scope[] {
  switch (role) {
    case "owner":
    case "admin":
      return ["all"];
    case "it-admin":
      return [
        "all:read", "devices:core", "devices:routes", "devices:posture_attributes", "device_invites", "auth_keys", "oauth_keys",
        "federated_keys", "api_access_tokens", "users", "webhooks", "log_streaming", "logs:network", "account_settings",
        "feature_settings", "services",
      ];
    case "network-admin":
      return [...OWN_DEVICES, "policy_file", "dns", "networking_settings"];
    default:
      return OWN_DEVICES;
  }
}

/** Roles whose API keys may change only their own devices. */
export function ownDevicesOnly(role: Role): boolean {
  return role !== "owner" && role !== "admin" && role !== "it-admin";
}
