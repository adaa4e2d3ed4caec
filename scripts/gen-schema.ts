// Writes schema.sql: the schema after every migration (`npm run schema`).
// It migrates a fresh database made for the purpose (on $DATABASE_URL's server,
// else a throwaway embedded PostgreSQL) and reads the catalog.
// test/unit/schema-drift.test.ts fails when the checked-in file is stale.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../src/db/index.js";
import { migrate } from "../src/db/migrate.js";
import { describeSchema } from "../src/db/schema.js";
import { connect } from "../src/db/sql.js";

const out = fileURLToPath(new URL("../schema.sql", import.meta.url));
const dir = process.env.DATABASE_URL ? undefined : await mkdtemp(path.join(tmpdir(), "tailapi-schema-"));
const server = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: dir ?? "", dbPoolSize: 2 });
const name = `tailapi_schema_${randomBytes(4).toString("hex")}`;
try {
  await server.sql.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const fresh = connect(url.toString(), { max: 1 });
  try {
    await migrate(fresh);
    await writeFile(out, await describeSchema(fresh));
  } finally {
    await fresh.end({ timeout: 1 });
  }
  await server.sql.unsafe(`DROP DATABASE ${name}`);
  console.log(`wrote ${out}`);
} finally {
  await server.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}
