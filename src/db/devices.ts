import { cursor, query, queryValues, type Queryable } from "./sql.js";

/** A device as stored, joined with what its wire form needs (owner login, DNS suffix). */
export type DeviceRow = {
  tailnetId: string;
  deviceId: string;
  nodeId: string;
  /** The user who registered it (owner of an untagged device); null for a tagged device no user registered, or whose user was deleted. */
  userId: string | null;
  /** That user's login name, or `tagged-devices` when there is none. */
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
  /** Only from reads with `posture`: the device's live custom posture attributes. */
  posture?: PostureColumn;
};

/** Who a device with no user belongs to, as headscale and Tailscale's clients name it: its tags. */
export const TAGGED_DEVICES = "tagged-devices";

/** RFC 3339 in UTC, formatted by PostgreSQL: no Date objects to build and format per row. */
const rfc3339 = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/**
 * What "now" means for reads, computed by the domain from its clock and
 * settings: a device is connected while it has reported since `onlineSince`;
 * an ephemeral device silent since before `ephemeralSince` is gone (hidden at
 * once, deleted by the sweeper); a posture attribute expires at `now`. Every
 * read takes them as $1, $2 and $3.
 */
export type Presence = { onlineSince: Date; ephemeralSince: Date; now?: Date };

/** Custom posture attributes by key, with their expiries, as the all-fields reads carry them. */
export type PostureColumn = Record<string, { value: string | number | boolean; expiry: string | null }>;

/**
 * The fields of a device read, in select-list order, each with its SQL for a
 * device of the tailnet (`ext` false) or one shared into it (`ext` true). A
 * device shared in reads as external: the sharer's login as its user, no
 * creation time, client version or machine key. A device with no user
 * (tagged, with no user's key, or whose user was deleted) reads as
 * `tagged-devices`. Ids travel as text (bigint columns come back as strings
 * anyway). The posture subquery's `pa.tailnet_id = $4` is the device's own
 * tailnet: it runs for the tailnet's own devices only.
 */
const FIELDS = [
  ["tailnetId", () => "d.tailnet_id::text"],
  ["deviceId", () => "d.device_id::text"],
  ["nodeId", () => "d.node_id"],
  ["userId", () => "d.user_id::text"],
  ["userLogin", () => `COALESCE(u.login_name, '${TAGGED_DEVICES}')`],
  ["dnsSuffix", () => "t.dns_suffix"],
  ["name", () => "d.name"],
  ["hostname", () => "d.hostname"],
  ["os", () => "d.os"],
  ["osVersion", () => "d.os_version"],
  ["clientVersion", (ext) => (ext ? "''" : "d.client_version")],
  ["updateAvailable", () => "d.update_available"],
  ["created", (ext) => (ext ? "''" : rfc3339("d.created_at"))],
  ["lastSeen", () => rfc3339("d.last_seen")],
  ["connectedToControl", () => "(d.connected_to_control AND d.last_seen > $1)"],
  ["keyExpiryDisabled", () => "d.key_expiry_disabled"],
  ["expires", () => rfc3339("d.expires_at")],
  ["authorized", () => "d.authorized"],
  ["isExternal", (ext) => (ext ? "true" : "d.is_external")],
  ["multipleConnections", () => "d.multiple_connections"],
  ["machineKey", (ext) => (ext ? "''" : "d.machine_key")],
  ["nodeKey", () => "d.node_key"],
  ["blocksIncomingConnections", () => "d.blocks_incoming_connections"],
  ["tags", () => "d.tags"],
  ["tailnetLockKey", () => "d.tailnet_lock_key"],
  ["tailnetLockError", () => "d.tailnet_lock_error"],
  ["isEphemeral", () => "d.is_ephemeral"],
  ["advertisedRoutes", () => "d.advertised_routes"],
  ["enabledRoutes", () => "d.enabled_routes"],
  ["sshEnabled", () => "d.ssh_enabled"],
  ["clientConnectivity", () => "d.client_connectivity"],
  ["postureIdentity", () => "d.posture_identity"],
  ["distro", () => "d.distro"],
  ["ipv4", () => "host(d.ipv4)"],
  ["ipv6", () => "host(d.ipv6)"],
  // The list's merge key (see LIST_ORDER); not a field of DeviceRow.
  ["sortAt", () => SORT_AT],
  // Only in reads with `posture`: the device's live custom posture attributes (never a shared-in device's),
  // as one text of (key, value, expiry) triples in JSON, keys in jsonb's order (length, then bytes). Text
  // built by string_agg costs PostgreSQL about half what jsonb_object_agg of jsonb_build_object did.
  [
    "posture",
    (ext) =>
      ext
        ? "NULL::text"
        : `(SELECT string_agg(to_json(pa.key)::text || ',' || pa.value::text || ',' || COALESCE('"' || ${rfc3339("pa.expires_at")} || '"', 'null'), ','
                  ORDER BY length(pa.key), pa.key COLLATE "C")
       FROM posture_attributes pa
      WHERE pa.tailnet_id = $4 AND pa.device_id = d.device_id AND (pa.expires_at IS NULL OR pa.expires_at > $3))`,
  ],
] as const satisfies readonly (readonly [keyof DeviceRow | "sortAt", (ext: boolean) => string])[];

