import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Sql } from "../db/sql.js";
import type { Deps } from "../domain/deps.js";
import type { WebhookEvent } from "../domain/events.js";
import { sweepKeyExpiries } from "../domain/expiry.js";
import { claimDeliveries, pruneDeliveries, recordDelivery, type Job } from "../domain/webhooks.js";
import { guardedPost, type AllowList } from "../lib/outbound.js";
import { SIGNATURE_HEADER, signWebhook } from "../lib/webhook-signature.js";

export type WorkerOptions = {
  allow: AllowList;
  timeoutMs: number;
  /** Retries stop this long after the event; the job is then marked failed. */
  retryWindowMs: number;
  pollMs: number;
  /** First retry delay; each later one doubles, up to maxRetryDelayMs, with ±20 % jitter. */
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  /** How often the key-expiry sweep runs. */
  sweepMs?: number;
  logger: Logger;
};

/** Jobs a replica holds at once, and how long it holds one (longer than any delivery can take). */
const BATCH = 16;

/**
 * Delivers queued webhook events. Every replica runs one: each tick claims
 * due jobs (FOR UPDATE SKIP LOCKED with a lease, so one replica has a job at
 * a time), POSTs them through the outbound guard, records every attempt, and
 * schedules retries with exponential backoff until the retry window closes.
 * A replica killed mid-delivery leaves its jobs leased; the lease runs out
 * and any replica delivers them again (at-least-once). Workers wake on
 * PostgreSQL NOTIFY at commit and poll every `pollMs` regardless.
 */
export class WebhookWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private unlisten: (() => Promise<void>) | undefined;
  private lastSweep = 0;
  private readonly replica = `${hostname()}:${process.pid}`;
  private readonly leaseMs: number;

  constructor(
    private readonly d: Deps,
    private readonly o: WorkerOptions,
  ) {
    // Longer than a batch can take (deliveries run in parallel, each bounded by the timeout).
    this.leaseMs = o.timeoutMs * 2 + 5_000;
  }

  async start(listenOn?: Sql): Promise<void> {
    if (listenOn) {
      try {
        const l = await listenOn.listen("tailapi_webhooks", () => this.kick());
        this.unlisten = () => l.unlisten();
      } catch (err) {
        this.o.logger.warn({ err }, "webhooks: LISTEN failed; polling only");
      }
    }
    this.schedule(0);
  }

  /** Runs a tick soon (after a NOTIFY, or from tests). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Stops claiming; waits for deliveries in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.unlisten?.().catch(() => undefined);
    await this.running;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((err) => this.o.logger.error({ err }, "webhooks: tick failed"))
        .finally(() => {
          this.running = undefined;
          if (this.stopped) return;
          const more = this.again;
          this.again = false;
          this.schedule(more ? 0 : this.o.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** One round: the expiry sweep when due, then deliveries until none is due. */
  async tick(): Promise<void> {
    const sweepMs = this.o.sweepMs ?? 60_000;
    if (Date.now() - this.lastSweep >= sweepMs) {
      this.lastSweep = Date.now();
      await sweepKeyExpiries(this.d);
      await pruneDeliveries(this.d);
    }
    for (;;) {
      if (this.stopped) return;
      const jobs = await claimDeliveries(this.d, { leaseMs: this.leaseMs, limit: BATCH });
      if (jobs.length === 0) return;
      await Promise.all(jobs.map((j) => this.deliver(j)));
      if (jobs.length < BATCH) return;
    }
  }

  private retryDelayMs = (attempt: number): number => {
    const base = this.o.retryBaseMs ?? 1000;
    const max = this.o.maxRetryDelayMs ?? 10 * 60_000;
    const delay = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  };

  private async deliver(job: Job): Promise<void> {
    const startedAt = new Date();
    const t0 = performance.now();
    let statusCode: number | null = null;
    let error = "";
    try {
      const secret = await this.d.secrets.open(job.secretJwe);
      const body = bodyFor(job.providerType, job.event as WebhookEvent);
      const t = Math.floor(Date.now() / 1000);
      const r = await guardedPost(
        job.endpointUrl,
        body,
        { "content-type": "application/json", "user-agent": "tailapi-webhooks", [SIGNATURE_HEADER]: signWebhook(secret, body, t) },
        { allow: this.o.allow, timeoutMs: this.o.timeoutMs },
      );
      statusCode = r.status ?? null;
      error = r.error ?? (statusCode !== null && (statusCode < 200 || statusCode >= 300) ? `HTTP ${statusCode}` : "");
    } catch (err) {
      error = (err as Error).message;
    }
    const log = { tailnetId: job.tailnetId, endpointId: job.endpointId, jobId: job.jobId, attempt: job.attempts, statusCode, error };
    let result: Awaited<ReturnType<typeof recordDelivery>>;
    try {
      result = await recordDelivery(
        this.d,
        job,
        { statusCode, error, startedAt, durationMs: Math.round(performance.now() - t0) },
        { maxAgeMs: this.o.retryWindowMs, retryDelayMs: this.retryDelayMs, replica: this.replica },
      );
    } catch (err) {
      // The endpoint (and with it the job) was deleted while the request was in flight.
      if ((err as { code?: string }).code === "23503") return this.o.logger.debug(log, "webhook deleted during delivery");
      throw err;
    }
    if (result === "failed") this.o.logger.warn(log, "webhook delivery failed for good");
    else if (result === "retry") this.o.logger.info(log, "webhook delivery failed; will retry");
    else this.o.logger.debug(log, "webhook delivered");
  }
}

/**
 * The request body: Tailscale's JSON array of events, or, for a provider
 * type, the message in that chat service's incoming-webhook format.
 */
export function bodyFor(providerType: string, event: WebhookEvent): string {
  const text = `${event.message} (${event.tailnet})`;
  switch (providerType) {
    case "slack":
    case "mattermost":
    case "googlechat":
      return JSON.stringify({ text });
    case "discord":
      return JSON.stringify({ content: text });
    default:
      return JSON.stringify([event]);
  }
}
