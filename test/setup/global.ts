import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase, type Database } from "../../src/db/index.js";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    /** The same database without a pooler in between (DATABASE_DIRECT_URL), for sessions of their own. */
    directDatabaseUrl: string;
    databaseKind: "embedded" | "external";
    /** Black-box tests' isolated databases (test/blackbox/harness.ts) start with this; dropped when the run ends. */
    isolatedDatabasePrefix: string;
  }
}

let db: Database | undefined;
let directUrl: string | undefined;
/** This run's own: two runs on one PostgreSQL never drop each other's databases. */
const isolatedPrefix = `tailapi_isolated_${randomBytes(4).toString("hex")}_`;
let dir: string | undefined;

/**
 * One database for the whole run: $DATABASE_URL when set (CI's second pass,
 * on Debian's PostgreSQL), else a fresh embedded PostgreSQL in a temp dir.
 * Migrations run here once; every test seeds its own tailnet in it.
 */
/**
 * The `tailapi` command (and `npm start`) run dist/, which the tests use too
 * (README examples run `npx tailapi`): rebuild it when a source file is newer,
 * so a test never runs yesterday's code.
 */
async function freshBuild(): Promise<void> {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const built = await stat(path.join(root, "dist", "cli.js")).then((s) => s.mtimeMs, () => 0);
  const newest = async (dir: string): Promise<number> => {
    let m = 0;
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      m = Math.max(m, e.isDirectory() ? await newest(p) : (await stat(p)).mtimeMs);
    }
    return m;
  };
  if (built && (await newest(path.join(root, "src"))) <= built) return;
  // eslint-disable-next-line no-console
  console.log("dist/ is older than src/: rebuilding it (npm run build)");
  execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
}

export async function setup(project: TestProject) {
  await freshBuild();
  const external = process.env.DATABASE_URL;
  if (!external) {
    dir = await mkdtemp(path.join(tmpdir(), "tailapi-test-"));
    await chmod(dir, 0o755);
  }
  // Behind PgBouncer (CI's second pass): DATABASE_DIRECT_URL and TAILAPI_DB_PREPARED_STATEMENTS=false, as a deployment sets them.
  const direct = process.env.DATABASE_DIRECT_URL;
  const prepared = process.env.TAILAPI_DB_PREPARED_STATEMENTS !== "false";
  db = await openDatabase({ databaseUrl: external, databaseDirectUrl: direct, dbPreparedStatements: prepared, dataDir: dir ?? "", dbPoolSize: 2 });
  project.provide("databaseUrl", db.url);
  directUrl = direct ?? db.url;
  project.provide("directDatabaseUrl", directUrl);
  project.provide("databaseKind", external ? "external" : "embedded");
  project.provide("isolatedDatabasePrefix", isolatedPrefix);
  // eslint-disable-next-line no-console
  console.log(`tests run on ${external ? `DATABASE_URL${direct ? " through a pooler (DATABASE_DIRECT_URL for sessions)" : ""}` : `an embedded PostgreSQL in ${dir}`}`);
}

export async function teardown() {
  await dropIsolatedDatabases();
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** The black-box tests' isolated databases (test/blackbox/harness.ts), once every test is done with them. */
async function dropIsolatedDatabases(): Promise<void> {
  if (!directUrl) return;
  const sql = postgres(directUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<{ datname: string }[]>`SELECT datname FROM pg_database WHERE starts_with(datname, ${isolatedPrefix})`;
    for (const r of rows) await sql.unsafe(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}
