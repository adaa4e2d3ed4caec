import { grants, type Scope } from "../auth/scopes.js";
import { getSettings as getSettingsRow, saveSettings, type SettingsRow } from "../db/settings.js";
import { forbidden, invalid, notFound } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { audit, tailnetTarget, type AuditEntry } from "./audit.js";
import type { Deps } from "./deps.js";

export const ROUTE_SELECTIONS = ["active-passive-failover", "regional-routing", "regional-routing-failover", "magicroute"] as const;
export const JOIN_ROLES = ["none", "admin", "member"] as const;

/** TailnetSettings as the API shows it. */
export type TailnetSettings = {
  aclsExternallyManagedOn: boolean;
  aclsExternalLink: string;
  devicesApprovalOn: boolean;
  devicesAutoUpdatesOn: boolean;
  devicesKeyDurationDays: number;
  usersApprovalOn: boolean;
  usersRoleAllowedToJoinExternalTailnets: (typeof JOIN_ROLES)[number];
  networkFlowLoggingOn: boolean;
  regionalRoutingOn: boolean;
  postureIdentityCollectionOn: boolean;
  httpsEnabled: boolean;
  routeSelection: (typeof ROUTE_SELECTIONS)[number];
};

export type SettingsPatch = Partial<TailnetSettings>;

/**
 * The scope each field is written under: most are feature settings; the
 * policy file's external management needs `policy_file`, flow logging
 * `logs:network`, route selection `networking_settings`.
 */
export const FIELD_SCOPES: Record<keyof TailnetSettings, Scope> = {
  aclsExternallyManagedOn: "policy_file",
  aclsExternalLink: "policy_file",
  devicesApprovalOn: "feature_settings",
  devicesAutoUpdatesOn: "feature_settings",
  devicesKeyDurationDays: "feature_settings",
  usersApprovalOn: "feature_settings",
  usersRoleAllowedToJoinExternalTailnets: "feature_settings",
  networkFlowLoggingOn: "logs:network",
  regionalRoutingOn: "networking_settings",
  postureIdentityCollectionOn: "feature_settings",
  httpsEnabled: "feature_settings",
  routeSelection: "networking_settings",
};

/** The audit property of each field (Tailscale's name where it has one). */
const PROPERTIES: Record<keyof TailnetSettings, string> = {
  aclsExternallyManagedOn: "ACLS_EXTERNALLY_MANAGED",
  aclsExternalLink: "ACLS_EXTERNAL_LINK",
  devicesApprovalOn: "MACHINE_APPROVAL_NEEDED",
  devicesAutoUpdatesOn: "AUTO_UPDATES",
  devicesKeyDurationDays: "MAX_KEY_DURATION",
  usersApprovalOn: "USER_APPROVAL_REQUIRED",
  usersRoleAllowedToJoinExternalTailnets: "JOIN_EXTERNAL_TAILNETS",
  networkFlowLoggingOn: "NETWORK_FLOW_LOGGING",
  regionalRoutingOn: "REGIONAL_ROUTING",
  postureIdentityCollectionOn: "COLLECT_POSTURE_IDENTITY",
  httpsEnabled: "HTTPS",
  routeSelection: "ROUTE_SELECTION",
};

const DAY = 86_400;

function toSettings(r: SettingsRow): TailnetSettings {
  return {
    aclsExternallyManagedOn: r.aclsExternallyManagedOn,
    aclsExternalLink: r.aclsExternalLink,
    devicesApprovalOn: r.devicesApprovalOn,
    devicesAutoUpdatesOn: r.devicesAutoUpdatesOn,
    devicesKeyDurationDays: Math.max(1, Math.round(r.keyExpirySeconds / DAY)),
    usersApprovalOn: r.usersApprovalOn,
    usersRoleAllowedToJoinExternalTailnets: r.usersRoleAllowedToJoinExternalTailnets as TailnetSettings["usersRoleAllowedToJoinExternalTailnets"],
    networkFlowLoggingOn: r.networkFlowLoggingOn,
    regionalRoutingOn: r.routeSelection.startsWith("regional-routing"),
    postureIdentityCollectionOn: r.postureIdentityCollectionOn,
    httpsEnabled: r.httpsEnabled,
    routeSelection: r.routeSelection as TailnetSettings["routeSelection"],
  };
}

export async function getSettings(d: Deps, actor: Actor): Promise<TailnetSettings> {
  const r = await getSettingsRow(d.sql, actor.tailnetId);
  if (!r) throw notFound();
  return toSettings(r);
}

/**
 * Applies the fields given; each needs its own scope (403 otherwise, nothing
 * changed). One audit entry per field whose value changes.
 */
export async function updateSettings(d: Deps, actor: Actor, patch: SettingsPatch): Promise<TailnetSettings> {
  const fields = (Object.keys(patch) as (keyof TailnetSettings)[]).filter((k) => patch[k] !== undefined);
  if (fields.some((f) => !grants(actor.scopes, FIELD_SCOPES[f]))) throw forbidden();
  if (patch.regionalRoutingOn !== undefined && patch.routeSelection !== undefined) {
    throw invalid("regionalRoutingOn and routeSelection cannot both be given; routeSelection supersedes regionalRoutingOn");
  }
  return d.sql.begin(async (tx) => {
    const row = (await getSettingsRow(tx, actor.tailnetId, true))!;
    const before = toSettings(row);
    const next = { ...row };
    for (const f of fields) {
      const v = patch[f]!;
      if (f === "devicesKeyDurationDays") next.keyExpirySeconds = (v as number) * DAY;
      else if (f === "regionalRoutingOn") next.routeSelection = v ? "regional-routing" : "active-passive-failover";
      else (next as Record<string, unknown>)[f] = v;
    }
    await saveSettings(tx, actor.tailnetId, next);
    const after = toSettings(next);
    const entries: AuditEntry[] = [];
    for (const f of fields) {
      const [o, n] = [before[f], after[f]];
      if (o === n) continue;
      const action = typeof n === "boolean" ? (n ? "ENABLE" : "DISABLE") : "UPDATE";
      entries.push({ action, target: tailnetTarget(actor, PROPERTIES[f]), old: o, new: n });
    }
    if (entries.length) await audit(tx, d, actor, ...entries);
    return after;
  });
}

/**
 * Whether the policy file is managed outside tailapi (`aclsExternallyManagedOn`)
 * and where. As on Tailscale, this locks the policy editor of the web console
 * only: a GitOps pipeline keeps writing the policy through the API, which is
 * exactly how the setting is meant to be used.
 */
export async function policyManagedExternally(db: Parameters<typeof getSettingsRow>[0], tailnetId: string): Promise<{ on: boolean; link: string }> {
  const s = await getSettingsRow(db, tailnetId);
  return { on: s?.aclsExternallyManagedOn ?? false, link: s?.aclsExternalLink ?? "" };
}
