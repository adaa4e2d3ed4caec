import { query, type Sql } from "../src/db/sql.js";
import { randomIds } from "../src/lib/ids.js";

const BATCH = 5000;
/** Draws values until `n` distinct ones. */
function distinct(n: number, draw: () => string): string[] {
  const set = new Set<string>();
  while (set.size < n) set.add(draw());
  return [...set];
}

/**
 * Inserts `count` registered devices owned by `userId`, numbered from
 * `offset` (so a tailnet can be grown in steps), 5,000 per statement: random
 * ids come from the project's id source, everything else is computed by
 * PostgreSQL from the device's number. Every third device is tagged, every
 * fifth advertises (and has enabled) subnet routes and reports a distro and
 * client connectivity, so `fields=all` bodies are realistic. A million
 * devices take minutes, not hours.
 */
export async function seedDevices(sql: Sql, tailnetId: string, userId: string, count: number, offset = 0): Promise<void> {
  const base = new Date(Date.now() - 2_100_000 * 60_000); // creation times one minute apart, all in the past
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    const numbers = Array.from({ length: n }, (_, k) => offset + start + k);
    await query(sql, INSERT_DEVICES, [tailnetId, userId, distinct(n, randomIds.numericId), distinct(n, randomIds.nodeId), numbers, base]);
  }
  await sql.unsafe("ANALYZE devices");
}

const INSERT_DEVICES = `
  WITH u AS (
    SELECT device_id, node_id, i, i + 1 AS a,
           md5(random()::text) || md5(random()::text) AS nk, md5(random()::text) || md5(random()::text) AS mk
    FROM unnest($3::bigint[], $4::text[], $5::int[]) AS u(device_id, node_id, i)),
  v AS (
    SELECT *, ('100.' || (64 + a / 65536) || '.' || (a / 256 % 256) || '.' || (a % 256)) AS v4,
           CASE WHEN i % 3 = 0 THEN ARRAY['tag:server', CASE WHEN i % 2 = 0 THEN 'tag:prod' ELSE 'tag:staging' END] ELSE '{}'::text[] END AS tags,
           CASE WHEN i % 5 = 0 THEN ARRAY['10.' || (i / 256 % 256) || '.' || (i % 256) || '.0/24', 'fd00:' || to_hex(i) || '::/64'] ELSE '{}'::text[] END AS routes
    FROM u)
  INSERT INTO devices (tailnet_id, device_id, node_id, user_id, name, hostname, os, os_version, client_version, created_at, last_seen,
    key_expiry_disabled, expires_at, authorized, machine_key, node_key, tags, tailnet_lock_key, advertised_routes, enabled_routes,
    ssh_enabled, distro, client_connectivity, ipv4, ipv6)
  SELECT $1, device_id, node_id, $2, 'bench-host-' || lpad(i::text, 5, '0'), 'bench-host-' || lpad(i::text, 5, '0'),
    (ARRAY['linux', 'windows', 'macOS', 'iOS', 'android'])[1 + i % 5],
    (ARRAY['6.1.0-28-amd64', '10.0.22631.4602', '15.2.0', '18.2', '14'])[1 + i % 5],
    '1.80.2-t5e3c5e3b2-g8f3a1b0c4', $6::timestamptz + i * interval '1 minute', now() - (i % 600) * interval '1 second',
    cardinality(tags) > 0, now() + interval '180 days', true, 'mkey:' || mk, 'nodekey:' || nk, tags, 'tlpub:' || nk, routes, routes,
    cardinality(routes) > 0,
    CASE WHEN i % 5 = 0 THEN '{"name":"debian","version":"12.8","codeName":"bookworm"}'::jsonb END,
    CASE WHEN i % 5 = 0 THEN jsonb_build_object(
      'endpoints', jsonb_build_array('203.0.113.' || (i % 250) || ':41641', v4 || ':41641'),
      'mappingVariesByDestIP', false,
      'latency', '{"fra":{"latencyMs":12.5,"preferred":true},"ams":{"latencyMs":18.1}}'::jsonb,
      'clientSupports', '{"hairPinning":null,"ipv6":true,"pcp":false,"pmp":false,"udp":true,"upnp":false}'::jsonb) END,
    v4::inet, ('fd7a:115c:a1e0:ab12:4843:cd96:' || to_hex(a / 65536) || ':' || to_hex(a % 65536))::inet
  FROM v
  ON CONFLICT DO NOTHING -- a random id drawn twice across batches (about once in 2,000 million-device runs)`;

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
    `INSERT INTO posture_attributes (tailnet_id, device_id, key_lower, key, value, expires_at, comment, updated_at)
     SELECT d.tailnet_id, d.device_id, k.key_lower, k.key,
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
