import {
  claimJobs,
  deleteWebhook as deleteWebhookRow,
  getWebhook as getWebhookRow,
  insertAttempt,
  insertWebhook,
  pruneJobs,
  listWebhooks as listWebhookRows,
  listRecentDeliveries,
  setSecret,
  setSubscriptions,
  settleJob,
  type DeliveryView,
  type Job,
  type WebhookRow,
} from "../db/webhooks.js";
import { invalid, notFound } from "../lib/errors.js";
import { urlProblem } from "../lib/outbound.js";
import type { Actor } from "./actor.js";
import { audit, type AuditTarget } from "./audit.js";
import type { Deps } from "./deps.js";
import { emitTest, SUBSCRIPTION_NAMES } from "./events.js";

export type { WebhookRow as Webhook, Job, DeliveryView as Delivery };

export const PROVIDER_TYPES = ["", "slack", "mattermost", "googlechat", "discord"] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

const target = (w: { endpointId: string; endpointUrl: string }, property?: string): AuditTarget => ({
  type: "WEBHOOK_ENDPOINT",
  id: w.endpointId,
  name: w.endpointUrl,
  property,
});

function checkSubscriptions(subs: readonly string[]): string[] {
  const unknown = subs.filter((s) => !SUBSCRIPTION_NAMES.includes(s));
  if (unknown.length) throw invalid(`invalid subscriptions: unknown event type ${JSON.stringify(unknown[0])}`);
  return [...new Set(subs)];
}

const newSecret = (d: Deps) => `tskey-webhook-${d.ids.token()}`;

/** Creates an endpoint; the answer carries its signing secret, shown this once. */
export async function createWebhook(
  d: Deps,
  actor: Actor,
  w: { endpointUrl: string; providerType: ProviderType; subscriptions: string[] },
): Promise<{ row: WebhookRow; secret: string }> {
  const problem = urlProblem(w.endpointUrl, d.outbound.allow);
  if (problem) throw invalid(`invalid endpointUrl: ${problem}`);
  const subscriptions = checkSubscriptions(w.subscriptions);
  const secret = newSecret(d);
  const sealed = await d.secrets.seal(secret);
  const now = d.clock.now();
  const row = await d.sql.begin(async (tx) => {
    const row = await insertWebhook(tx, {
      tailnetId: actor.tailnetId,
      endpointId: d.ids.numericId(),
      endpointUrl: w.endpointUrl,
      providerType: w.providerType,
      subscriptions,
      creatorLogin: actor.user?.loginName ?? "",
      secretJwe: sealed,
      masterKeyId: d.secrets.keyId,
      createdAt: now,
      updatedAt: now,
    });
    await audit(tx, d, actor, { action: "CREATE", target: target(row), new: { endpointUrl: row.endpointUrl, providerType: row.providerType, subscriptions } });
    return row;
  });
  return { row, secret };
}

export function listWebhooks(d: Deps, actor: Actor): Promise<WebhookRow[]> {
  return listWebhookRows(d.sql, actor.tailnetId);
}

export async function getWebhook(d: Deps, actor: Actor, endpointId: string): Promise<WebhookRow> {
  const row = await getWebhookRow(d.sql, actor.tailnetId, endpointId);
  if (!row) throw notFound();
  return row;
}

/** The endpoint's newest deliveries (the outbox keeps a week of finished ones), each with its latest attempt. */
export async function listWebhookDeliveries(d: Deps, actor: Actor, endpointId: string, limit = 25): Promise<DeliveryView[]> {
  if (!(await getWebhookRow(d.sql, actor.tailnetId, endpointId))) throw notFound();
  return listRecentDeliveries(d.sql, actor.tailnetId, endpointId, limit);
}

export async function updateWebhook(d: Deps, actor: Actor, endpointId: string, subscriptions: string[]): Promise<WebhookRow> {
  const subs = checkSubscriptions(subscriptions);
  return d.sql.begin(async (tx) => {
    const before = await getWebhookRow(tx, actor.tailnetId, endpointId, true);
    if (!before) throw notFound();
    const row = (await setSubscriptions(tx, actor.tailnetId, endpointId, subs, d.clock.now()))!;
    await audit(tx, d, actor, { action: "UPDATE", target: target(row, "SUBSCRIBED_EVENTS"), old: before.subscriptions, new: subs });
    return row;
  });
}