/** Each field's position in a row. */
const AT = Object.fromEntries(FIELDS.map(([key], i) => [key, i])) as { [K in (typeof FIELDS)[number][0]]: number };

/**
 * A device read's select list, in FIELDS order. Device reads come back as
 * arrays of values (postgres.js's `values()`), read by position: building an
 * object of 37 columns per row cost a list of 10,000 devices about a third
 * of its decoding time.
 */
function columns(o: { shared: boolean; posture: boolean }): string {
  const fields = o.posture ? FIELDS : FIELDS.slice(0, AT.posture);
  return fields.map(([key, sql]) => `${sql(o.shared)} AS "${key}"`).join(",\n    ");
}

/** The tailnet's own devices. $4 is the tailnet id. */
function ownSelect(o: { posture: boolean }, where: string): string {
  return `SELECT ${columns({ shared: false, posture: o.posture })}
  FROM devices d
  LEFT JOIN users u ON u.tailnet_id = d.tailnet_id AND u.user_id = d.user_id
  JOIN tailnets t ON t.tailnet_id = d.tailnet_id
  WHERE d.tailnet_id = $4 AND ${LIVE}${where}`;
}

/** The devices shared into the tailnet ($4), read as external. */
function sharedSelect(o: { posture: boolean }, where: string): string {
  return `SELECT ${columns({ shared: true, posture: o.posture })}
  FROM device_shares s
  JOIN devices d ON d.tailnet_id = s.source_tailnet_id AND d.device_id = s.device_id
  JOIN device_invites i ON i.tailnet_id = s.source_tailnet_id AND i.invite_id = s.invite_id
  JOIN users u ON u.tailnet_id = i.tailnet_id AND u.user_id = i.sharer_user_id
  JOIN tailnets t ON t.tailnet_id = d.tailnet_id
  WHERE s.tailnet_id = $4 AND ${LIVE}${where}`;
}

/**
 * The list's order: creation time, then the numeric id compared as text (the
 * order the list has always had). The tailnet's own devices are read in it
 * straight from devices_list_order_idx, so the first rows leave PostgreSQL at
 * once instead of after a sort of the whole list; the few devices shared in
 * are read apart and merged in (streamDevices). `sort_at` is the creation
 * time as text whose byte order is time order, to merge by.
 */
const LIST_ORDER = "ORDER BY d.created_at, d.device_id::text";
const SORT_AT = `to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`;

/** Whether row a comes before row b in the list's order (see LIST_ORDER). */
const before = (a: unknown[], b: unknown[]) =>
  (a[AT.sortAt] as string) < (b[AT.sortAt] as string) ||
  (a[AT.sortAt] === b[AT.sortAt] && (a[AT.deviceId] as string) < (b[AT.deviceId] as string));

/** Devices that still exist for the API: not an ephemeral device past its timeout. */
const LIVE = `NOT (d.is_ephemeral AND d.last_seen < $2)`;

