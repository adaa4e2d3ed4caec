import type { Sql } from "./sql.js";

/**
 * Errors that mean "the database cannot be reached right now" (as opposed to
 * a query that failed): socket errors, postgres.js's connection errors, and
 * the SQLSTATEs PostgreSQL sends while shutting down, starting up or out of
 * connections.
 */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down)
  "53300", // too_many_connections
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

/** SQLSTATE of a statement that ran out of statement_timeout (or was cancelled): overloaded, not down. */
const QUERY_CANCELED = "57014";

export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  // Several connection failures at once (every address of a host name refused).
  const errors = (err as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every(isConnectionError);
}

export function isUnavailableError(err: unknown): boolean {
  return isConnectionError(err) || (err as { code?: unknown } | null)?.code === QUERY_CANCELED;
}

export type HealthOptions = {
  /** How often a down database is probed (ms): recovery is noticed within this. */
  probeIntervalMs: number;
  /** A probe that takes longer than this (ms) failed. */
  probeTimeoutMs: number;
  /** Most requests that may wait on the database at once; beyond, 503 at once. */
  maxInFlight: number;
  log: (level: "info" | "warn", msg: string, extra?: Record<string, unknown>) => void;
  /** Called while down, before each probe (the embedded database's owner check lives here). */
  whileDown?: () => Promise<void>;
};

export const DEFAULT_HEALTH: Omit<HealthOptions, "log"> = { probeIntervalMs: 50, probeTimeoutMs: 1000, maxInFlight: 500 };

/**
 * Whether the database is usable, as far as this process knows. The request
 * path reads `up` (a boolean) and counts requests in flight; nothing more.
 * A connection error marks it down: requests then fail at once with 503
 * instead of queueing behind connection attempts, and a probe (`SELECT 1`
 * every probeIntervalMs, fixed, no random backoff) marks it up again as soon
 * as one succeeds.
 */
export class DatabaseHealth {
  up = true;
  inFlight = 0;
  /** Errors seen by requests, for the metrics. */
  readonly errors = { connection: 0, timeout: 0 };
  /** When the database went down (performance.now()), for the logs. */
  private downSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;
  private readonly recovered: (() => void)[] = [];
  readonly opts: HealthOptions;

  constructor(
    private readonly sql: Sql,
    opts: Partial<HealthOptions> & Pick<HealthOptions, "log">,
  ) {
    this.opts = { ...DEFAULT_HEALTH, ...opts };
  }

  /** Records a failure; a connection error takes the database down until a probe succeeds. */
  failed(err: unknown): void {
    if (!isConnectionError(err)) {
      if ((err as { code?: unknown } | null)?.code === QUERY_CANCELED) this.errors.timeout++;
      return;
    }
    this.errors.connection++;
    if (this.closed) return;
    if (this.up) {
      this.up = false;
      this.downSince = performance.now();
      this.opts.log("warn", "database unreachable: answering 503 until it is back", { code: (err as { code?: string }).code });
    }
    this.schedule();
  }

  /** One `SELECT 1` now: true when the database answered within probeTimeoutMs. */
  async probe(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.sql.unsafe("SELECT 1"),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(Object.assign(new Error("probe timed out"), { code: "CONNECT_TIMEOUT" })), this.opts.probeTimeoutMs);
        }),
      ]);
      return true;
    } catch (err) {
      if (this.up) this.failed(err);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private schedule(): void {
    if (this.timer || this.probing || this.closed) return;
    this.timer = setTimeout(() => void this.tick(), this.opts.probeIntervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.closed || this.up) return;
    this.probing = true;
    try {
      await this.opts.whileDown?.().catch((err) => this.opts.log("warn", "while the database is down: " + String((err as Error)?.message ?? err)));
      if (await this.probe()) {
        this.up = true;
        this.opts.log("info", "database reachable again", { downMs: Math.round(performance.now() - this.downSince) });
        for (const fn of this.recovered) fn();
      }
    } finally {
      this.probing = false;
    }
    if (!this.up) this.schedule();
  }

  /** Runs `fn` each time the database is reachable again after being down. */
  onRecovered(fn: () => void): void {
    this.recovered.push(fn);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}