export async function deleteWebhook(d: Deps, actor: Actor, endpointId: string): Promise<void> {
  await d.sql.begin(async (tx) => {
    const before = await getWebhookRow(tx, actor.tailnetId, endpointId, true);
    if (!before || !(await deleteWebhookRow(tx, actor.tailnetId, endpointId))) throw notFound();
    await audit(tx, d, actor, { action: "DELETE", target: target(before), old: { endpointUrl: before.endpointUrl, subscriptions: before.subscriptions } });
  });
}

/** A new signing secret, shown this once; the old one stops signing at once. */
export async function rotateWebhookSecret(d: Deps, actor: Actor, endpointId: string): Promise<{ row: WebhookRow; secret: string }> {
  const secret = newSecret(d);
  const sealed = await d.secrets.seal(secret);
  const row = await d.sql.begin(async (tx) => {
    const row = await setSecret(tx, actor.tailnetId, endpointId, sealed, d.secrets.keyId, d.clock.now());
    if (!row) throw notFound();
    // That the secret changed is recorded; the secret is not.
    await audit(tx, d, actor, { action: "UPDATE", target: target(row, "SECRET") });
    return row;
  });
  return { row, secret };
}

/** Queues Tailscale's test event for the endpoint (delivered like any other; not a configuration change, so not audited). */
export async function testWebhook(d: Deps, actor: Actor, endpointId: string): Promise<void> {
  await d.sql.begin(async (tx) => {
    if (!(await getWebhookRow(tx, actor.tailnetId, endpointId))) throw notFound();
    await emitTest(tx, d, actor, endpointId);
  });
}

// ---- delivery (used by src/jobs/webhooks.ts) ----

/** Claims due deliveries for this replica (see db/webhooks.claimJobs). */
export function claimDeliveries(d: Deps, o: { leaseMs: number; limit: number }): Promise<Job[]> {
  const now = d.clock.now();
  return claimJobs(d.sql, d.secrets.keyId, now, new Date(now.getTime() + o.leaseMs), o.limit);
}

export type Outcome = { statusCode: number | null; error: string; startedAt: Date; durationMs: number };

/**
 * Records an attempt and settles the job: delivered on a 2xx, else retried
 * after `retryDelayMs(attempt)` until `maxAgeMs` after the event, then failed.
 */
export async function recordDelivery(
  d: Deps,
  job: Job,
  o: Outcome,
  policy: { maxAgeMs: number; retryDelayMs: (attempt: number) => number; replica: string },
): Promise<"delivered" | "retry" | "failed"> {
  const ok = o.statusCode !== null && o.statusCode >= 200 && o.statusCode < 300;
  const now = d.clock.now();
  const next = new Date(now.getTime() + policy.retryDelayMs(job.attempts));
  const expired = next.getTime() > job.createdAt.getTime() + policy.maxAgeMs;
  const result = ok ? "delivered" : expired ? "failed" : "retry";
  await d.sql.begin(async (tx) => {
    await insertAttempt(tx, job.tailnetId, job.jobId, { attempt: job.attempts, startedAt: o.startedAt, durationMs: o.durationMs, statusCode: o.statusCode, error: o.error, replica: policy.replica });
    await settleJob(tx, job.tailnetId, job.jobId, result === "retry" ? { state: "pending", nextAttemptAt: next } : { state: result, now });
  });
  return result;
}

/** How long delivered and failed jobs (with their attempt records) are kept. */
export const OUTBOX_RETENTION_MS = 7 * 86_400_000;

/** Drops finished jobs older than the retention (run by the worker's periodic sweep). */
export function pruneDeliveries(d: Deps): Promise<number> {
  return pruneJobs(d.sql, new Date(d.clock.now().getTime() - OUTBOX_RETENTION_MS), 1000);
}
