import { query, type Queryable } from "./sql.js";

export type WebhookRow = {
  tailnetId: string;
  endpointId: string;
  endpointUrl: string;
  providerType: string;
  subscriptions: string[];
  creatorLogin: string;
  secretJwe: string;
  masterKeyId: string;
  createdAt: Date;
  updatedAt: Date;
};

const COLUMNS = `tailnet_id::text AS tailnet_id, endpoint_id, endpoint_url, provider_type, subscriptions, creator_login,
  secret_jwe, master_key_id, created_at, updated_at`;

function toRow(r: Record<string, unknown>): WebhookRow {
  return {
    tailnetId: r.tailnet_id as string,
    endpointId: r.endpoint_id as string,
    endpointUrl: r.endpoint_url as string,
    providerType: r.provider_type as string,
    subscriptions: r.subscriptions as string[],
    creatorLogin: r.creator_login as string,
    secretJwe: r.secret_jwe as string,
    masterKeyId: r.master_key_id as string,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

export async function insertWebhook(db: Queryable, w: WebhookRow): Promise<WebhookRow> {
  const [r] = await query(
    db,
    `INSERT INTO webhook_endpoints (tailnet_id, endpoint_id, endpoint_url, provider_type, subscriptions, creator_login,
       secret_jwe, master_key_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
    [w.tailnetId, w.endpointId, w.endpointUrl, w.providerType, w.subscriptions, w.creatorLogin, w.secretJwe, w.masterKeyId, w.createdAt, w.updatedAt],
  );
  return toRow(r!);
}

export async function getWebhook(db: Queryable, tailnetId: string, endpointId: string, forUpdate = false): Promise<WebhookRow | undefined> {
  const [r] = await query(
    db,
    `SELECT ${COLUMNS} FROM webhook_endpoints WHERE tailnet_id = $1 AND endpoint_id = $2${forUpdate ? " FOR NO KEY UPDATE" : ""}`,
    [tailnetId, endpointId],
  );
  return r ? toRow(r) : undefined;
}

export async function listWebhooks(db: Queryable, tailnetId: string): Promise<WebhookRow[]> {
  return (await query(db, `SELECT ${COLUMNS} FROM webhook_endpoints WHERE tailnet_id = $1 ORDER BY created_at, endpoint_id`, [tailnetId])).map(toRow);
}

export async function setSubscriptions(db: Queryable, tailnetId: string, endpointId: string, subscriptions: string[], now: Date): Promise<WebhookRow | undefined> {
  const [r] = await query(
    db,
    `UPDATE webhook_endpoints SET subscriptions = $3, updated_at = $4 WHERE tailnet_id = $1 AND endpoint_id = $2 RETURNING ${COLUMNS}`,
    [tailnetId, endpointId, subscriptions, now],
  );
  return r ? toRow(r) : undefined;
}

export async function setSecret(db: Queryable, tailnetId: string, endpointId: string, secretJwe: string, masterKeyId: string, now: Date): Promise<WebhookRow | undefined> {
  const [r] = await query(
    db,
    `UPDATE webhook_endpoints SET secret_jwe = $3, master_key_id = $4, updated_at = $5 WHERE tailnet_id = $1 AND endpoint_id = $2 RETURNING ${COLUMNS}`,
    [tailnetId, endpointId, secretJwe, masterKeyId, now],
  );
  return r ? toRow(r) : undefined;
}

export async function deleteWebhook(db: Queryable, tailnetId: string, endpointId: string): Promise<boolean> {
  return (await query(db, `DELETE FROM webhook_endpoints WHERE tailnet_id = $1 AND endpoint_id = $2 RETURNING endpoint_id`, [tailnetId, endpointId])).length > 0;
}

/**
 * Queues one event for every endpoint of the tailnet subscribed to any of
 * `names` (the event type and its category), or for one endpoint only; wakes
 * the delivery workers at commit. Returns how many were queued.
 */
export async function enqueueEvent(
  db: Queryable,
  tailnetId: string,
  e: { type: string; names: string[]; event: unknown; now: Date; endpointId?: string },
): Promise<number> {
  const rows = await query(
    db,
    `INSERT INTO webhook_outbox (tailnet_id, endpoint_id, event_type, event, created_at, next_attempt_at)
     SELECT tailnet_id, endpoint_id, $2, $3::text::jsonb, $4, $4 FROM webhook_endpoints
     WHERE tailnet_id = $1 AND (endpoint_id = $5 OR ($5::text IS NULL AND subscriptions && $6::text[]))
     RETURNING job_id`,
    [tailnetId, e.type, JSON.stringify(e.event), e.now, e.endpointId ?? null, e.names],
  );
  if (rows.length) await query(db, `SELECT pg_notify('tailapi_webhooks', '')`);
  return rows.length;
}

export type Job = {
  tailnetId: string;
  jobId: string;
  endpointId: string;
  eventType: string;
  event: unknown;
  createdAt: Date;
  attempts: number;
  endpointUrl: string;
  providerType: string;
  secretJwe: string;
};

/**
 * Claims up to `limit` due jobs whose endpoint's secret this replica can open
 * (sealed with `masterKeyId`), leasing them until `leaseUntil`: other
 * replicas skip locked and leased rows, so a job goes to one replica at a
 * time; a replica that dies holding one loses the lease and another retries.
 * This is the one query that spans tailnets: the queue is the server's.
 */
export async function claimJobs(db: Queryable, masterKeyId: string, now: Date, leaseUntil: Date, limit: number): Promise<Job[]> {
  const rows = await query(
    db,
    `/* cross-tailnet: webhook delivery claim across tailnets */ WITH due AS (
       SELECT o.tailnet_id, o.job_id FROM webhook_outbox o
       JOIN webhook_endpoints e ON e.tailnet_id = o.tailnet_id AND e.endpoint_id = o.endpoint_id
       WHERE o.state = 'pending' AND o.next_attempt_at <= $2 AND (o.lease_until IS NULL OR o.lease_until <= $2)
         AND e.master_key_id = $1
       ORDER BY o.next_attempt_at
       LIMIT $4
       FOR UPDATE OF o SKIP LOCKED)
     UPDATE webhook_outbox o SET lease_until = $3, attempts = o.attempts + 1
     FROM due, webhook_endpoints e
     WHERE o.tailnet_id = due.tailnet_id AND o.job_id = due.job_id
       AND e.tailnet_id = o.tailnet_id AND e.endpoint_id = o.endpoint_id
     RETURNING o.tailnet_id::text AS tailnet_id, o.job_id::text AS job_id, o.endpoint_id, o.event_type, o.event,
       o.created_at, o.attempts, e.endpoint_url, e.provider_type, e.secret_jwe`,
    [masterKeyId, now, leaseUntil, limit],
  );
  return rows.map((r) => ({
    tailnetId: r.tailnet_id as string,
    jobId: r.job_id as string,
    endpointId: r.endpoint_id as string,
    eventType: r.event_type as string,
    event: r.event,
    createdAt: r.created_at as Date,
    attempts: r.attempts as number,
    endpointUrl: r.endpoint_url as string,
    providerType: r.provider_type as string,
    secretJwe: r.secret_jwe as string,
  }));
}

export type Attempt = { attempt: number; startedAt: Date; durationMs: number; statusCode: number | null; error: string; replica: string };

export async function insertAttempt(db: Queryable, tailnetId: string, jobId: string, a: Attempt): Promise<void> {
  await query(
    db,
    `INSERT INTO webhook_attempts (tailnet_id, job_id, attempt, started_at, duration_ms, status_code, error, replica)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
    [tailnetId, jobId, a.attempt, a.startedAt, a.durationMs, a.statusCode, a.error, a.replica],
  );
}

/** Ends a job (delivered or failed for good), or schedules its next attempt. */
export async function settleJob(
  db: Queryable,
  tailnetId: string,
  jobId: string,
  s: { state: "delivered" | "failed"; now: Date } | { state: "pending"; nextAttemptAt: Date },
): Promise<void> {
  if (s.state === "pending") {
    await query(db, `UPDATE webhook_outbox SET next_attempt_at = $3, lease_until = NULL WHERE tailnet_id = $1 AND job_id = $2`, [tailnetId, jobId, s.nextAttemptAt]);
  } else {
    await query(db, `UPDATE webhook_outbox SET state = $3, finished_at = $4, lease_until = NULL WHERE tailnet_id = $1 AND job_id = $2`, [
      tailnetId,
      jobId,
      s.state,
      s.now,
    ]);
  }
}

export type JobView = { jobId: string; endpointId: string; eventType: string; state: string; attempts: number; event: unknown; createdAt: Date };

/** The outbox of one endpoint, newest first (tests and the CLI). */
export async function listJobs(db: Queryable, tailnetId: string, endpointId: string): Promise<JobView[]> {
  const rows = await query(
    db,
    `SELECT job_id::text AS job_id, endpoint_id, event_type, state, attempts, event, created_at FROM webhook_outbox
     WHERE tailnet_id = $1 AND endpoint_id = $2 ORDER BY webhook_outbox.job_id DESC LIMIT 1000`, // the bigint column, not the text alias
    [tailnetId, endpointId],
  );
  return rows.map((r) => ({
    jobId: r.job_id as string,
    endpointId: r.endpoint_id as string,
    eventType: r.event_type as string,
    state: r.state as string,
    attempts: r.attempts as number,
    event: r.event,
    createdAt: r.created_at as Date,
  }));
}

/** A delivery as an endpoint's page shows it: the job and its latest attempt. */
export type DeliveryView = JobView & { finishedAt: Date | null; last: Omit<Attempt, "replica"> | null };

/** The newest `limit` deliveries of one endpoint, each with its latest attempt, in one statement. */
export async function listRecentDeliveries(db: Queryable, tailnetId: string, endpointId: string, limit: number): Promise<DeliveryView[]> {
  const rows = await query(
    db,
    `SELECT o.job_id::text AS job_id, o.endpoint_id, o.event_type, o.state, o.attempts, o.event, o.created_at, o.finished_at,
            a.attempt, a.started_at, a.duration_ms, a.status_code, a.error
     FROM webhook_outbox o
     LEFT JOIN LATERAL (
       SELECT attempt, started_at, duration_ms, status_code, error FROM webhook_attempts w
       WHERE w.tailnet_id = o.tailnet_id AND w.job_id = o.job_id ORDER BY attempt DESC LIMIT 1) a ON true
     WHERE o.tailnet_id = $1 AND o.endpoint_id = $2
     ORDER BY o.job_id DESC LIMIT $3`,
    [tailnetId, endpointId, limit],
  );
  return rows.map((r) => ({
    jobId: r.job_id as string,
    endpointId: r.endpoint_id as string,
    eventType: r.event_type as string,
    state: r.state as string,
    attempts: r.attempts as number,
    event: r.event,
    createdAt: r.created_at as Date,
    finishedAt: (r.finished_at as Date | null) ?? null,
    last:
      r.attempt === null || r.attempt === undefined
        ? null
        : {
            attempt: r.attempt as number,
            startedAt: r.started_at as Date,
            durationMs: r.duration_ms as number,
            statusCode: (r.status_code as number | null) ?? null,
            error: r.error as string,
          },
  }));
}

export async function listAttempts(db: Queryable, tailnetId: string, jobId: string): Promise<Attempt[]> {
  const rows = await query(
    db,
    `SELECT attempt, started_at, duration_ms, status_code, error, replica FROM webhook_attempts
     WHERE tailnet_id = $1 AND job_id = $2 ORDER BY attempt`,
    [tailnetId, jobId],
  );
  return rows.map((r) => ({
    attempt: r.attempt as number,
    startedAt: r.started_at as Date,
    durationMs: r.duration_ms as number,
    statusCode: (r.status_code as number | null) ?? null,
    error: r.error as string,
    replica: r.replica as string,
  }));
}

/**
 * Drops finished jobs (and their attempts) older than `before`, at most
 * `limit` at a time: the outbox keeps a week of history, not all of it. A
 * job over every tailnet, like the claim.
 */
export async function pruneJobs(db: Queryable, before: Date, limit: number): Promise<number> {
  const rows = await query(
    db,
    `/* cross-tailnet: webhook outbox cleanup */ DELETE FROM webhook_outbox o USING (
       SELECT tailnet_id, job_id FROM webhook_outbox WHERE state <> 'pending' AND finished_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED) old
     WHERE o.tailnet_id = old.tailnet_id AND o.job_id = old.job_id RETURNING o.job_id`,
    [before, limit],
  );
  return rows.length;
}

/** Deliveries waiting to be made, across tailnets (the metrics' webhook queue depth). */
export async function pendingJobCount(db: Queryable): Promise<number> {
  const [r] = await query<{ n: number }>(db, `/* cross-tailnet: pending webhook count for metrics */ SELECT count(*)::int AS n FROM webhook_outbox WHERE state = 'pending'`);
  return r?.n ?? 0;
}
