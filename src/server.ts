import { randomBytes } from "node:crypto";
import { tuneHeap } from "./lib/heap.js";
import type { AddressInfo } from "node:net";
import type { ServerType } from "@hono/node-server";
import type { Logger } from "pino";
import { createApp } from "./app.js";
import { CredentialCache } from "./auth/authenticate.js";
import { loadMasterKey } from "./auth/master-key.js";
import { TokenService } from "./auth/tokens.js";
import type { Config } from "./config.js";
import { bootstrap } from "./domain/bootstrap.js";
import { bundleFromFiles, type ImportBundle } from "./domain/transfer.js";
import { DomainError } from "./lib/errors.js";
import { readFilesOf } from "./lib/files.js";
import { openDatabase, type Database } from "./db/index.js";
import type { Deps } from "./domain/deps.js";
import { sweepEphemeral } from "./domain/nodes.js";
import { systemClock } from "./lib/clock.js";
import { newOperationId, randomIds } from "./lib/ids.js";
import { secretBox } from "./lib/secret-box.js";
import { WebhookWorker } from "./jobs/webhooks.js";
import { createLogger } from "./lib/logger.js";
import { createHttpServer } from "./http/node-server.js";
import { rateLimitStore } from "./db/rate-limits.js";
import { RateLimiter } from "./lib/rate-limit.js";
import { Metrics } from "./http/metrics.js";
import { pendingJobCount } from "./db/webhooks.js";

/** A start-up failure the operator can fix: the CLI prints its message alone, without a stack. */
export class StartError extends Error {}

function listenError(err: NodeJS.ErrnoException, config: Pick<Config, "host" | "port">): Error {
  const where = `${config.host}:${config.port}`;
  if (err.code === "EADDRINUSE") return new StartError(`cannot listen on ${where}: the port is already in use (stop the other process, or set PORT to another port)`);
  if (err.code === "EACCES") return new StartError(`cannot listen on ${where}: permission denied (ports below 1024 need privileges; set PORT to a higher one)`);
  if (err.code === "EADDRNOTAVAIL") return new StartError(`cannot listen on ${where}: this machine has no such address (check HOST)`);
  return err;
}

/** TAILAPI_SEED's files, as an import; a file that cannot be read or understood stops the start. */
async function readSeed(paths: string[]): Promise<ImportBundle> {
  try {
    return bundleFromFiles(await readFilesOf(paths));
  } catch (err) {
    throw new StartError(`TAILAPI_SEED: ${(err as Error).message}`);
  }
}

export type RunningServer = {
  port: number;
  url: string;
  db: Database;
  /** Stops accepting, finishes in-flight requests, closes the pool, stops the embedded database. */
  shutdown(): Promise<void>;
};

