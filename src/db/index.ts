import type { Config } from "../config.js";
import { startEmbedded, type EmbeddedHandle } from "./embedded.js";
import { DatabaseHealth } from "./health.js";
import { migrate } from "./migrate.js";
import { connect, type Sql } from "./sql.js";

export type Database = {
  sql: Sql;
  /** Sessions of their own (migrations, LISTEN): DATABASE_DIRECT_URL's pool, or `sql` itself. */
  direct: Sql;
  /** Whether the database is reachable (see health.ts). */
  health: DatabaseHealth;
  url: string;
  embedded: EmbeddedHandle | undefined;
  /** Closes the pool, then stops the embedded database if this process started it. */
  close(): Promise<void>;
};

/** Opens the configured database (DATABASE_URL, else the embedded default) and migrates it. */
export async function openDatabase(
  config: Pick<Config, "databaseUrl" | "dataDir" | "dbPoolSize"> &
    Partial<Pick<Config, "dbStatementTimeoutMs" | "dbMaxWaiting" | "databaseDirectUrl" | "dbPreparedStatements">>,
  log: (msg: string, level?: "info" | "warn", extra?: Record<string, unknown>) => void = () => undefined,
  /** Called when an attached embedded database is gone for good (see embedded.ts); the server exits. */
  onLost?: (message: string) => void,
): Promise<Database> {
  const embedded = config.databaseUrl ? undefined : await startEmbedded(config.dataDir, log, onLost);
  const url = config.databaseUrl ?? embedded!.url;
  const sql = connect(url, { max: config.dbPoolSize, statementTimeoutMs: config.dbStatementTimeoutMs, prepare: config.dbPreparedStatements });
  // Behind a transaction-pooling PgBouncer, what needs a session of its own (migrations, LISTEN) goes direct.
  const direct = config.databaseDirectUrl ? connect(config.databaseDirectUrl, { max: 2, prepare: config.dbPreparedStatements }) : sql;
  const health = new DatabaseHealth(sql, {
    maxInFlight: config.dbMaxWaiting,
    log: (level, msg, extra) => log(msg, level, extra),
    whileDown: embedded?.whileDown,
  });
  try {
    const applied = await migrate(direct);
    if (applied.length) log(`applied migrations: ${applied.join(", ")}`);
  } catch (err) {
    if (direct !== sql) await direct.end({ timeout: 1 });
    await sql.end({ timeout: 1 });
    await embedded?.stop();
    throw err;
  }
  return {
    sql,
    direct,
    health,
    url,
    embedded,
    close: async () => {
      health.close();
      if (direct !== sql) await direct.end({ timeout: 5 });
      await sql.end({ timeout: 5 });
      await embedded?.stop();
    },
  };
}
