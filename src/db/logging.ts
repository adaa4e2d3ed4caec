import { query, type Queryable } from "./sql.js";

export type LogType = "configuration" | "network";
export type LogStreamRow = { logType: LogType; config: Record<string, unknown>; updatedAt: Date };

export async function getLogStream(db: Queryable, tailnetId: string, logType: LogType): Promise<LogStreamRow | undefined> {
  const [r] = await query(db, `SELECT log_type, config, updated_at FROM log_streams WHERE tailnet_id = $1 AND log_type = $2`, [tailnetId, logType]);
  return r ? { logType: r.log_type as LogType, config: r.config as Record<string, unknown>, updatedAt: r.updated_at as Date } : undefined;
}

export async function saveLogStream(db: Queryable, tailnetId: string, logType: LogType, config: Record<string, unknown>, now: Date): Promise<void> {
  await query(
    db,
    `INSERT INTO log_streams (tailnet_id, log_type, config, updated_at) VALUES ($1, $2, $3::text::jsonb, $4)
     ON CONFLICT (tailnet_id, log_type) DO UPDATE SET config = EXCLUDED.config, updated_at = EXCLUDED.updated_at`,
    [tailnetId, logType, JSON.stringify(config), now],
  );
}

export async function deleteLogStream(db: Queryable, tailnetId: string, logType: LogType): Promise<boolean> {
  return (await query(db, `DELETE FROM log_streams WHERE tailnet_id = $1 AND log_type = $2 RETURNING log_type`, [tailnetId, logType])).length > 0;
}
