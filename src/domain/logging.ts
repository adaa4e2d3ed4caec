import { deleteLogStream, getLogStream, saveLogStream, type LogStreamRow, type LogType } from "../db/logging.js";
import { invalid, notFound } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { audit, tailnetTarget } from "./audit.js";
import type { Deps } from "./deps.js";

export type { LogStreamRow, LogType };

/**
 * Log streaming configuration: stored, validated and returned as Tailscale
 * documents it. tailapi streams nothing (and collects no network flow logs):
 * the status says so. Secrets (token, s3SecretAccessKey, gcsCredentials) are
 * accepted and dropped, never stored.
 */
export const DESTINATION_TYPES = ["splunk", "elastic", "panther", "cribl", "datadog", "axiom", "s3", "gcs"] as const;
export const SECRET_FIELDS = ["token", "s3SecretAccessKey", "gcsCredentials"] as const;
export const NOT_STREAMING = "tailapi does not stream logs: this configuration is stored only";

export type LogStreamConfig = { destinationType: (typeof DESTINATION_TYPES)[number]; url?: string; [k: string]: unknown };

export async function getLogStreamConfig(d: Deps, actor: Actor, logType: LogType): Promise<LogStreamRow> {
  const r = await getLogStream(d.sql, actor.tailnetId, logType);
  if (!r) throw notFound("log streaming is not configured for this log type");
  return r;
}

export async function setLogStreamConfig(d: Deps, actor: Actor, logType: LogType, given: LogStreamConfig): Promise<void> {
  const config: Record<string, unknown> = Object.fromEntries(Object.entries(given).filter(([k, v]) => !(SECRET_FIELDS as readonly string[]).includes(k) && v !== undefined));
  const needsUrl = given.destinationType !== "s3" && given.destinationType !== "gcs";
  if (needsUrl && !given.url) throw invalid(`url is required for destinationType ${given.destinationType}`);
  if (given.destinationType === "s3" && !given.s3Bucket) throw invalid("s3Bucket is required for destinationType s3");
  if (given.destinationType === "gcs" && !given.gcsBucket) throw invalid("gcsBucket is required for destinationType gcs");
  await d.sql.begin(async (tx) => {
    const before = await getLogStream(tx, actor.tailnetId, logType);
    await saveLogStream(tx, actor.tailnetId, logType, config, d.clock.now());
    await audit(tx, d, actor, {
      action: before ? "UPDATE" : "CREATE",
      target: tailnetTarget(actor, "LOGSTREAM_ENDPOINT"),
      old: before ? { logType, ...before.config } : undefined,
      new: { logType, ...config },
    });
  });
}

export async function deleteLogStreamConfig(d: Deps, actor: Actor, logType: LogType): Promise<void> {
  await d.sql.begin(async (tx) => {
    const before = await getLogStream(tx, actor.tailnetId, logType);
    if (!before || !(await deleteLogStream(tx, actor.tailnetId, logType))) throw notFound("log streaming is not configured for this log type");
    await audit(tx, d, actor, { action: "DELETE", target: tailnetTarget(actor, "LOGSTREAM_ENDPOINT"), old: { logType, ...before.config } });
  });
}

/** Network flow logs: tailapi collects none, so every window is empty (after the same checks as Tailscale's). */
export function listNetworkFlowLogs(_d: Deps, _actor: Actor, start: Date, end: Date): unknown[] {
  if (end.getTime() <= start.getTime()) throw invalid("end must be after start");
  return [];
}