/**
 * Conditions a list read may apply in SQL, each using an index: devices
 * holding all of `tags`, with this `hostname`, this MagicDNS label
 * (`nameLabel`, compared without case), this `nodeId` or numeric `id`. They
 * narrow; the exact device-list filter is still applied to what they return.
 */
export type Narrow = { tags?: string[]; hostname?: string; nameLabel?: string; nodeId?: string; deviceId?: string };

/**
 * What a read returns besides the tailnet's own devices, and how a list is
 * narrowed. `lock` (a read by id of the tailnet's own devices, in a
 * transaction) locks the device's row for the change that follows, in the
 * same statement.
 */
export type ReadOptions = { posture?: boolean; shared?: boolean; narrow?: Narrow; lock?: boolean };

/** The narrowing conditions in a fixed order, as parameters $5 on (a list's own parameters are $1–$4). */
const NARROW_SQL: [keyof Narrow, string][] = [
  ["tags", "d.tags @> $::text[]"],
  ["hostname", "d.hostname = $"],
  ["nameLabel", "lower(d.name) = lower($)"],
  ["nodeId", "d.node_id = $"],
  ["deviceId", "d.device_id = $::bigint"],
];

function narrowing(n: Narrow | undefined): { where: string; params: unknown[]; key: string } {
  if (!n) return { where: "", params: [], key: "" };
  let where = "";
  const params: unknown[] = [];
  let key = "";
  for (const [name, sql] of NARROW_SQL) {
    if (n[name] === undefined) continue;
    params.push(n[name]);
    where += ` AND ${sql.replace("$", `$${4 + params.length}`)}`;
    key += name[0];
  }
  return { where, params, key };
}

/** A device read's row (its values in FIELDS order) as a DeviceRow. */
function toDeviceRow(f: unknown[]): DeviceRow {
  const row: DeviceRow = {
    tailnetId: f[AT.tailnetId] as string,
    deviceId: f[AT.deviceId] as string,
    nodeId: f[AT.nodeId] as string,
    userId: (f[AT.userId] as string | null) ?? null,
    userLogin: f[AT.userLogin] as string,
    dnsSuffix: f[AT.dnsSuffix] as string,
    name: f[AT.name] as string,
    hostname: f[AT.hostname] as string,
    os: f[AT.os] as string,
    osVersion: f[AT.osVersion] as string,
    clientVersion: f[AT.clientVersion] as string,
    updateAvailable: f[AT.updateAvailable] as boolean,
    created: f[AT.created] as string,
    lastSeen: (f[AT.lastSeen] as string | null) ?? null,
    connectedToControl: f[AT.connectedToControl] as boolean,
    keyExpiryDisabled: f[AT.keyExpiryDisabled] as boolean,
    expires: (f[AT.expires] as string | null) ?? null,
    authorized: f[AT.authorized] as boolean,
    isExternal: f[AT.isExternal] as boolean,
    multipleConnections: f[AT.multipleConnections] as boolean,
    machineKey: f[AT.machineKey] as string,
    nodeKey: f[AT.nodeKey] as string,
    blocksIncomingConnections: f[AT.blocksIncomingConnections] as boolean,
    tags: f[AT.tags] as string[],
    tailnetLockKey: f[AT.tailnetLockKey] as string,
    tailnetLockError: f[AT.tailnetLockError] as string,
    isEphemeral: f[AT.isEphemeral] as boolean,
    advertisedRoutes: f[AT.advertisedRoutes] as string[],
    enabledRoutes: f[AT.enabledRoutes] as string[],
    sshEnabled: f[AT.sshEnabled] as boolean,
    clientConnectivity: f[AT.clientConnectivity] ?? null,
    postureIdentity: f[AT.postureIdentity] ?? null,
    distro: f[AT.distro] ?? null,
    ipv4: f[AT.ipv4] as string,
    ipv6: f[AT.ipv6] as string,
  };
  // A device shared in from another tailnet never shows that tailnet's posture attributes.
  if (f.length > AT.posture && !row.isExternal) row.posture = postureColumn(f[AT.posture] as string | null);
  return row;
}

