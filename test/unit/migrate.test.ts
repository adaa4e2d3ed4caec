import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { describe, expect, it } from "vitest";
import { loadMigrations, migrate } from "../../src/db/migrate.js";
import { query } from "../../src/db/sql.js";
import { directSql, testConnect } from "../helpers.js";

describe("migrations", () => {
  it("run once when several servers start together on a fresh database", async (ctx) => {
    const name = `tailapi_migrate_${randomBytes(4).toString("hex")}`;
    try {
      await directSql().unsafe(`CREATE DATABASE ${name}`);
    } catch (err) {
      // A DATABASE_URL whose role may not create databases: nothing to test here.
      if ((err as { code?: string }).code === "42501") ctx.skip();
      throw err;
    }
    // Migrations hold a session advisory lock: straight to PostgreSQL, as the server's DATABASE_DIRECT_URL is.
    const url = new URL(inject("directDatabaseUrl"));
    url.pathname = `/${name}`;
    const pools = Array.from({ length: 3 }, () => testConnect(url.toString(), { max: 2 }));
    try {
      const applied = await Promise.all(pools.map((p) => migrate(p)));
      const versions = (await loadMigrations()).map((m) => m.version);
      // Exactly one of them applied everything; the others found nothing to do.
      expect(applied.filter((a) => a.length > 0)).toEqual([versions]);
      const rows = await query<{ version: string }>(pools[0]!, `SELECT version FROM schema_migrations ORDER BY version`);
      expect(rows.map((r) => r.version)).toEqual(versions);
      expect(await migrate(pools[0]!)).toEqual([]);
    } finally {
      await Promise.all(pools.map((p) => p.end({ timeout: 1 })));
      await directSql().unsafe(`DROP DATABASE IF EXISTS ${name}`);
    }
  });

  it("have distinct, increasing numbers (work on parallel branches takes number ranges, so gaps are allowed)", async () => {
    const versions = (await loadMigrations()).map((m) => m.version);
    expect(versions.length).toBeGreaterThan(0);
    expect(versions[0]).toMatch(/^0001_/);
    const numbers = versions.map((v) => Number(v.slice(0, 4)));
    numbers.forEach((n, i) => i > 0 && expect(n, versions[i]).toBeGreaterThan(numbers[i - 1]!));
  });
});
