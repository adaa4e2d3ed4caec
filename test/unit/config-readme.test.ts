import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";

describe("configuration", () => {
  it("every environment variable src/config.ts reads is in the README's table", async () => {
    const source = await readFile(new URL("../../src/config.ts", import.meta.url), "utf8");
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    const vars = [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+): z/gm)].map((m) => m[1]!);
    expect(vars.length).toBeGreaterThan(10);
    expect(vars.filter((v) => !readme.includes(`| \`${v}\` |`))).toEqual([]);
  });

  it("webhook settings: defaults, and a clear error for a bad allow-list or window", () => {
    const c = loadConfig({});
    expect(c.outboundAllow).toEqual([]);
    expect(c.webhooks).toEqual({ worker: true, timeoutMs: 10_000, retryWindowMs: 86_400_000, pollMs: 1000 });
    expect(loadConfig({ TAILAPI_OUTBOUND_ALLOW: "127.0.0.0/8, ::1", TAILAPI_WEBHOOK_RETRY_WINDOW: "90m" }).webhooks.retryWindowMs).toBe(5_400_000);
    expect(() => loadConfig({ TAILAPI_OUTBOUND_ALLOW: "localhost" })).toThrow(/TAILAPI_OUTBOUND_ALLOW: must be comma-separated IP addresses or CIDR prefixes/);
    expect(() => loadConfig({ TAILAPI_WEBHOOK_RETRY_WINDOW: "soon" })).toThrow(/TAILAPI_WEBHOOK_RETRY_WINDOW: must be a duration/);
  });

  it("a pooler: DATABASE_DIRECT_URL needs DATABASE_URL; prepared statements on unless told", () => {
    expect(loadConfig({}).dbPreparedStatements).toBe(true);
    const c = loadConfig({ DATABASE_URL: "postgres://u:p@bouncer:6432/t", DATABASE_DIRECT_URL: "postgres://u:p@db:5432/t", TAILAPI_DB_PREPARED_STATEMENTS: "false" });
    expect([c.databaseUrl, c.databaseDirectUrl, c.dbPreparedStatements]).toEqual(["postgres://u:p@bouncer:6432/t", "postgres://u:p@db:5432/t", false]);
    expect(() => loadConfig({ DATABASE_DIRECT_URL: "postgres://u:p@db:5432/t" })).toThrow(/DATABASE_DIRECT_URL: needs DATABASE_URL/);
    expect(() => loadConfig({ TAILAPI_DB_PREPARED_STATEMENTS: "no" })).toThrow(/TAILAPI_DB_PREPARED_STATEMENTS: must be "true" or "false"/);
  });
});