/** The posture column's triples (`"key",value,"expiry"|null,…`) as attributes by key, in their order. */
function postureColumn(text: string | null): PostureColumn {
  const posture: PostureColumn = {};
  if (text === null) return posture;
  const t = JSON.parse(`[${text}]`) as (string | number | boolean | null)[];
  for (let i = 0; i < t.length; i += 3) posture[t[i] as string] = { value: t[i + 1] as string | number | boolean, expiry: t[i + 2] as string | null };
  return posture;
}

const MAX_DEVICE_ID = 9_007_199_254_740_991n;

/**
 * A device id as the API takes it (nodeId, or the legacy numeric id) turned
 * into the column to match; undefined for a numeric id out of range (no such device).
 */
function idColumn(id: string): { column: "node_id" | "device_id"; value: string } | undefined {
  if (!/^\d{1,16}$/.test(id)) return { column: "node_id", value: id };
  return BigInt(id) > MAX_DEVICE_ID ? undefined : { column: "device_id", value: id };
}

const presenceParams = (p: Presence) => [p.onlineSince, p.ephemeralSince, p.now ?? new Date(0)];

/** Statement texts by (column, options): built once each, then prepared by PostgreSQL. */
const statements = new Map<string, string>();
/**
 * `list` and `shared`: the tailnet's own devices, and those shared into it,
 * each in list order. By `node_id` or `device_id`: one of the tailnet's own
 * devices, or (with `shared`) one of those shared into it.
 */
function statement(kind: "node_id" | "device_id" | "list" | "shared", o: ReadOptions): string {
  const narrow = kind === "list" || kind === "shared" ? narrowing(o.narrow) : undefined;
  const key = `${kind}:${o.posture ? 1 : 0}${o.shared ? 1 : 0}${o.lock ? 1 : 0}:${narrow?.key ?? ""}`;
  let text = statements.get(key);
  if (!text) {
    const opts = { posture: o.posture ?? false };
    const byId = ` AND d.${kind} = $5`;
    text =
      kind === "list"
        ? `${ownSelect(opts, narrow!.where)} ${LIST_ORDER}`
        : kind === "shared"
          ? `${sharedSelect(opts, narrow!.where)} ${LIST_ORDER}`
          : o.shared
            ? `${sharedSelect(opts, byId)} LIMIT 1`
            : `${ownSelect(opts, byId)}${o.lock ? " FOR NO KEY UPDATE OF d" : ""}`;
    statements.set(key, text);
  }
  return text;
}

const listParams = (p: Presence, tailnetId: string, o: ReadOptions) => [...presenceParams(p), tailnetId, ...narrowing(o.narrow).params];

/**
 * Looks a device up by nodeId or by legacy numeric id, within one tailnet
 * (with `shared`, also among the devices shared into it; its own come first).
 */
export async function getDevice(db: Queryable, tailnetId: string, id: string, p: Presence, o: ReadOptions = {}): Promise<DeviceRow | undefined> {
  const key = idColumn(id);
  if (!key) return undefined;
  const params = [...presenceParams(p), tailnetId, key.value];
  // The tailnet's own device first; only when it has none, one shared into it
  // (two statements rather than one UNION: nearly every read finds its own).
  const [own] = await queryValues(db, statement(key.column, { ...o, shared: false }), params);
  if (own || !o.shared) return own && toDeviceRow(own);
  const [shared] = await queryValues(db, statement(key.column, o), params);
  return shared && toDeviceRow(shared);
}

export async function listDevices(db: Queryable, tailnetId: string, p: Presence, o: ReadOptions = {}): Promise<DeviceRow[]> {
  const params = listParams(p, tailnetId, o);
  const m = mergeShared(o.shared ? await queryValues(db, statement("shared", o), params) : []);
  return [...m.batch(await queryValues(db, statement("list", o), params)), ...m.rest()];
}

/**
 * The same list as listDevices, read through a cursor in batches (bounded
 * memory whatever the tailnet's size). The devices shared into the tailnet
 * (one per accepted share) are read first, whole, and merged into the
 * tailnet's own as those stream in order. The two reads are two statements:
 * a share accepted or revoked between them shows as it would have a moment
 * earlier; no device can appear twice.
 */
