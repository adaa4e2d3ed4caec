import type { Config } from "../config.js";
import { startEmbedded, type EmbeddedHandle } from "./embedded.js";
import { migrate } from "./migrate.js";
import { connect, type Sql } from "./sql.js";

export type Database = {
  sql: Sql;
  url: string;
  embedded: EmbeddedHandle | undefined;
  /** Closes the pool, then stops the embedded database if this process started it. */
  close(): Promise<void>;
};

/** Opens the configured database (DATABASE_URL, else the embedded default) and migrates it. */
export async function openDatabase(
  config: Pick<Config, "databaseUrl" | "dataDir" | "dbPoolSize">,
  log: (msg: string) => void = () => undefined,
): Promise<Database> {
  const embedded = config.databaseUrl ? undefined : await startEmbedded(config.dataDir, log);
  const url = config.databaseUrl ?? embedded!.url;
  const sql = connect(url, { max: config.dbPoolSize });
  try {
    const applied = await migrate(sql);
    if (applied.length) log(`applied migrations: ${applied.join(", ")}`);
  } catch (err) {
    await sql.end({ timeout: 1 });
    await embedded?.stop();
    throw err;
  }
  return {
    sql,
    url,
    embedded,
    close: async () => {
      await sql.end({ timeout: 5 });
      await embedded?.stop();
    },
  };
}