export async function startServer(
  config: Config,
  opts: { logger?: Logger; announce?: (line: string) => void; onFatal?: (message: string) => void } = {},
): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const announce = opts.announce ?? ((line: string) => process.stdout.write(line + "\n"));
  // The database is gone and cannot come back under this process: say so and stop, rather than serve 500s.
  const onFatal =
    opts.onFatal ??
    ((message: string) => {
      logger.fatal(message);
      process.stderr.write(`tailapi: ${message}\n`);
      process.exit(1);
    });
  const started = performance.now();
  tuneHeap();
  const db = await openDatabase(config, (msg, level = "info", extra) => logger[level](extra ?? {}, msg), onFatal);
  let server: ServerType | undefined;
  let worker: WebhookWorker | undefined;
  try {
    const master = await loadMasterKey(config);
    const secrets = secretBox(master.key);
    const outbound = { allow: config.outboundAllow };
    const presence = { offlineAfterMs: config.offlineAfterMs, ephemeralTimeoutMs: config.ephemeralTimeoutMs };
    const d: Deps = { sql: db.sql, clock: systemClock, ids: randomIds, log: logger, presence, origin: "system", requestId: "startup", operationId: newOperationId(), secrets, outbound };
    const seed = config.seed.length ? await readSeed(config.seed) : undefined;
    const boot = await bootstrap(d, config.defaultTailnet, config.bootstrapApiKey, seed).catch((err: unknown) => {
      // A seed that does not import (a conflict, a bad record) stops the start, and leaves nothing behind.
      if (seed && err instanceof DomainError) throw new StartError(`TAILAPI_SEED: ${err.message}`);
      throw err;
    });
    if (boot.seeded) logger.info({ tailnet: boot.tailnet.name, ...boot.seeded }, "TAILAPI_SEED imported into the new tailnet");
    if (boot.seedSkipped) logger.info({ tailnet: boot.tailnet.name }, "TAILAPI_SEED left alone: the tailnet exists already (seeds go into a fresh database)");
    if (boot.createdKey) {
      announce(
        `\nFirst API key of tailnet ${boot.tailnet.name} (user ${boot.createdKey.owner.loginName}); it is shown only this once:\n` +
          `TAILAPI_API_KEY=${boot.createdKey.secret}\n`,
      );
    }
    if (config.databaseUrl && !config.encryptionKey) {
      logger.warn({ keyFile: master.source }, "TAILAPI_ENCRYPTION_KEY is not set: token-signing keys are encrypted with a key file of this replica");
    }
    const tokens = new TokenService(master.key);
    const credentials = new CredentialCache();
    const listening = await credentials.listen(db.direct, db.health);
    const limiter = new RateLimiter({
      replica: randomBytes(6).toString("hex"),
      syncMs: config.rateLimitSyncMs,
      store: rateLimitStore(db.sql),
      onSyncError: (err) => logger.debug({ err }, "rate-limit sync failed"),
    });
    limiter.start();
    const metrics = config.metrics ? new Metrics({ health: db.health, poolMax: config.dbPoolSize, webhookQueue: () => pendingJobCount(db.sql) }) : undefined;
    const metricsServer = config.metrics ? await metrics!.listen(config.metrics.host, config.metrics.port) : undefined;
    if (metricsServer) logger.info({ url: metricsServer.url }, "metrics listening");
    const app = createApp(
      {
        sql: db.sql,
        clock: systemClock,
        ids: randomIds,
        logger,
        credentials,
        tokens,
        presence,
        secrets,
        outbound,
        defaultTailnet: config.defaultTailnet,
        publicUrl: config.publicUrl,
        health: db.health,
        limiter,
        limits: config.rateLimits,
      },
      { corsOrigins: config.corsOrigins, metrics },
    );
    if (config.webhooks.worker) {
      worker = new WebhookWorker(
        { ...d, requestId: "webhook-worker", log: logger },
        { allow: config.outboundAllow, timeoutMs: config.webhooks.timeoutMs, retryWindowMs: config.webhooks.retryWindowMs, pollMs: config.webhooks.pollMs, logger },
      );
      await worker.start(db.direct);
    }
    const port = await new Promise<number>((resolve, reject) => {
      const s = createHttpServer(app.fetch, logger);
      server = s;
      s.once("error", (err: NodeJS.ErrnoException) => reject(listenError(err, config)));
      s.listen(config.port, config.host, () => resolve((s.address() as AddressInfo).port));
    });
    const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
    logger.info(
      { url, database: db.embedded ? `embedded (${config.dataDir})` : "DATABASE_URL", readyMs: Math.round(performance.now() - started) },
      "tailapi listening",
    );
    // Every replica sweeps silent ephemeral devices (idempotent deletes; reads hide them already).
    const sweepEveryMs = Math.max(1000, Math.min(60_000, Math.floor(config.ephemeralTimeoutMs / 4)));
    const sweeper = setInterval(() => {
      sweepEphemeral(d).then(
        (n) => n > 0 && logger.info({ deleted: n }, "ephemeral devices past their timeout deleted"),
        (err) => logger.warn({ err }, "ephemeral sweep failed; it is retried on the next tick"),
      );
    }, sweepEveryMs);
    sweeper.unref();
    let closing: Promise<void> | undefined;
    const shutdown = () =>
      (closing ??= (async () => {
        clearInterval(sweeper);
        const s = server as ServerType & { closeIdleConnections?: () => void };
        const drained = new Promise<void>((resolve) => s.close(() => resolve()));
        // The listening socket is closed by now (close() does that at once), so
        // this line is only ever seen once new connections are refused.
        logger.info("shutting down: draining requests");
        // Keep-alive connections between requests would hold close() open: end
        // them as they fall idle; connections with a request in flight finish it.
        const idle = setInterval(() => s.closeIdleConnections?.(), 100);
        s.closeIdleConnections?.();
        await drained;
        clearInterval(idle);
        await listening.unlisten().catch(() => undefined);
        await limiter.stop();
        await metricsServer?.close();
        await worker?.stop();
        await db.close();
        logger.info("stopped");
      })());
    return { port, url, db, shutdown };
  } catch (err) {
    await worker?.stop();
    await db.close();
    throw err;
  }
}