export async function* streamDevices(db: Queryable, tailnetId: string, p: Presence, o: ReadOptions = {}, batch = 500): AsyncGenerator<DeviceRow[]> {
  const params = listParams(p, tailnetId, o);
  const m = mergeShared(o.shared ? await queryValues(db, statement("shared", o), params) : []);
  for await (const rows of cursor<unknown[]>(db, statement("list", o), params, batch, { values: true })) yield m.batch(rows);
  const rest = m.rest();
  if (rest.length) yield rest;
}

/** Merges the shared-in rows (in list order) into the tailnet's own, given batch by batch in list order. */
function mergeShared(shared: unknown[][]) {
  let j = 0;
  return {
    /** A batch of own rows, with the shared rows that come before its last one. */
    batch(rows: unknown[][]): DeviceRow[] {
      if (j === shared.length) return rows.map(toDeviceRow);
      const out: DeviceRow[] = [];
      for (const r of rows) {
        while (j < shared.length && before(shared[j]!, r)) out.push(toDeviceRow(shared[j++]!));
        out.push(toDeviceRow(r));
      }
      return out;
    },
    /** The shared rows after the last own row. */
    rest: (): DeviceRow[] => shared.slice(j).map(toDeviceRow),
  };
}

/** What policy evaluation needs of each device: addresses, owner (untagged devices), tags. */
export async function listDeviceIdentities(
  db: Queryable,
  tailnetId: string,
  ephemeralSince: Date,
): Promise<{ addresses: string[]; userLogin: string | null; tags: string[] }[]> {
  const rows = await query(
    db,
    `SELECT host(d.ipv4) AS ipv4, host(d.ipv6) AS ipv6, u.login_name, d.tags
     FROM devices d LEFT JOIN users u ON u.tailnet_id = d.tailnet_id AND u.user_id = d.user_id
     WHERE d.tailnet_id = $1 AND NOT (d.is_ephemeral AND d.last_seen < $2)`,
    [tailnetId, ephemeralSince],
  );
  return rows.map((r) => ({
    addresses: [r.ipv4 as string, r.ipv6 as string],
    userLogin: (r.tags as string[]).length ? null : ((r.login_name as string | null) ?? null),
    tags: r.tags as string[],
  }));
}

/** Deletes the tailnet's ephemeral devices silent since before `since`. */
export async function deleteSilentEphemeral(db: Queryable, tailnetId: string, since: Date): Promise<number> {
  const rows = await query(db, `DELETE FROM devices WHERE tailnet_id = $1 AND is_ephemeral AND last_seen < $2 RETURNING device_id`, [
    tailnetId,
    since,
  ]);
  return rows.length;
}

// ---- one statement per device operation ----
// Each updates the device named by nodeId or numeric id in one tailnet, and
// only when `onlyUser` is null or the device is that user's and untagged (a
// member's own device); it returns what the answer needs, or undefined when
// no such device was updated (the domain then tells 404 from 403).

export type Target = { tailnetId: string; id: string; onlyUser: string | null; ephemeralSince: Date };

async function updateDevice<T extends Record<string, unknown>>(
  db: Queryable,
  t: Target,
  set: string,
  values: unknown[],
  returning = "device_id::text AS device_id",
): Promise<T | undefined> {
  const key = idColumn(t.id);
  if (!key) return undefined;
  const n = values.length;
  const [row] = await query<T>(
    db,
    `UPDATE devices SET ${set}
     WHERE tailnet_id = $${n + 1} AND ${key.column} = $${n + 2}
       AND ($${n + 3}::bigint IS NULL OR (user_id = $${n + 3} AND tags = '{}'))
       AND NOT (is_ephemeral AND last_seen < $${n + 4})
     RETURNING ${returning}`,
    [...values, t.tailnetId, key.value, t.onlyUser, t.ephemeralSince],
  );
  return row;
}

