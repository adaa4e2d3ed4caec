/**
 * `tailapi backup FILE` and `tailapi restore FILE`, round trip, on the
 * embedded default (backup while the server runs, restore into a fresh data
 * directory, serve it) and on DATABASE_URL (into a fresh database). The
 * backup is also the "database dump" that must hold no secret in plain text.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { connect } from "../../src/db/sql.js";
import {
  call,
  cleanup,
  createAuthKey,
  createOAuthClient,
  databaseUrl,
  directDatabaseUrl,
  registerBody,
  registerDevice,
  runCli,
  seedTailnet,
  spawnServer,
  tempDataDir,
  tokenFor,
} from "./harness.js";

afterEach(cleanup);
let scratch: string | undefined;
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function backupFile(): Promise<string> {
  scratch ??= await mkdtemp(path.join(tmpdir(), "tailapi-backup-"));
  return path.join(scratch, `${randomBytes(4).toString("hex")}.backup`);
}

describe("backup and restore", () => {
  it("embedded: back up while serving, restore into a fresh data directory, serve it with the same keys; no secret in the backup", async () => {
    const dir = await tempDataDir();
    const server = await spawnServer({ dataDir: dir });
    const apiKey = server.firstApiKey!;
    const authKey = await createAuthKey(server.url, apiKey, { reusable: true });
    const reg = await registerDevice(server.url, authKey.key, { hostname: "kept" });
    const client = await createOAuthClient(server.url, apiKey, ["devices:core:read"], []);
    const token = (await tokenFor(server.url, client)).body.access_token as string;
    expect(token).toBeTruthy();

    const file = await backupFile();
    const b = await runCli(["backup", file], { TAILAPI_DATA_DIR: dir });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/^backed up \d+ rows of \d+ tables \(PostgreSQL \d+/m);

    // The dump holds hashes only: none of the secrets, nor their secret parts.
    const text = await readFile(file, "utf8");
    for (const secret of [apiKey, authKey.key, client.secret, reg.nodeToken, token]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.split("-").at(-1)!);
    }
    expect(text).toContain(reg.device.nodeId);

    // Restoring under a running server is refused.
    const busy = await runCli(["restore", file], { TAILAPI_DATA_DIR: dir });
    expect(busy.code).not.toBe(0);
    expect(busy.stderr).toMatch(/a tailapi server is running on .*: stop it, then restore/);
    expect(await server.stop()).toBe(0);

    const fresh = await tempDataDir();
    const r = await runCli(["restore", file], { TAILAPI_DATA_DIR: fresh });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^restored \d+ rows/m);
    const again = await spawnServer({ dataDir: fresh });
    // The restored database has its tailnet and key: no new first key.
    expect(again.firstApiKey).toBeUndefined();
    const dev = await call(again.url, "GET", `/api/v2/device/${reg.device.nodeId}`, { key: apiKey });
    expect(dev.status).toBe(200);
    expect(dev.body).toMatchObject({ hostname: "kept", addresses: reg.device.addresses });
    expect((await tokenFor(again.url, client)).status).toBe(200);
    const more = await call(again.url, "POST", "/machine/register", { body: registerBody(authKey.key, { hostname: "new" }) });
    expect(more.status, more.text).toBe(200);
    expect(await again.stop()).toBe(0);
  }, 180_000);

  it("DATABASE_URL: a database backed up and restored into a fresh one gives the same rows; a damaged file changes nothing", async () => {
    const admin = connect(directDatabaseUrl(), { max: 1 });
    const names = [`tailapi_src_${randomBytes(4).toString("hex")}`, `tailapi_dst_${randomBytes(4).toString("hex")}`];
    try {
      for (const n of names) await admin.unsafe(`CREATE DATABASE ${n}`);
    } catch (err) {
      await admin.end({ timeout: 1 });
      if ((err as { code?: string }).code === "42501") return; // a role that may not create databases: nothing to test here
      throw err;
    }
    const urlOf = (n: string) => {
      const u = new URL(directDatabaseUrl());
      u.pathname = `/${n}`;
      return u.toString();
    };
    const [source, dest] = names.map(urlOf) as [string, string];
    const target = connect(dest, { max: 1 });
    try {
      const { apiKey } = await seedTailnet({ DATABASE_URL: source });
      const file = await backupFile();
      const b = await runCli(["backup", file], { DATABASE_URL: source });
      expect(b.code, b.stderr).toBe(0);
      const r = await runCli(["restore", file], { DATABASE_URL: dest });
      expect(r.code, r.stderr).toBe(0);
      const header = JSON.parse((await readFile(file, "utf8")).split("\n")[1]!.slice(3)) as { tables: Record<string, number> };
      expect(header.tables.tailnets).toBeGreaterThanOrEqual(1);
      for (const [table, rows] of Object.entries(header.tables)) {
        const [c] = await target.unsafe(`SELECT count(*)::int AS n FROM ${table}`);
        expect((c as unknown as { n: number }).n, table).toBe(rows);
      }
      const server = await spawnServer({ env: { DATABASE_URL: dest } });
      expect((await call(server.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey })).status).toBe(200);
      expect(await server.stop()).toBe(0);

      // A truncated backup is refused and the database keeps what it had
      // (the server above may have added its default tailnet).
      const count = async () => ((await target.unsafe(`SELECT count(*)::int AS n FROM tailnets`))[0] as unknown as { n: number }).n;
      const before = await count();
      const damaged = file + ".damaged";
      const text = await readFile(file, "utf8");
      await writeFile(damaged, text.slice(0, Math.floor(text.length * 0.6)));
      const bad = await runCli(["restore", damaged], { DATABASE_URL: dest });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/tailapi: .*(truncated|rows|unexpected)/);
      expect(await count()).toBe(before);
    } finally {
      await target.end({ timeout: 1 });
      for (const n of names) await admin.unsafe(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
      await admin.end({ timeout: 1 });
    }
  }, 180_000);
});
