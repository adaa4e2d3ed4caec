import { describe, expect, it } from "vitest";
import { query } from "../../src/db/sql.js";
import { testSql } from "../helpers.js";

/**
 * The scale-out rule of the schema, checked on the migrated database: every
 * table carries tailnet_id, and every unique index (primary keys included)
 * starts with it, so tables can be distributed by tailnet without a rewrite.
 * The one exception is the tailnet directory's name index (a reference table).
 */
const EXCEPTIONS = new Set(["tailnets_name_key"]);
const METADATA = new Set(["schema_migrations"]);

describe("schema", () => {
  it("every table carries tailnet_id", async () => {
    const rows = await query<{ table_name: string; has: boolean }>(
      testSql(),
      `SELECT t.table_name, EXISTS (SELECT 1 FROM information_schema.columns c
         WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.column_name = 'tailnet_id') AS has
       FROM information_schema.tables t WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`,
    );
    const tables = rows.filter((r) => !METADATA.has(r.table_name));
    // The query sees the schema (new tables join this list by existing; each must pass the next line).
    expect(tables.map((r) => r.table_name)).toEqual(expect.arrayContaining([
        "audit_log",
        "contacts",
        "devices",
        "dns_config",
        "keys",
        "log_streams",
        "policies",
        "posture_integrations",
        "signing_keys",
        "tailnet_settings",
        "tailnets",
        "users",
        "webhook_attempts",
        "webhook_endpoints",
        "webhook_outbox",
      ]));
    expect(tables.filter((r) => !r.has).map((r) => r.table_name)).toEqual([]);
  });

  it("every unique index starts with tailnet_id", async () => {
    const rows = await query<{ index: string; table: string; first: string | null }>(
      testSql(),
      `SELECT i.relname AS index, t.relname AS table, a.attname AS first
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
       LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
       WHERE x.indisunique`,
    );
    const offending = rows.filter((r) => !METADATA.has(r.table) && !EXCEPTIONS.has(r.index) && r.first !== "tailnet_id");
    expect(offending).toEqual([]);
    expect(rows.length).toBeGreaterThan(8);
  });
});
