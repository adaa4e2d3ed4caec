/**
 * TAILAPI_WORKERS: several server processes sharing one port (node:cluster).
 *
 * The primary opens the database once (it starts the embedded PostgreSQL and
 * runs the migrations, or checks DATABASE_URL and migrates it), makes sure the
 * encryption key exists, and forks the workers. Each worker is an ordinary
 * replica (startServer) on DATABASE_URL with its own pool: nothing is shared
 * between workers but the database, exactly as between replicas on different
 * machines. The primary serves no requests; it restarts a worker that dies,
 * and on SIGTERM/SIGINT drains every worker before stopping the database.
 */
import cluster, { type Worker } from "node:cluster";
import { Buffer } from "node:buffer";
import type { Logger } from "pino";
import { loadMasterKey } from "./auth/master-key.js";
import type { Config } from "./config.js";
import { openDatabase } from "./db/index.js";
import { createLogger } from "./lib/logger.js";

/** A worker that dies this many times within RESTART_WINDOW_MS is not started again: the server stops. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
const SHUTDOWN_TIMEOUT_MS = 20_000;

export type Primary = { shutdown(): Promise<number> };

/** What a worker sends its primary once startServer has resolved (its API listens). */
export const WORKER_READY = "tailapi:worker-ready";

/** Starts the primary: database, key, `config.workers` workers. Resolves once every worker listens. */
export async function startPrimary(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<Primary> {
  const db = await openDatabase(config, (msg, level = "info", extra) => logger[level](extra ?? {}, msg), (message) => {
    logger.fatal(message);
    process.stderr.write(`tailapi: ${message}\n`);
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGKILL");
    process.exit(1);
  });
  // The primary keeps only what it needs to stop the embedded database; the workers have pools of their own.
  const master = await loadMasterKey(config).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    // The key file's key (or TAILAPI_ENCRYPTION_KEY's), so every worker signs with the same master key.
    TAILAPI_ENCRYPTION_KEY: Buffer.from(master.key).toString("base64"),
  };
  if (config.databaseDirectUrl) env.DATABASE_DIRECT_URL = config.databaseDirectUrl;

  let stopping = false;
  const deaths: number[] = [];
  const listening = new Set<number>();
  let allListening: () => void = () => undefined;
  let failed: (err: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    allListening = resolve;
    failed = reject;
  });

  const fork = (): Worker => {
    const w = cluster.fork(env);
    // A worker says when its API listens (cluster's own "listening" event also fires for a metrics port).
    w.on("message", (m) => {
      if (m !== WORKER_READY) return;
      listening.add(w.id);
      if (listening.size >= config.workers) allListening();
    });
    return w;
  };

  cluster.on("exit", (w, code, signal) => {
    listening.delete(w.id);
    if (stopping) return;
    const now = Date.now();
    deaths.push(now);
    while (deaths.length && deaths[0]! < now - RESTART_WINDOW_MS) deaths.shift();
    if (deaths.length > MAX_RESTARTS) {
      const message = `workers died ${deaths.length} times within ${RESTART_WINDOW_MS / 1000} s (last: pid ${w.process.pid}, ${signal ?? `status ${code}`}): stopping`;
      logger.fatal(message);
      failed(new Error(message));
      void shutdown().then(() => process.exit(1));
      return;
    }
    logger.warn({ pid: w.process.pid, code, signal }, "a worker exited; starting another");
    fork();
  });

  let closing: Promise<number> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      const exits = workers.map((w) => new Promise<number>((resolve) => (w.isDead() ? resolve(w.process.exitCode ?? 0) : w.once("exit", (code) => resolve(code ?? 1)))));
      for (const w of workers) w.process.kill("SIGTERM");
      const codes = await Promise.race([
        Promise.all(exits),
        new Promise<number[]>((resolve) =>
          setTimeout(() => {
            for (const w of workers) if (!w.isDead()) w.process.kill("SIGKILL");
            resolve([1]);
          }, SHUTDOWN_TIMEOUT_MS).unref(),
        ),
      ]);
      await db.close();
      logger.info("stopped");
      return codes.every((c) => c === 0) ? 0 : 1;
    })());

  for (let i = 0; i < config.workers; i++) fork();
  await ready;
  logger.info({ workers: config.workers, pids: Object.values(cluster.workers ?? {}).map((w) => w?.process.pid) }, "tailapi workers listening");
  return { shutdown };
}
