import { insertAuditRows, listAuditRows, type AuditRow } from "../db/audit.js";
import type { Queryable } from "../db/sql.js";
import { invalid } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import type { Deps } from "./deps.js";

export type { AuditRow };

/**
 * The configuration audit log. Every mutating domain function calls `audit`
 * inside the transaction that makes its change, so an entry exists exactly
 * when the change does:
 *
 *     await d.sql.begin(async (tx) => {
 *       const row = await updateThing(tx, …);
 *       await audit(tx, d, actor, { action: "UPDATE", target: thingTarget(row, "PROPERTY"), old, new: value });
 *     });
 *
 * Time, origin (api | cli | node | system), request id and operation id come
 * from `Deps`; who acted from the `Actor` (or an `AuditActor` for the node
 * API and background jobs). Values are wire values, never secrets: record
 * that a secret changed, not what it is. test/routes/audit-coverage.test.ts
 * fails for a route whose successful mutation does not record.
 */

/**
 * Target types (Tailscale's ConfigurationAuditLog.target.type). Keys of every
 * kind are API_KEY; tailnet-wide configuration (DNS, settings, contacts, log
 * streaming, posture integrations) is TAILNET with the property changed.
 */
export type TargetType = "TAILNET" | "USER" | "GROUP" | "NODE" | "API_KEY" | "INVITE" | "SHARE" | "WEBHOOK_ENDPOINT";

export type Action =
  | "CREATE"
  | "UPDATE"
  | "DELETE"
  | "REVOKE"
  | "APPROVE"
  | "SUSPEND"
  | "RESTORE"
  | "ENABLE"
  | "DISABLE"
  | "EXPIRED"
  | "RESEND"
  | "ACCEPT"
  | "VERIFY"
  | "LOGIN"
  | "LOGOUT";

export type AuditTarget = { type: TargetType; id: string; name?: string; property?: string; isEphemeral?: boolean };
export type AuditEntry = { action: Action; target: AuditTarget; old?: unknown; new?: unknown; details?: string };

/** Who acted, as the log records it. Made from an `Actor`, or directly for nodes and jobs. */
export type AuditActor = {
  tailnetId: string;
  type: "USER" | "NODE" | "OAUTH_CLIENT" | "AUTOMATED_WORKER";
  id: string;
  loginName?: string;
  displayName?: string;
  tags?: readonly string[];
  /** The credential used (API key id, OAuth client id, auth key id). */
  credentialId?: string;
};

export function auditActorOf(actor: Actor): AuditActor {
  if (actor.kind === "oauth") {
    return { tailnetId: actor.tailnetId, type: "OAUTH_CLIENT", id: actor.keyId, tags: actor.tags, credentialId: actor.keyId };
  }
  const u = actor.user!;
  return {
    tailnetId: actor.tailnetId,
    type: "USER",
    id: u.id,
    loginName: u.loginName,
    displayName: u.loginName.split("@")[0],
    credentialId: actor.kind === "cli" ? "" : actor.keyId,
  };
}

const isActor = (a: Actor | AuditActor): a is Actor => "scopes" in a;

/** Records entries in the caller's transaction. */
export async function audit(tx: Queryable, d: Deps, who: Actor | AuditActor, ...entries: AuditEntry[]): Promise<void> {
  const a = isActor(who) ? auditActorOf(who) : who;
  const now = d.clock.now();
  await insertAuditRows(
    tx,
    entries.map((e) => ({
      tailnetId: a.tailnetId,
      eventTime: now,
      eventGroupId: d.operationId,
      requestId: d.requestId,
      origin: d.origin,
      actorType: a.type,
      actorId: a.id,
      actorLogin: a.loginName ?? "",
      actorDisplay: a.displayName ?? "",
      actorTags: [...(a.tags ?? [])],
      credentialId: a.credentialId ?? "",
      action: e.action,
      targetType: e.target.type,
      targetId: e.target.id,
      targetName: e.target.name ?? "",
      targetProperty: e.target.property ?? "",
      targetEphemeral: e.target.isEphemeral ?? null,
      oldValue: e.old,
      newValue: e.new,
      details: e.details ?? "",
    })),
  );
}

/** One entry per changed property: `{ property: [old, new] }` pairs whose values differ. */
export function changes(target: Omit<AuditTarget, "property">, pairs: Record<string, [unknown, unknown]>, action: Action = "UPDATE"): AuditEntry[] {
  return Object.entries(pairs)
    .filter(([, [o, n]]) => JSON.stringify(o) !== JSON.stringify(n))
    .map(([property, [o, n]]) => ({ action, target: { ...target, property }, old: o, new: n }));
}

/** The tailnet as an audit target. */
export const tailnetTarget = (actor: { tailnetId: string; tailnetName: string }, property?: string): AuditTarget => ({
  type: "TAILNET",
  id: actor.tailnetId,
  name: actor.tailnetName,
  property,
});

/** Most entries one listing returns; a window holding more is a 400 asking for a narrower one. */
export const MAX_AUDIT_ENTRIES = 1000;

export type AuditQuery = { start: Date; end: Date; actors: string[]; targets: string[]; events: string[] };

/** The tailnet's entries in [start, end), oldest first. */
export async function listAuditLog(d: Deps, actor: Actor, q: AuditQuery): Promise<AuditRow[]> {
  if (q.end.getTime() <= q.start.getTime()) throw invalid("end must be after start");
  const rows = await listAuditRows(d.sql, actor.tailnetId, { ...q, limit: MAX_AUDIT_ENTRIES + 1 });
  if (rows.length > MAX_AUDIT_ENTRIES) {
    throw invalid(`more than ${MAX_AUDIT_ENTRIES} entries match; narrow the window (start, end) or the filters (actor, target, event)`);
  }
  return rows;
}
