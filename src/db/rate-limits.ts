import type { BucketCount, RateLimitStore } from "../lib/rate-limit.js";
import { query, type Queryable } from "./sql.js";

/** The rate limiter's shared counts in PostgreSQL (migration 0031): one statement per sync. */
export function rateLimitStore(db: Queryable): RateLimitStore {
  return {
    async sync(replica, mine, windowStart, liveWithinMs) {
      // This replica's heartbeat rides along as bucket '' of tailnet 0.
      const rows = [...mine, { tailnetId: "0", bucket: "", windowStart, count: 0 }];
      const result = await query<{ tailnet_id: string; bucket: string; others: number; replicas: number }>(
        db,
        `/* cross-tailnet: rate-limit sync writes many tailnets' counters at once */ WITH mine AS (
           INSERT INTO rate_limit_counts (tailnet_id, bucket, window_start, replica, count, updated_at)
           SELECT t, b, w, $5, c, now() FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::int[]) AS m(t, b, w, c)
           ON CONFLICT (tailnet_id, bucket, window_start, replica) DO UPDATE SET count = excluded.count, updated_at = now()
         ),
         live AS (
           SELECT count(DISTINCT replica)::int AS n FROM rate_limit_counts
           WHERE tailnet_id = 0 AND bucket = '' AND replica <> $5 AND updated_at > now() - make_interval(secs => $6::float8 / 1000)
         )
         SELECT tailnet_id::text AS tailnet_id, bucket, sum(count)::int AS others, 0 AS replicas
         FROM rate_limit_counts
         WHERE window_start = $7 AND replica <> $5 AND bucket <> ''
         GROUP BY 1, 2
         UNION ALL
         SELECT '0', '', 0, (SELECT n FROM live) + 1`,
        [rows.map((r) => r.tailnetId), rows.map((r) => r.bucket), rows.map((r) => String(r.windowStart)), rows.map((r) => r.count), replica, liveWithinMs, String(windowStart)],
      );
      const replicas = result.find((r) => r.bucket === "")?.replicas ?? 1;
      const others: BucketCount[] = result.filter((r) => r.bucket !== "").map((r) => ({ tailnetId: r.tailnet_id, bucket: r.bucket, windowStart, count: r.others }));
      return { others, replicas };
    },
    async leave(replica) {
      // Heartbeats are bucket '' of tailnet 0 (see sync).
      await query(db, `DELETE FROM rate_limit_counts WHERE tailnet_id = $1 AND bucket = '' AND replica = $2`, ["0", replica]);
    },
    async prune(windowStart) {
      await query(db, `/* cross-tailnet: rate-limit counter cleanup */ DELETE FROM rate_limit_counts WHERE window_start < $1`, [String(windowStart)]);
    },
  };
}