/** Deletes the device (same targeting as the updates). */
export async function deleteDeviceById(db: Queryable, t: Target): Promise<boolean> {
  const key = idColumn(t.id);
  if (!key) return false;
  const rows = await query(
    db,
    `DELETE FROM devices
     WHERE tailnet_id = $1 AND ${key.column} = $2 AND ($3::bigint IS NULL OR (user_id = $3 AND tags = '{}'))
       AND NOT (is_ephemeral AND last_seen < $4)
     RETURNING device_id`,
    [t.tailnetId, key.value, t.onlyUser, t.ephemeralSince],
  );
  return rows.length > 0;
}

/** The node key expires now, whatever key_expiry_disabled says. */
export function expireDeviceKey(db: Queryable, t: Target, now: Date) {
  return updateDevice(db, t, "expires_at = $1, key_expired = true", [now]);
}

export function setEnabledRoutes(db: Queryable, t: Target, routes: string[]) {
  return updateDevice<{ advertised_routes: string[]; enabled_routes: string[] }>(
    db,
    t,
    "enabled_routes = $1",
    [routes],
    "advertised_routes, enabled_routes",
  );
}

export function setAuthorized(db: Queryable, t: Target, authorized: boolean) {
  return updateDevice(db, t, "authorized = $1", [authorized]);
}

/** May throw a unique violation on devices_name_key: the name is taken. */
export function setDeviceName(db: Queryable, t: Target, name: string) {
  return updateDevice(db, t, "name = $1", [name]);
}

/**
 * Replaces the tags. A device that becomes tagged gets key expiry disabled
 * (as a tagged registration does); one that loses its last tag gets it back.
 */
export function setDeviceTags(db: Queryable, t: Target, tags: string[]) {
  return updateDevice(
    db,
    t,
    `key_expiry_disabled = CASE WHEN (tags = '{}') = (cardinality($1::text[]) = 0) THEN key_expiry_disabled
                                ELSE cardinality($1::text[]) > 0 END,
     tags = $1`,
    [tags],
  );
}

export function setKeyExpiryDisabled(db: Queryable, t: Target, disabled: boolean) {
  return updateDevice(db, t, "key_expiry_disabled = $1", [disabled]);
}

/** May throw a unique violation on devices_ipv4_key: the address is taken. */
export function setIPv4(db: Queryable, t: Target, ipv4: string) {
  return updateDevice(db, t, "ipv4 = $1::inet", [ipv4]);
}

/** What the node API's checks need about one device. */
export type NodeState = {
  authorized: boolean;
  expired: boolean;
  tags: string[];
  userId: string | null;
  /** Whether the device's user is neither suspended nor waiting for approval (false when it has none). */
  userActive: boolean;
  advertisedRoutes: string[];
  enabledRoutes: string[];
  postureIdentity: unknown;
};

export async function nodeState(db: Queryable, tailnetId: string, deviceId: string, now: Date): Promise<NodeState | undefined> {
  const [r] = await query(
    db,
    `SELECT d.authorized, (d.key_expired OR (NOT d.key_expiry_disabled AND d.expires_at <= $3)) AS expired, d.tags,
            d.user_id::text AS user_id, COALESCE(u.suspended_at IS NULL AND u.approved, false) AS user_active,
            d.advertised_routes, d.enabled_routes, d.posture_identity
     FROM devices d LEFT JOIN users u ON u.tailnet_id = d.tailnet_id AND u.user_id = d.user_id
     WHERE d.tailnet_id = $1 AND d.device_id = $2`,
    [tailnetId, deviceId, now],
  );
  if (!r) return undefined;
  return {
    authorized: r.authorized as boolean,
    expired: r.expired as boolean,
    tags: r.tags as string[],
    userId: (r.user_id as string | null) ?? null,
    userActive: r.user_active as boolean,
    advertisedRoutes: r.advertised_routes as string[],
    enabledRoutes: r.enabled_routes as string[],
    postureIdentity: r.posture_identity ?? null,
  };
}

/** A node's report: what it says about itself, and that it was seen now. Undefined fields keep their value. */
export type NodeReport = {
  hostname?: string;
  os?: string;
  osVersion?: string;
  clientVersion?: string;
  advertisedRoutes?: string[];
  enabledRoutes?: string[];
  tags?: string[];
  keyExpiryDisabled?: boolean;
  clientConnectivity?: unknown;
  postureIdentity?: unknown;
  distro?: unknown;
};

