import type { Config } from "./config.js";
import { openDatabase, type Database } from "./db/index.js";
import type { Deps } from "./domain/deps.js";
import { systemClock } from "./lib/clock.js";
import { loadMasterKey } from "./auth/master-key.js";
import { newOperationId, randomIds } from "./lib/ids.js";
import { lazySecretBox } from "./lib/secret-box.js";
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
    const d: Deps = {
      sql: db.sql,
      clock: systemClock,
      ids: randomIds,
      log: createLogger("silent"),
      presence,
      origin: "cli",
      requestId: `cli-${newOperationId().slice(0, 12)}`,
      operationId: newOperationId(),
      secrets: lazySecretBox(async () => (await loadMasterKey(config)).key),
      outbound: { allow: config.outboundAllow },
    };
    return await fn(d, db);
  } finally {
    await db.close();
  }
}
