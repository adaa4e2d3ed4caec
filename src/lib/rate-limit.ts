/**
 * Rate limits shared by every replica, without a database round trip per
 * request.
 *
 * Each process counts requests per bucket (a credential, or a source address
 * for one endpoint) in fixed windows aligned to the clock (one minute by
 * default). Every `syncMs` it writes its own count of every active bucket to
 * shared storage in one statement and reads back what the other replicas
 * counted, plus how many replicas are alive (R). The others' reports may be
 * up to one interval old, so a replica assumes each other replica admitted,
 * unseen, as many requests as it did itself over its last two intervals:
 *
 *     estimate = others (as reported) + mine + (R − 1) × mine over the last two intervals
 *
 * and admits while estimate < limit. With one replica the limit is exact.
 * With R replicas sharing a credential's traffic evenly the estimate is an
 * upper bound, so the limit holds to within R requests (rounding); a replica
 * that sees a bucket first admits at most limit / R before its next sync.
 * When the load is uneven (one replica gets a burst the others never saw),
 * the overshoot is at most what the others admitted in their last unreported
 * interval, and the total never exceeds R × limit. This is the tolerance the
 * README states.
 *
 * This module is pure: storage and clock are given.
 */

export type BucketCount = { tailnetId: string; bucket: string; windowStart: number; count: number };

/** Shared storage for counts (src/db/rate-limits.ts on PostgreSQL). */
export interface RateLimitStore {
  /** Writes this replica's counts; returns the other replicas' sums for every bucket of the window, and the number of live replicas. */
  sync(replica: string, mine: BucketCount[], windowStart: number, liveWithinMs: number): Promise<{ others: BucketCount[]; replicas: number }>;
  /** Drops counts of windows before `windowStart`. */
  prune(windowStart: number): Promise<void>;
  /** Forgets this replica's heartbeat, so the others stop counting it as live at their next sync (its counts stay). */
  leave?(replica: string): Promise<void>;
}

export type Decision = { ok: boolean; limit: number; remaining: number; resetSeconds: number; windowSeconds: number };

/**
 * `others`: the other replicas' count as they last reported it. Their reports
 * are up to one sync interval older than ours, so what they may have admitted
 * unseen is estimated from what we admitted over our last two intervals:
 * `sinceSync` (since our last sync) plus `prevInterval` (the one before).
 */
type Entry = { tailnetId: string; bucket: string; window: number; others: number; mine: number; sinceSync: number; prevInterval: number };

export type RateLimiterOptions = {
  windowMs?: number;
  syncMs?: number;
  replica: string;
  store?: RateLimitStore;
  now?: () => number;
  onSyncError?: (err: unknown) => void;
};

const MAX_BUCKETS = 100_000;

export class RateLimiter {
  readonly windowMs: number;
  readonly syncMs: number;
  private readonly entries = new Map<string, Entry>();
  /** The others' counts of the current window (as of the last sync), for buckets this replica has not seen yet. */
  private othersSeen = new Map<string, number>();
  private othersWindow = -1;
  private replicas = 1;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private lastPrunedWindow = -1;
  private readonly now: () => number;

  constructor(private readonly opts: RateLimiterOptions) {
    this.windowMs = opts.windowMs ?? 60_000;
    this.syncMs = opts.syncMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  /** Counts one request against `bucket` if the limit allows it. A limit of 0 means unlimited. */
  take(bucket: string, tailnetId: string, limit: number): Decision {
    const windowSeconds = this.windowMs / 1000;
    if (limit <= 0) return { ok: true, limit, remaining: Infinity, resetSeconds: 0, windowSeconds };
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * this.windowMs - now) / 1000));
    let e = this.entries.get(bucket);
    if (!e || e.window !== window) {
      if (!e && this.entries.size >= MAX_BUCKETS) this.evictOld(window);
      const others = this.othersWindow === window ? (this.othersSeen.get(bucket) ?? 0) : 0;
      e = { tailnetId, bucket, window, others, mine: 0, sinceSync: 0, prevInterval: 0 };
      this.entries.set(bucket, e);
    }
    const estimate = e.others + e.mine + (this.replicas - 1) * (e.sinceSync + e.prevInterval);
    if (estimate >= limit) return { ok: false, limit, remaining: 0, resetSeconds, windowSeconds };
    e.mine++;
    e.sinceSync++;
    const after = estimate + this.replicas;
    return { ok: true, limit, remaining: Math.max(0, limit - after), resetSeconds, windowSeconds };
  }

  /** Starts syncing with the store every syncMs (no-op without a store). */
  start(): void {
    if (!this.opts.store || this.timer) return;
    this.timer = setInterval(() => void this.sync(), this.syncMs);
    this.timer.unref();
  }

  /**
   * Stops syncing: reports what was admitted since the last sync, then leaves,
   * so the other replicas neither miss those requests nor keep reserving room
   * for this one (a process that dies without this counts as live for a while).
   */
  async stop(): Promise<void> {
    const started = this.timer !== undefined;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.syncing;
    if (!started || !this.opts.store) return;
    await this.sync();
    await this.opts.store.leave?.(this.opts.replica).catch((err: unknown) => this.opts.onSyncError?.(err));
  }

  /** One sync now (tests call it directly). Never throws: a failed sync keeps the local view. */
  sync(): Promise<void> {
    return (this.syncing ??= this.doSync().finally(() => (this.syncing = undefined)));
  }

  private async doSync(): Promise<void> {
    const store = this.opts.store;
    if (!store) return;
    const window = Math.floor(this.now() / this.windowMs);
    const windowStart = window * this.windowMs;
    const active = [...this.entries.values()].filter((e) => e.window === window);
    // What each entry had counted when the snapshot was taken; later requests stay "since sync".
    const sent = active.map((e) => ({ e, mine: e.mine, since: e.sinceSync }));
    try {
      const { others, replicas } = await store.sync(
        this.opts.replica,
        sent.map(({ e, mine }) => ({ tailnetId: e.tailnetId, bucket: e.bucket, windowStart, count: mine })),
        windowStart,
        // A replica counts as live for a while after its last sync: a slow sync must not make the others think they are alone.
        Math.max(3 * this.syncMs, 10_000),
      );
      this.replicas = Math.max(1, replicas);
      const byBucket = new Map(others.map((o) => [o.bucket, o.count]));
      this.othersSeen = byBucket;
      this.othersWindow = window;
      for (const { e, since } of sent) {
        if (e.window !== window) continue;
        e.others = byBucket.get(e.bucket) ?? 0;
        e.prevInterval = since;
        e.sinceSync -= since;
      }
      for (const [k, e] of this.entries) if (e.window < window) this.entries.delete(k);
      if (window !== this.lastPrunedWindow) {
        this.lastPrunedWindow = window;
        await store.prune(windowStart - this.windowMs);
      }
    } catch (err) {
      this.opts.onSyncError?.(err);
    }
  }

  /** Live replicas as of the last sync. */
  get replicaCount(): number {
    return this.replicas;
  }

  private evictOld(window: number): void {
    for (const [k, e] of this.entries) if (e.window !== window) this.entries.delete(k);
    if (this.entries.size >= MAX_BUCKETS) this.entries.clear();
  }
}