export async function applyNodeReport(db: Queryable, tailnetId: string, deviceId: string, r: NodeReport, now: Date): Promise<void> {
  await query(
    db,
    `UPDATE devices SET last_seen = $3, connected_to_control = true,
       hostname = COALESCE($4, hostname), os = COALESCE($5, os), os_version = COALESCE($6, os_version),
       client_version = COALESCE($7, client_version), advertised_routes = COALESCE($8, advertised_routes),
       enabled_routes = COALESCE($9, enabled_routes), tags = COALESCE($10, tags),
       key_expiry_disabled = COALESCE($11, key_expiry_disabled),
       client_connectivity = COALESCE($12, client_connectivity), posture_identity = COALESCE($13, posture_identity),
       distro = COALESCE($14, distro)
     WHERE tailnet_id = $1 AND device_id = $2`,
    [
      tailnetId, deviceId, now, r.hostname ?? null, r.os ?? null, r.osVersion ?? null, r.clientVersion ?? null,
      r.advertisedRoutes ?? null, r.enabledRoutes ?? null, r.tags ?? null, r.keyExpiryDisabled ?? null,
      r.clientConnectivity ?? null, r.postureIdentity ?? null, r.distro ?? null,
    ],
  );
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
  const rows = await query<{ name: string }>(db, NAMES_LIKE, [tailnetId, likePrefix(base)]);
  return rows.map((r) => r.name);
}

/** Served by devices_name_pattern_idx: a range over the names with the prefix, never a scan of the tailnet. */
export const NAMES_LIKE = `SELECT lower(name) AS name FROM devices WHERE tailnet_id = $1 AND lower(name) LIKE $2`;
export const likePrefix = (base: string) => base.toLowerCase().replace(/[\\%_]/g, "\\$&") + "%";

export type NewDevice = {
  tailnetId: string;
  deviceId: string;
  nodeId: string;
  userId: string | null;
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
  enabledRoutes: string[];
  ipv4: string;
  ipv6: string;
};

export async function insertDevice(db: Queryable, d: NewDevice): Promise<void> {
  await query(
    db,
    `INSERT INTO devices (tailnet_id, device_id, node_id, user_id, auth_key_id, name, hostname, os, os_version,
       client_version, created_at, last_seen, key_expiry_disabled, expires_at, authorized, machine_key, node_key,
       tags, tailnet_lock_key, is_ephemeral, advertised_routes, enabled_routes, ipv4, ipv6)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
       $22, $23::inet, $24::inet)`,
    [
      d.tailnetId, d.deviceId, d.nodeId, d.userId, d.authKeyId, d.name, d.hostname, d.os, d.osVersion,
      d.clientVersion, d.createdAt, d.lastSeen, d.keyExpiryDisabled, d.expiresAt, d.authorized, d.machineKey, d.nodeKey,
      d.tags, d.tailnetLockKey, d.isEphemeral, d.advertisedRoutes, d.enabledRoutes, d.ipv4, d.ipv6,
    ],
  );
}

/** Re-registration of a known machine: new node key, owner and flags from the new auth key; identity and addresses stay. */
export async function updateRegistration(
  db: Queryable,
  tailnetId: string,
  deviceId: string,
  d: Pick<NewDevice, "userId" | "authKeyId" | "hostname" | "os" | "osVersion" | "clientVersion" | "lastSeen" | "keyExpiryDisabled" | "expiresAt" | "authorized" | "nodeKey" | "tags" | "isEphemeral" | "advertisedRoutes" | "enabledRoutes">,
): Promise<void> {
  await query(
    db,
    `UPDATE devices SET user_id = $3, auth_key_id = $4, hostname = $5, os = $6, os_version = $7, client_version = $8,
       last_seen = $9, key_expiry_disabled = $10, expires_at = $11, authorized = authorized OR $12, node_key = $13,
       tags = $14, is_ephemeral = $15, advertised_routes = $16, enabled_routes = $17, key_expired = false,
       connected_to_control = false
     WHERE tailnet_id = $1 AND device_id = $2`,
    [
      tailnetId, deviceId, d.userId, d.authKeyId, d.hostname, d.os, d.osVersion, d.clientVersion, d.lastSeen,
      d.keyExpiryDisabled, d.expiresAt, d.authorized, d.nodeKey, d.tags, d.isEphemeral, d.advertisedRoutes,
      d.enabledRoutes,
    ],
  );
}

