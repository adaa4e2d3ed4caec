import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import { loadMigrations, migrate } from "./migrate.js";
import { query, type Sql, type TxSql } from "./sql.js";

/**
 * Backups of the whole database, made by PostgreSQL's own COPY, in one
 * consistent snapshot (a REPEATABLE READ, READ ONLY transaction). The file is
 * plain text in the layout of pg_dump's data-only output: a header saying
 * which migrations built the schema, then per table
 *
 *     COPY <table> (<columns>) FROM stdin;
 *     <rows in COPY text format>
 *     \.
 *
 * with tables in foreign-key order. Restoring (one transaction) drops the
 * tables, rebuilds the schema at the backup's migration level, loads the rows,
 * then migrates to the current level: a backup from an older tailapi restores
 * into a newer one. Rate-limit counters are not backed up (they expire within
 * a minute anyway).
 *
 * Why not pg_dump: the embedded PostgreSQL ships no client tools, and a
 * system pg_dump older than the server refuses to dump it (Debian 12's is 15,
 * the embedded server is 17). COPY works with any server. For DATABASE_URL,
 * pg_dump/pg_restore of matching versions work as well (README).
 */

const MAGIC = "-- tailapi backup";
const SKIP = new Set(["schema_migrations", "rate_limit_counts"]);

export type BackupHeader = {
  format: "tailapi-backup";
  version: 1;
  createdAt: string;
  server: string;
  migrations: string[];
  tables: Record<string, number>;
  /** Sequences (identity and serial columns) and where they stood, so new rows do not collide with restored ones. */
  sequences?: Record<string, { value: string; called: boolean }>;
};

