import { query, type Queryable } from "./sql.js";

export type AuditRow = {
  tailnetId: string;
  entryId: string;
  eventTime: Date;
  eventGroupId: string;
  requestId: string;
  origin: string;
  actorType: string;
  actorId: string;
  actorLogin: string;
  actorDisplay: string;
  actorTags: string[];
  credentialId: string;
  action: string;
  targetType: string;
  targetId: string;
  targetName: string;
  targetProperty: string;
  targetEphemeral: boolean | null;
  oldValue: unknown;
  newValue: unknown;
  details: string;
};

export type NewAuditRow = Omit<AuditRow, "entryId">;

/**
 * Sends every row's INSERT at once (on a transaction's connection they are
 * pipelined, in order), then waits for them all: the first failure rejects.
 */
export async function insertAuditRows(db: Queryable, rows: NewAuditRow[]): Promise<void> {
  await Promise.all(
    rows.map((r) =>
      query(
        db,
        `INSERT INTO audit_log (tailnet_id, event_time, event_group_id, request_id, origin, actor_type, actor_id, actor_login,
           actor_display, actor_tags, credential_id, action, target_type, target_id, target_name, target_property,
           target_ephemeral, old_value, new_value, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::text::jsonb, $19::text::jsonb, $20)`,
        [
          r.tailnetId, r.eventTime, r.eventGroupId, r.requestId, r.origin, r.actorType, r.actorId, r.actorLogin,
          r.actorDisplay, r.actorTags, r.credentialId, r.action, r.targetType, r.targetId, r.targetName, r.targetProperty,
          r.targetEphemeral, r.oldValue === undefined ? null : JSON.stringify(r.oldValue),
          r.newValue === undefined ? null : JSON.stringify(r.newValue), r.details,
        ],
      ),
    ),
  );
}

function toRow(r: Record<string, unknown>): AuditRow {
  return {
    tailnetId: r.tailnet_id as string,
    entryId: r.entry_id as string,
    eventTime: r.event_time as Date,
    eventGroupId: r.event_group_id as string,
    requestId: r.request_id as string,
    origin: r.origin as string,
    actorType: r.actor_type as string,
    actorId: r.actor_id as string,
    actorLogin: r.actor_login as string,
    actorDisplay: r.actor_display as string,
    actorTags: r.actor_tags as string[],
    credentialId: r.credential_id as string,
    action: r.action as string,
    targetType: r.target_type as string,
    targetId: r.target_id as string,
    targetName: r.target_name as string,
    targetProperty: r.target_property as string,
    targetEphemeral: (r.target_ephemeral as boolean | null) ?? null,
    oldValue: r.old_value ?? undefined,
    newValue: r.new_value ?? undefined,
    details: r.details as string,
  };
}

export type AuditFilter = { start: Date; end: Date; actors: string[]; targets: string[]; events: string[]; limit: number };

/**
 * Entries of a tailnet in [start, end), oldest first. `actors`: exact actor
 * ids, or `~text` matching login or display name; `targets`: any part of the
 * target's id, name or property; `events`: `TARGET.ACTION[.PROPERTY]` names.
 * Each list is ORed within itself and ANDed with the others.
 */
export async function listAuditRows(db: Queryable, tailnetId: string, f: AuditFilter): Promise<AuditRow[]> {
  const exactActors = f.actors.filter((a) => !a.startsWith("~"));
  const searches = f.actors.filter((a) => a.startsWith("~")).map((a) => `%${a.slice(1).toLowerCase().replace(/[\\%_]/g, "\\$&")}%`);
  const targets = f.targets.map((t) => `%${t.toLowerCase().replace(/[\\%_]/g, "\\$&")}%`);
  const rows = await query(
    db,
    `SELECT tailnet_id::text AS tailnet_id, entry_id::text AS entry_id, event_time, event_group_id, request_id, origin,
            actor_type, actor_id, actor_login, actor_display, actor_tags, credential_id, action, target_type, target_id,
            target_name, target_property, target_ephemeral, old_value, new_value, details
     FROM audit_log
     WHERE tailnet_id = $1 AND event_time >= $2 AND event_time < $3
       AND (cardinality($4::text[]) + cardinality($5::text[]) = 0
            OR actor_id = ANY($4::text[])
            OR EXISTS (SELECT 1 FROM unnest($5::text[]) s WHERE lower(actor_login) LIKE s OR lower(actor_display) LIKE s))
       AND (cardinality($6::text[]) = 0
            OR EXISTS (SELECT 1 FROM unnest($6::text[]) s WHERE lower(target_id) LIKE s OR lower(target_name) LIKE s OR lower(target_property) LIKE s))
       AND (cardinality($7::text[]) = 0
            OR (target_type || '.' || action || CASE WHEN target_property = '' THEN '' ELSE '.' || target_property END) = ANY($7::text[])
            OR (target_type || '.' || action) = ANY($7::text[]))
     ORDER BY audit_log.event_time, audit_log.entry_id -- the table's bigint, not the text alias
     LIMIT $8`,
    [tailnetId, f.start, f.end, exactActors, searches, targets, f.events, f.limit],
  );
  return rows.map(toRow);
}

export async function countAuditRows(db: Queryable, tailnetId: string): Promise<number> {
  const [r] = await query<{ n: string }>(db, `SELECT count(*)::text AS n FROM audit_log WHERE tailnet_id = $1`, [tailnetId]);
  return Number(r!.n);
}
