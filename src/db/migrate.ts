import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Sql } from "./sql.js";

const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));
/** Arbitrary constant: the advisory lock all tailapi processes take to migrate. */
const MIGRATION_LOCK = 7_347_222_401;

export type Migration = { version: string; sql: string };

export async function loadMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (f) => ({ version: f.replace(/\.sql$/, ""), sql: await readFile(MIGRATIONS_DIR + f, "utf8") })),
  );
}

/**
 * Applies pending migrations in order, each in its own transaction, while
 * holding a session advisory lock: servers starting together on one database
 * queue here and the migrations run once.
 */
export async function migrate(sql: Sql, opts: { until?: string } = {}): Promise<string[]> {
  // `until`: stop after that version (upgrade tests build a database at an old level).
  const migrations = (await loadMigrations()).filter((m) => opts.until === undefined || m.version <= opts.until);
  const applied: string[] = [];
  await sql.reserve().then(async (conn) => {
    try {
      // Waiting for another replica's migrations, or a long migration, is not a slow query.
      await conn`SET statement_timeout = 0`;
      await conn`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
      await conn`CREATE TABLE IF NOT EXISTS schema_migrations (
        version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
      const done = new Set((await conn<{ version: string }[]>`SELECT version FROM schema_migrations`).map((r) => r.version));
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await conn.unsafe("BEGIN");
        try {
          await conn.unsafe(m.sql);
          await conn`INSERT INTO schema_migrations (version) VALUES (${m.version})`;
          await conn.unsafe("COMMIT");
        } catch (err) {
          await conn.unsafe("ROLLBACK");
          throw new Error(`migration ${m.version} failed: ${(err as Error).message}`);
        }
        applied.push(m.version);
      }
    } finally {
      await conn`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => undefined);
      await conn`RESET statement_timeout`.catch(() => undefined);
      conn.release();
    }
  });
  return applied;
}