/** A device as a real tailnet's API describes it (import): every stored field given. */
export type ImportedDevice = Omit<NewDevice, "lastSeen" | "expiresAt"> & {
  connectedToControl: boolean;
  lastSeen: Date | null;
  expiresAt: Date | null;
  updateAvailable: boolean;
  isExternal: boolean;
  multipleConnections: boolean;
  blocksIncomingConnections: boolean;
  tailnetLockError: string;
  sshEnabled: boolean;
  clientConnectivity: unknown;
  postureIdentity: unknown;
  distro: unknown;
};

export async function insertImportedDevice(db: Queryable, d: ImportedDevice): Promise<void> {
  await query(
    db,
    `INSERT INTO devices (tailnet_id, device_id, node_id, user_id, auth_key_id, name, hostname, os, os_version,
       client_version, created_at, last_seen, key_expiry_disabled, expires_at, authorized, machine_key, node_key,
       tags, tailnet_lock_key, is_ephemeral, advertised_routes, enabled_routes, ipv4, ipv6, connected_to_control,
       update_available, is_external, multiple_connections, blocks_incoming_connections, tailnet_lock_error, ssh_enabled,
       client_connectivity, posture_identity, distro)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
       $22, $23::inet, $24::inet, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)`,
    [
      d.tailnetId, d.deviceId, d.nodeId, d.userId, d.authKeyId, d.name, d.hostname, d.os, d.osVersion,
      d.clientVersion, d.createdAt, d.lastSeen, d.keyExpiryDisabled, d.expiresAt, d.authorized, d.machineKey, d.nodeKey,
      d.tags, d.tailnetLockKey, d.isEphemeral, d.advertisedRoutes, d.enabledRoutes, d.ipv4, d.ipv6, d.connectedToControl,
      d.updateAvailable, d.isExternal, d.multipleConnections, d.blocksIncomingConnections, d.tailnetLockError, d.sshEnabled,
      d.clientConnectivity ?? null, d.postureIdentity ?? null, d.distro ?? null,
    ],
  );
}

/** Whether a device of the tailnet already has this machine key (or, with `lower`, this name). */
export async function deviceNameOrKeyTaken(db: Queryable, tailnetId: string, what: "machine_key" | "name", value: string): Promise<boolean> {
  const sql = what === "name" ? `lower(name) = lower($2)` : `machine_key = $2 AND machine_key <> ''`;
  return (await query(db, `SELECT 1 FROM devices WHERE tailnet_id = $1 AND ${sql}`, [tailnetId, value])).length > 0;
}

export async function countDevices(db: Queryable, tailnetId: string): Promise<number> {
  const [r] = await query<{ n: number }>(db, `SELECT count(*)::int AS n FROM devices WHERE tailnet_id = $1`, [tailnetId]);
  return r!.n;
}

/**
 * Locks a device's row until commit, so a change can read the state it
 * replaces (for the audit log) without another change slipping in between.
 * NO KEY UPDATE: rows that only reference the device (its node key) are not
 * held up.
 */

/** PostgreSQL's plan for a list read (for tests and diagnostics: which indexes a narrowed list uses). */
export async function explainListDevices(db: Queryable, tailnetId: string, p: Presence, o: ReadOptions = {}): Promise<string> {
  const plans: string[] = [];
  for (const kind of o.shared ? (["list", "shared"] as const) : (["list"] as const)) {
    const rows = await db.unsafe(`EXPLAIN ${statement(kind, o)}`, listParams(p, tailnetId, o) as never[]);
    plans.push(rows.map((r) => (r as Record<string, string>)["QUERY PLAN"]).join("\n"));
  }
  return plans.join("\n");
}
