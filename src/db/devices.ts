import { query, type Queryable } from "./sql.js";

/** A device as stored, joined with what its wire form needs (owner login, DNS suffix). */
export type DeviceRow = {
  tailnetId: string;
  deviceId: string;
  nodeId: string;
  userId: string;
  userLogin: string;
  dnsSuffix: string;
  name: string;
  hostname: string;
  os: string;
  osVersion: string;
  clientVersion: string;
  updateAvailable: boolean;
  /** Times arrive formatted by PostgreSQL as RFC 3339 UTC (`2024-03-05T17:10:27Z`), as the API sends them. */
  created: string;
  lastSeen: string | null;
  connectedToControl: boolean;
  keyExpiryDisabled: boolean;
  expires: string | null;
  authorized: boolean;
  isExternal: boolean;
  multipleConnections: boolean;
  machineKey: string;
  nodeKey: string;
  blocksIncomingConnections: boolean;
  tags: string[];
  tailnetLockKey: string;
  tailnetLockError: string;
  isEphemeral: boolean;
  advertisedRoutes: string[];
  enabledRoutes: string[];
  sshEnabled: boolean;
  clientConnectivity: unknown;
  postureIdentity: unknown;
  distro: unknown;
  ipv4: string;
  ipv6: string;
};

/** RFC 3339 in UTC, formatted by PostgreSQL: no Date objects to build and format per row. */
const rfc3339 = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

const SELECT = `SELECT d.tailnet_id::text AS tailnet_id, d.device_id::text AS device_id, d.node_id,
    d.user_id::text AS user_id, u.login_name AS user_login, t.dns_suffix, d.name, d.hostname, d.os, d.os_version,
    d.client_version, d.update_available, ${rfc3339("d.created_at")} AS created, ${rfc3339("d.last_seen")} AS last_seen,
    d.connected_to_control, d.key_expiry_disabled, ${rfc3339("d.expires_at")} AS expires, d.authorized, d.is_external, d.multiple_connections, d.machine_key, d.node_key,
    d.blocks_incoming_connections, d.tags, d.tailnet_lock_key, d.tailnet_lock_error, d.is_ephemeral,
    d.advertised_routes, d.enabled_routes, d.ssh_enabled, d.client_connectivity, d.posture_identity, d.distro,
    host(d.ipv4) AS ipv4, host(d.ipv6) AS ipv6
  FROM devices d
  JOIN users u ON u.tailnet_id = d.tailnet_id AND u.user_id = d.user_id
  JOIN tailnets t ON t.tailnet_id = d.tailnet_id`;

export function toDeviceRow(r: Record<string, unknown>): DeviceRow {
  return {
    tailnetId: r.tailnet_id as string,
    deviceId: r.device_id as string,
    nodeId: r.node_id as string,
    userId: r.user_id as string,
    userLogin: r.user_login as string,
    dnsSuffix: r.dns_suffix as string,
    name: r.name as string,
    hostname: r.hostname as string,
    os: r.os as string,
    osVersion: r.os_version as string,
    clientVersion: r.client_version as string,
    updateAvailable: r.update_available as boolean,
    created: r.created as string,
    lastSeen: (r.last_seen as string | null) ?? null,
    connectedToControl: r.connected_to_control as boolean,
    keyExpiryDisabled: r.key_expiry_disabled as boolean,
    expires: (r.expires as string | null) ?? null,
    authorized: r.authorized as boolean,
    isExternal: r.is_external as boolean,
    multipleConnections: r.multiple_connections as boolean,
    machineKey: r.machine_key as string,
    nodeKey: r.node_key as string,
    blocksIncomingConnections: r.blocks_incoming_connections as boolean,
    tags: r.tags as string[],
    tailnetLockKey: r.tailnet_lock_key as string,
    tailnetLockError: r.tailnet_lock_error as string,
    isEphemeral: r.is_ephemeral as boolean,
    advertisedRoutes: r.advertised_routes as string[],
    enabledRoutes: r.enabled_routes as string[],
    sshEnabled: r.ssh_enabled as boolean,
    clientConnectivity: r.client_connectivity ?? null,
    postureIdentity: r.posture_identity ?? null,
    distro: r.distro ?? null,
    ipv4: r.ipv4 as string,
    ipv6: r.ipv6 as string,
  };
}

const BY_NODE_ID = `${SELECT} WHERE d.tailnet_id = $1 AND d.node_id = $2`;
const BY_DEVICE_ID = `${SELECT} WHERE d.tailnet_id = $1 AND d.device_id = $2`;
const MAX_DEVICE_ID = 9_007_199_254_740_991n;

/** Looks a device up by nodeId or by legacy numeric id, within one tailnet. */
export async function getDevice(db: Queryable, tailnetId: string, id: string): Promise<DeviceRow | undefined> {
  let rows;
  if (/^\d{1,16}$/.test(id)) {
    if (BigInt(id) > MAX_DEVICE_ID) return undefined;
    rows = await query(db, BY_DEVICE_ID, [tailnetId, id]);
  } else {
    rows = await query(db, BY_NODE_ID, [tailnetId, id]);
  }
  return rows[0] ? toDeviceRow(rows[0]) : undefined;
}