/** Tables of the schema, parents before children (foreign keys). */
async function tablesInOrder(db: Sql | TxSql): Promise<{ name: string; columns: string[] }[]> {
  const tables = await query<{ name: string; columns: string[] }>(
    db,
    `SELECT c.relname AS name, array_agg(a.attname ORDER BY a.attnum) AS columns
     FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE c.relkind = 'r'
     GROUP BY c.relname ORDER BY c.relname`,
  );
  const edges = await query<{ child: string; parent: string }>(
    db,
    `SELECT c.relname AS child, p.relname AS parent
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
     WHERE k.contype = 'f' AND c.oid <> p.oid`,
  );
  const ordered: { name: string; columns: string[] }[] = [];
  const left = new Map(tables.filter((t) => !SKIP.has(t.name)).map((t) => [t.name, t]));
  while (left.size) {
    const ready = [...left.values()].filter((t) => !edges.some((e) => e.child === t.name && left.has(e.parent)));
    if (!ready.length) throw new Error(`foreign keys form a cycle among ${[...left.keys()].join(", ")}`);
    for (const t of ready) {
      ordered.push(t);
      left.delete(t.name);
    }
  }
  return ordered;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

async function write(out: Writable, text: string | Buffer): Promise<void> {
  if (!out.write(text)) await once(out, "drain");
}

/** Writes a backup of the database to `file`. Returns its header. */
export async function backupDatabase(sql: Sql, file: string): Promise<BackupHeader> {
  const out = createWriteStream(file, { mode: 0o600 });
  try {
    const header = await sql.begin("ISOLATION LEVEL REPEATABLE READ READ ONLY", async (tx) => {
      const migrations = (await query<{ version: string }>(tx, `SELECT version FROM schema_migrations ORDER BY version`)).map((r) => r.version);
      const [{ server }] = (await query<{ server: string }>(tx, `SELECT current_setting('server_version') AS server`)) as [{ server: string }];
      const tables = await tablesInOrder(tx);
      const counts: Record<string, number> = {};
      for (const t of tables) {
        counts[t.name] = ((await query<{ n: number }>(tx, `SELECT count(*)::int AS n FROM ${ident(t.name)}`))[0]!).n;
      }
      const sequences: NonNullable<BackupHeader["sequences"]> = {};
      for (const q of await query<{ name: string }>(tx, `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() WHERE c.relkind = 'S' ORDER BY 1`)) {
        const [r] = await query<{ last_value: string; is_called: boolean }>(tx, `SELECT last_value::text, is_called FROM ${ident(q.name)}`);
        sequences[q.name] = { value: r!.last_value, called: r!.is_called };
      }
      const h: BackupHeader = { format: "tailapi-backup", version: 1, createdAt: new Date().toISOString(), server: `PostgreSQL ${server}`, migrations, tables: counts, sequences };
      await write(out, `${MAGIC}\n-- ${JSON.stringify(h)}\n`);
      for (const t of tables) {
        const cols = t.columns.map(ident).join(", ");
        await write(out, `\nCOPY ${ident(t.name)} (${cols}) FROM stdin;\n`);
        const readable = await tx.unsafe(`COPY ${ident(t.name)} (${cols}) TO STDOUT`).readable();
        for await (const chunk of readable) await write(out, chunk as Buffer);
        await write(out, "\\.\n");
      }
      return h;
    });
    out.end();
    await once(out, "finish");
    return header;
  } catch (err) {
    out.destroy();
    throw err;
  }
}

export class BackupError extends Error {}

/** Reads a backup's header (first two lines). */
export async function readBackupHeader(file: string): Promise<BackupHeader> {
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  const lines: string[] = [];
  for await (const line of rl) {
    lines.push(line);
    if (lines.length === 2) break;
  }
  rl.close();
  if (lines[0] !== MAGIC || !lines[1]?.startsWith("-- {")) throw new BackupError(`${file} is not a tailapi backup`);
  const h = JSON.parse(lines[1].slice(3)) as BackupHeader;
  if (h.format !== "tailapi-backup" || h.version !== 1) throw new BackupError(`${file}: unknown backup format`);
  return h;
}

/** Reads the whole file once before anything is changed: every table section complete, with the rows the header announces. */
async function checkBackupFile(file: string, header: BackupHeader): Promise<void> {
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let table: string | undefined;
  let rows = 0;
  const seen = new Set<string>();
  for await (const line of rl) {
    if (table !== undefined) {
      if (line === "\\.") {
        if (rows !== header.tables[table]) throw new BackupError(`${file}: table ${table} has ${rows} rows, the header says ${header.tables[table]}`);
        seen.add(table);
        table = undefined;
      } else rows++;
      continue;
    }
    const m = /^COPY "((?:[^"]|"")+)" \((.*)\) FROM stdin;$/.exec(line);
    if (m) {
      table = m[1]!.replace(/""/g, '"');
      rows = 0;
    } else if (line && !line.startsWith("--")) throw new BackupError(`${file}: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
  }
  if (table !== undefined) throw new BackupError(`${file} is truncated (inside table ${table})`);
  const missing = Object.keys(header.tables).filter((t) => !seen.has(t));
  if (missing.length) throw new BackupError(`${file} is truncated (tables ${missing.join(", ")} are missing)`);
}

/**
 * Replaces everything in the database with the backup, in one transaction:
 * the tables are dropped, the schema is rebuilt at the backup's migration
 * level, the rows are loaded, and the database is then migrated to this
 * version's level. Fails (changing nothing) on a backup from a newer tailapi.
 */
export async function restoreDatabase(sql: Sql, file: string): Promise<BackupHeader & { migratedAfter: string[] }> {
  const header = await readBackupHeader(file);
  const known = await loadMigrations();
  const knownVersions = new Set(known.map((m) => m.version));
  const unknown = header.migrations.filter((v) => !knownVersions.has(v));
  if (unknown.length) throw new BackupError(`the backup was made by a newer tailapi (migrations ${unknown.join(", ")} are unknown here): upgrade first`);
  const level = new Set(header.migrations);
  await checkBackupFile(file, header);

  await sql.begin(async (tx) => {
    await tx.unsafe(`SET LOCAL statement_timeout = 0`);
    // Wipe: every table and function of the schema (tailapi's own; nothing else belongs there).
    const tables = await query<{ name: string }>(tx, `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() WHERE c.relkind = 'r'`);
    if (tables.length) await tx.unsafe(`DROP TABLE ${tables.map((t) => ident(t.name)).join(", ")} CASCADE`);
    const fns = await query<{ sig: string }>(tx, `SELECT p.oid::regprocedure::text AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = current_schema()`);
    for (const f of fns) await tx.unsafe(`DROP FUNCTION ${f.sig} CASCADE`);
    // The schema at the backup's level.
    await tx.unsafe(`CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const m of known.filter((x) => level.has(x.version))) {
      await tx.unsafe(m.sql);
      await query(tx, `INSERT INTO schema_migrations (version) VALUES ($1)`, [m.version]);
    }
    // The rows.
    const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
    let copy: { stream: Writable; table: string; rows: number; buffer: string[]; size: number } | undefined;
    const flush = async () => {
      if (!copy || !copy.buffer.length) return;
      await write(copy.stream, copy.buffer.join(""));
      copy.buffer = [];
      copy.size = 0;
    };
    for await (const line of rl) {
      if (copy) {
        if (line === "\\.") {
          await flush();
          copy.stream.end();
          await once(copy.stream, "finish");
          if (copy.rows !== header.tables[copy.table]) throw new BackupError(`${file}: table ${copy.table} has ${copy.rows} rows, the header says ${header.tables[copy.table]}`);
          copy = undefined;
        } else {
          copy.rows++;
          copy.buffer.push(line + "\n");
          copy.size += line.length + 1;
          if (copy.size >= 1 << 16) await flush();
        }
        continue;
      }
      const m = /^COPY "((?:[^"]|"")+)" \((.*)\) FROM stdin;$/.exec(line);
      if (m) {
        const table = m[1]!.replace(/""/g, '"');
        const stream = await tx.unsafe(`COPY ${ident(table)} (${m[2]}) FROM STDIN`).writable();
        // An aborted restore (a damaged file) rolls back under the open COPY: its stream then errors, which is expected.
        stream.on("error", () => undefined);
        copy = { stream, table, rows: 0, buffer: [], size: 0 };
      } else if (line && !line.startsWith("--")) throw new BackupError(`${file}: unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (copy) throw new BackupError(`${file} is truncated (inside table ${copy.table})`);
    for (const [name, q] of Object.entries(header.sequences ?? {})) {
      await query(tx, `SELECT setval($1::regclass, $2::bigint, $3)`, [ident(name), q.value, q.called]);
    }
  });
  const migratedAfter = await migrate(sql);
  return { ...header, migratedAfter };
}

