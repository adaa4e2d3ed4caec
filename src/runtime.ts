import type { Config } from "./config.js";
import { openDatabase, type Database } from "./db/index.js";
import type { Deps } from "./domain/deps.js";
import { systemClock } from "./lib/clock.js";
import { randomIds } from "./lib/ids.js";
import { createLogger } from "./lib/logger.js";

/**
 * The composition root for processes other than the server (the CLI, the
 * bench): opens the configured database (migrating it) and hands `fn` the
 * domain's dependencies, then closes the database whatever happens.
 */
export async function withRuntime<T>(config: Config, fn: (d: Deps, db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(config);
  try {
    const presence = { offlineAfterMs: config.offlineAfterMs, ephemeralTimeoutMs: config.ephemeralTimeoutMs };
    return await fn({ sql: db.sql, clock: systemClock, ids: randomIds, log: createLogger("silent"), presence }, db);
  } finally {
    await db.close();
  }
}
