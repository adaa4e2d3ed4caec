import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { openDatabase, type Database } from "../../src/db/index.js";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseKind: "embedded" | "external";
  }
}

let db: Database | undefined;
let dir: string | undefined;

/**
 * One database for the whole run: $DATABASE_URL when set (CI's second pass,
 * on Debian's PostgreSQL), else a fresh embedded PostgreSQL in a temp dir.
 * Migrations run here once; every test seeds its own tailnet in it.
 */
export async function setup(project: TestProject) {
  const external = process.env.DATABASE_URL;
  if (!external) {
    dir = await mkdtemp(path.join(tmpdir(), "tailapi-test-"));
    await chmod(dir, 0o755);
  }
  db = await openDatabase({ databaseUrl: external, dataDir: dir ?? "", dbPoolSize: 2 });
  project.provide("databaseUrl", db.url);
  project.provide("databaseKind", external ? "external" : "embedded");
  // eslint-disable-next-line no-console
  console.log(`tests run on ${external ? "DATABASE_URL" : `an embedded PostgreSQL in ${dir}`}`);
}

export async function teardown() {
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}