export async function listDevices(db: Queryable, tailnetId: string): Promise<DeviceRow[]> {
  const rows = await query(db, `${SELECT} WHERE d.tailnet_id = $1 ORDER BY d.created_at, d.device_id`, [tailnetId]);
  return rows.map(toDeviceRow);
}

export async function deleteDevice(db: Queryable, tailnetId: string, deviceId: string): Promise<boolean> {
  const rows = await query(db, `DELETE FROM devices WHERE tailnet_id = $1 AND device_id = $2 RETURNING device_id`, [
    tailnetId,
    deviceId,
  ]);
  return rows.length > 0;
}

export async function findDeviceIdByMachineKey(db: Queryable, tailnetId: string, machineKey: string): Promise<string | undefined> {
  const [row] = await query<{ device_id: string }>(
    db,
    `SELECT device_id::text AS device_id FROM devices WHERE tailnet_id = $1 AND machine_key = $2`,
    [tailnetId, machineKey],
  );
  return row?.device_id;
}

const UNIQUE_COLUMN_SQL = {
  device_id: "device_id = $2::bigint",
  node_id: "node_id = $2",
  ipv4: "ipv4 = $2::inet",
  ipv6: "ipv6 = $2::inet",
} as const;
export type UniqueDeviceColumn = keyof typeof UNIQUE_COLUMN_SQL;

/** Whether a device of the tailnet already has this id or address. */
export async function deviceValueTaken(db: Queryable, tailnetId: string, column: UniqueDeviceColumn, value: string): Promise<boolean> {
  const rows = await query(db, `SELECT 1 FROM devices WHERE tailnet_id = $1 AND ${UNIQUE_COLUMN_SQL[column]}`, [tailnetId, value]);
  return rows.length > 0;
}

/** Names already taken in a tailnet that start with `base` (for picking `web`, `web-1`, …). */
export async function namesLike(db: Queryable, tailnetId: string, base: string): Promise<string[]> {
  const rows = await query<{ name: string }>(
    db,
    `SELECT lower(name) AS name FROM devices WHERE tailnet_id = $1 AND lower(name) LIKE $2`,
    [tailnetId, base.toLowerCase().replace(/[\\%_]/g, "\\$&") + "%"],
  );
  return rows.map((r) => r.name);
}

export type NewDevice = {
  tailnetId: string;
  deviceId: string;
  nodeId: string;
  userId: string;
  authKeyId: string | null;
  name: string;
  hostname: string;
  os: string;
  osVersion: string;
  clientVersion: string;
  createdAt: Date;
  lastSeen: Date;
  keyExpiryDisabled: boolean;
  expiresAt: Date;
  authorized: boolean;
  machineKey: string;
  nodeKey: string;
  tags: string[];
  tailnetLockKey: string;
  isEphemeral: boolean;
  advertisedRoutes: string[];
  ipv4: string;
  ipv6: string;
};

export async function insertDevice(db: Queryable, d: NewDevice): Promise<void> {
  await query(
    db,
    `INSERT INTO devices (tailnet_id, device_id, node_id, user_id, auth_key_id, name, hostname, os, os_version,
       client_version, created_at, last_seen, key_expiry_disabled, expires_at, authorized, machine_key, node_key,
       tags, tailnet_lock_key, is_ephemeral, advertised_routes, ipv4, ipv6)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
       $22::inet, $23::inet)`,
    [
      d.tailnetId, d.deviceId, d.nodeId, d.userId, d.authKeyId, d.name, d.hostname, d.os, d.osVersion,
      d.clientVersion, d.createdAt, d.lastSeen, d.keyExpiryDisabled, d.expiresAt, d.authorized, d.machineKey, d.nodeKey,
      d.tags, d.tailnetLockKey, d.isEphemeral, d.advertisedRoutes, d.ipv4, d.ipv6,
    ],
  );
}

/** Re-registration of a known machine: new node key, owner and flags from the new auth key; identity and addresses stay. */
export async function updateRegistration(
  db: Queryable,
  tailnetId: string,
  deviceId: string,
  d: Pick<NewDevice, "userId" | "authKeyId" | "hostname" | "os" | "osVersion" | "clientVersion" | "lastSeen" | "keyExpiryDisabled" | "expiresAt" | "authorized" | "nodeKey" | "tags" | "isEphemeral" | "advertisedRoutes">,
): Promise<void> {
  await query(
    db,
    `UPDATE devices SET user_id = $3, auth_key_id = $4, hostname = $5, os = $6, os_version = $7, client_version = $8,
       last_seen = $9, key_expiry_disabled = $10, expires_at = $11, authorized = authorized OR $12, node_key = $13,
       tags = $14, is_ephemeral = $15, advertised_routes = $16
     WHERE tailnet_id = $1 AND device_id = $2`,
    [
      tailnetId, deviceId, d.userId, d.authKeyId, d.hostname, d.os, d.osVersion, d.clientVersion, d.lastSeen,
      d.keyExpiryDisabled, d.expiresAt, d.authorized, d.nodeKey, d.tags, d.isEphemeral, d.advertisedRoutes,
    ],
  );
}
