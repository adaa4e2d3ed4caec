import { query, type Queryable } from "./sql.js";

export type ExpiryNotice = {
  tailnetId: string;
  tailnetName: string;
  nodeId: string;
  name: string;
  dnsSuffix: string;
  tags: string[];
  userLogin: string;
  expiresAt: Date;
};

/**
 * Marks up to `limit` devices whose key expires within (expiring) or has
 * passed (expired) as told, and returns them. A device is returned once per
 * expiry time, however many replicas sweep: the UPDATE takes the row. This is
 * a job over every tailnet, so it is not scoped by one.
 */
export async function markExpiries(db: Queryable, kind: "expiring" | "expired", now: Date, limit: number): Promise<ExpiryNotice[]> {
  const column = kind === "expiring" ? "expiring_notified_for" : "expired_notified_for";
  const window = kind === "expiring" ? "d.expires_at > $1 AND d.expires_at <= $1 + interval '1 day'" : "d.expires_at <= $1";
  const rows = await query(
    db,
    `/* cross-tailnet: key-expiry sweep over every tailnet */ WITH due AS (
       SELECT d.tailnet_id, d.device_id FROM devices d
       WHERE NOT d.key_expiry_disabled AND d.expires_at IS NOT NULL AND ${window}
         AND d.${column} IS DISTINCT FROM d.expires_at
       LIMIT $2 FOR UPDATE SKIP LOCKED)
     UPDATE devices d SET ${column} = d.expires_at
     FROM due, tailnets t, users u
     WHERE d.tailnet_id = due.tailnet_id AND d.device_id = due.device_id
       AND t.tailnet_id = d.tailnet_id AND u.tailnet_id = d.tailnet_id AND u.user_id = d.user_id
     RETURNING d.tailnet_id::text AS tailnet_id, t.name AS tailnet_name, d.node_id, d.name, t.dns_suffix, d.tags,
       u.login_name AS user_login, d.expires_at`,
    [now, limit],
  );
  return rows.map((r) => ({
    tailnetId: r.tailnet_id as string,
    tailnetName: r.tailnet_name as string,
    nodeId: r.node_id as string,
    name: r.name as string,
    dnsSuffix: r.dns_suffix as string,
    tags: r.tags as string[],
    userLogin: r.user_login as string,
    expiresAt: r.expires_at as Date,
  }));
}
