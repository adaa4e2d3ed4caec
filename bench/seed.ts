import { randomBytes } from "node:crypto";
import { insertDevice, type NewDevice } from "../src/db/devices.js";
import { query, type Sql } from "../src/db/sql.js";
import { randomIds } from "../src/lib/ids.js";

const BATCH = 1000;
const OS = [
  { os: "linux", osVersion: "6.1.0-28-amd64" },
  { os: "windows", osVersion: "10.0.22631.4602" },
  { os: "macOS", osVersion: "15.2.0" },
  { os: "iOS", osVersion: "18.2" },
  { os: "android", osVersion: "14" },
];

/** Draws values until `n` distinct ones. */
function distinct(n: number, draw: () => string): string[] {
  const set = new Set<string>();
  while (set.size < n) set.add(draw());
  return [...set];
}

/**
 * Inserts `count` registered devices owned by `userId`, through the project's
 * own insertDevice (so the bench follows the schema), 1000 per transaction with
 * the inserts pipelined on one connection. Every third device is tagged, every
 * fifth advertises (and has enabled) subnet routes; some report a distro and
 * client connectivity, so `fields=all` bodies are realistic.
 */
export async function seedDevices(sql: Sql, tailnetId: string, userId: string, count: number): Promise<void> {
  const deviceIds = distinct(count, randomIds.numericId);
  const nodeIds = distinct(count, randomIds.nodeId);
  const now = Date.now();
  const hex = (bytes: number) => randomBytes(bytes).toString("hex");

  for (let start = 0; start < count; start += BATCH) {
    const end = Math.min(count, start + BATCH);
    await sql.begin(async (tx) => {
      const inserts: Promise<void>[] = [];
      for (let i = start; i < end; i++) {
        const n = i + 1; // 100.64.0.0 is not assignable
        const nodeKey = hex(32);
        const tags = i % 3 === 0 ? ["tag:server", i % 2 === 0 ? "tag:prod" : "tag:staging"] : [];
        const routes = i % 5 === 0 ? [`10.${(i >> 8) & 255}.${i & 255}.0/24`, `fd00:${i.toString(16)}::/64`] : [];
        const name = `bench-host-${String(i).padStart(5, "0")}`;
        const d: NewDevice = {
          tailnetId,
          deviceId: deviceIds[i]!,
          nodeId: nodeIds[i]!,
          userId,
          authKeyId: null,
          name,
          hostname: name,
          ...OS[i % OS.length]!,
          clientVersion: "1.80.2-t5e3c5e3b2-g8f3a1b0c4",
          createdAt: new Date(now - (count - i) * 60_000),
          lastSeen: new Date(now - (i % 600) * 1000),
          keyExpiryDisabled: tags.length > 0,
          expiresAt: new Date(now + 180 * 86_400_000),
          authorized: true,
          machineKey: `mkey:${hex(32)}`,
          nodeKey: `nodekey:${nodeKey}`,
          tags,
          tailnetLockKey: `tlpub:${nodeKey}`,
          isEphemeral: false,
          advertisedRoutes: routes,
          enabledRoutes: routes,
          ipv4: `100.64.${n >> 8}.${n & 255}`,
          ipv6: `fd7a:115c:a1e0:ab12:4843:cd96:${(n >> 16).toString(16)}:${(n & 0xffff).toString(16)}`,
        };
        inserts.push(insertDevice(tx, d));
      }
      await Promise.all(inserts);
    });
  }

  await query(sql, `UPDATE devices SET ssh_enabled = true WHERE tailnet_id = $1 AND advertised_routes <> '{}'`, [tailnetId]);
  await query(
    sql,
    `UPDATE devices SET
       distro = '{"name":"debian","version":"12.8","codeName":"bookworm"}'::jsonb,
       client_connectivity = jsonb_build_object(
         'endpoints', jsonb_build_array('203.0.113.' || (device_id % 250) || ':41641', host(ipv4) || ':41641'),
         'mappingVariesByDestIP', false,
         'latency', '{"fra":{"latencyMs":12.5,"preferred":true},"ams":{"latencyMs":18.1}}'::jsonb,
         'clientSupports', '{"hairPinning":null,"ipv6":true,"pcp":false,"pmp":false,"udp":true,"upnp":false}'::jsonb)
     WHERE tailnet_id = $1 AND os = 'linux'`,
    [tailnetId],
  );
  await sql.unsafe("ANALYZE devices");
}

export type DeviceIds = { deviceIds: string[]; nodeIds: string[] };

export async function loadDeviceIds(sql: Sql, tailnetId: string): Promise<DeviceIds> {
  const rows = await query<{ device_id: string; node_id: string }>(
    sql,
    `SELECT device_id::text AS device_id, node_id FROM devices WHERE tailnet_id = $1`,
    [tailnetId],
  );
  return { deviceIds: rows.map((r) => r.device_id), nodeIds: rows.map((r) => r.node_id) };
}

/**
 * The list's extras (issue: posture attributes and shared-in devices): half
 * the devices get three custom posture attributes (a string, a number, a
 * boolean), and `shared` devices of another tailnet are shared into this one.
 */
export async function seedPostureAndShares(sql: Sql, tailnetId: string, other: { tailnetId: string; userId: string }, acceptedBy: string, shared: number): Promise<void> {
  await query(
    sql,
    `INSERT INTO posture_attribute_keys (tailnet_id, key_lower, key, value_type)
     VALUES ($1, 'custom:tier', 'custom:tier', 'string'), ($1, 'custom:score', 'custom:score', 'number'), ($1, 'custom:compliant', 'custom:compliant', 'boolean')`,
    [tailnetId],
  );
  await query(
    sql,
    `INSERT INTO posture_attributes (tailnet_id, device_id, key_lower, value, expires_at, comment, updated_at)
     SELECT d.tailnet_id, d.device_id, k.key_lower,
            CASE k.value_type WHEN 'string' THEN '"gold"'::jsonb WHEN 'number' THEN to_jsonb(d.device_id % 100) ELSE 'true'::jsonb END,
            CASE k.value_type WHEN 'string' THEN now() + interval '30 days' END, '', now()
     FROM devices d JOIN posture_attribute_keys k ON k.tailnet_id = d.tailnet_id
     WHERE d.tailnet_id = $1 AND d.device_id % 2 = 0`,
    [tailnetId],
  );
  await query(
    sql,
    `WITH picked AS (SELECT device_id, row_number() OVER (ORDER BY device_id) AS n FROM devices WHERE tailnet_id = $2 LIMIT $5),
     invites AS (
       INSERT INTO device_invites (tailnet_id, invite_id, device_id, sharer_user_id, code, created_at)
       SELECT $2, 1000000 + n, device_id, $3, md5(random()::text) || md5(random()::text), now() FROM picked
       RETURNING invite_id, device_id)
     INSERT INTO device_shares (tailnet_id, source_tailnet_id, device_id, invite_id, accepted_by_user_id, allow_exit_node, created_at)
     SELECT $1, $2, device_id, invite_id, $4, false, now() FROM invites`,
    [tailnetId, other.tailnetId, other.userId, acceptedBy, shared],
  );
  await sql.unsafe("ANALYZE posture_attributes; ANALYZE device_shares; ANALYZE device_invites");
}
