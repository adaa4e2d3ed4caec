import { query, type Queryable } from "./sql.js";

/** Tailnet settings as stored (defaults when the tailnet has no row yet); key duration lives on `tailnets`. */
export type SettingsRow = {
  aclsExternallyManagedOn: boolean;
  aclsExternalLink: string;
  devicesApprovalOn: boolean;
  devicesAutoUpdatesOn: boolean;
  keyExpirySeconds: number;
  usersApprovalOn: boolean;
  usersRoleAllowedToJoinExternalTailnets: string;
  networkFlowLoggingOn: boolean;
  postureIdentityCollectionOn: boolean;
  httpsEnabled: boolean;
  routeSelection: string;
};

/** Column of each stored setting (keyExpirySeconds is tailnets.key_expiry_seconds). */
export const SETTING_COLUMNS = {
  aclsExternallyManagedOn: "acls_externally_managed_on",
  aclsExternalLink: "acls_external_link",
  devicesApprovalOn: "devices_approval_on",
  devicesAutoUpdatesOn: "devices_auto_updates_on",
  usersApprovalOn: "users_approval_on",
  usersRoleAllowedToJoinExternalTailnets: "users_role_join_external",
  networkFlowLoggingOn: "network_flow_logging_on",
  postureIdentityCollectionOn: "posture_identity_collection_on",
  httpsEnabled: "https_enabled",
  routeSelection: "route_selection",
} as const satisfies Partial<Record<keyof SettingsRow, string>>;

export type StoredSetting = keyof typeof SETTING_COLUMNS;

/** Settings of a tailnet that has never changed them (Tailscale's defaults, except device approval: see the migration). */
export const DEFAULT_SETTINGS: Omit<SettingsRow, "keyExpirySeconds"> = {
  aclsExternallyManagedOn: false,
  aclsExternalLink: "",
  devicesApprovalOn: false,
  devicesAutoUpdatesOn: false,
  usersApprovalOn: false,
  usersRoleAllowedToJoinExternalTailnets: "member",
  networkFlowLoggingOn: false,
  postureIdentityCollectionOn: false,
  httpsEnabled: false,
  routeSelection: "active-passive-failover",
};

const SELECT_COLS = Object.entries(SETTING_COLUMNS)
  .map(([k, c]) => `s.${c} AS "${k}"`)
  .join(", ");

/** The settings of a tailnet; `forUpdate` locks the tailnet row until commit (serialising concurrent changes). */
export async function getSettings(db: Queryable, tailnetId: string, forUpdate = false): Promise<SettingsRow | undefined> {
  const [r] = await query<Record<string, unknown>>(
    db,
    `SELECT s.tailnet_id IS NOT NULL AS stored, ${SELECT_COLS}, t.key_expiry_seconds AS "keyExpirySeconds"
     FROM tailnets t LEFT JOIN tailnet_settings s ON s.tailnet_id = t.tailnet_id
     WHERE t.tailnet_id = $1${forUpdate ? " FOR NO KEY UPDATE OF t" : ""}`,
    [tailnetId],
  );
  if (!r) return undefined;
  const { stored, keyExpirySeconds, ...rest } = r;
  return { ...(stored ? (rest as Omit<SettingsRow, "keyExpirySeconds">) : DEFAULT_SETTINGS), keyExpirySeconds: keyExpirySeconds as number };
}

/** Writes every stored setting (and the key duration) of a tailnet. */
export async function saveSettings(db: Queryable, tailnetId: string, s: SettingsRow): Promise<void> {
  const keys = Object.keys(SETTING_COLUMNS) as StoredSetting[];
  const cols = keys.map((k) => SETTING_COLUMNS[k]);
  await query(
    db,
    `INSERT INTO tailnet_settings (tailnet_id, ${cols.join(", ")}) VALUES ($1, ${keys.map((_, i) => `$${i + 2}`).join(", ")})
     ON CONFLICT (tailnet_id) DO UPDATE SET ${cols.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}`,
    [tailnetId, ...keys.map((k) => s[k])],
  );
  await query(db, `UPDATE tailnets SET key_expiry_seconds = $2 WHERE tailnet_id = $1`, [tailnetId, s.keyExpirySeconds]);
}
