/**
 * An upgrade from an old schema level with data in it: a database built by
 * the first three migrations (as a server of that time left it: tailnets,
 * users, API and auth keys, OAuth clients, devices, signing keys), then
 * migrated by the current code, then served by the current app. Every row
 * survives and the old credentials still work.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { mintSecret } from "../../src/auth/credentials.js";
import { loadMigrations, migrate } from "../../src/db/migrate.js";
import { query } from "../../src/db/sql.js";
import { call, freshDatabase, makeApp } from "../helpers.js";

const OLD_LEVEL = "0003_node_credentials";

describe("upgrade", () => {
  it(`from ${OLD_LEVEL} with data: every row survives, the old credentials work, posture attributes take their keys' spelling`, async (ctx) => {
    const db = await freshDatabase(ctx, "tailapi_upgrade");
    try {
      expect(await migrate(db.sql, { until: OLD_LEVEL })).toEqual(["0001_init", "0002_signing_keys", "0003_node_credentials"]);
      const tailnetId = "4242";
      const apiKey = mintSecret("api", "kOldApi1234CNTRL");
      const authKey = mintSecret("auth", "kOldAuth123CNTRL");
      const client = mintSecret("client", "kOldClient1CNTRL");
      const node = mintSecret("node", "kOldNode123CNTRL");
      const hex = () => randomBytes(32).toString("hex");
      // The rows a server at that level wrote, in that level's columns.
      await db.sql.unsafe(`INSERT INTO tailnets (tailnet_id, name, dns_suffix) VALUES ($1, 'old.example', 'tail0ld.ts.net')`, [tailnetId]);
      await db.sql.unsafe(`INSERT INTO users (tailnet_id, user_id, login_name, display_name, role) VALUES ($1, 7, 'admin@old.example', 'Admin', 'owner')`, [tailnetId]);
      await db.sql.unsafe(
        `INSERT INTO keys (tailnet_id, key_id, key_type, secret_hash, user_id, description, expires_at, reusable, preauthorized, tags, scopes)
         VALUES ($1, $2, 'api', $3, 7, 'old api key', now() + interval '30 days', false, false, '{}', '{}'),
                ($1, $4, 'auth', $5, 7, 'old auth key', now() + interval '30 days', true, true, '{}', '{}'),
                ($1, $6, 'client', $7, 7, 'old client', NULL, false, false, '{}', '{devices:core:read}')`,
        [tailnetId, apiKey.keyId, apiKey.hash, authKey.keyId, authKey.hash, client.keyId, client.hash],
      );
      await db.sql.unsafe(
        `INSERT INTO devices (tailnet_id, device_id, node_id, user_id, auth_key_id, name, hostname, os, machine_key, node_key, ipv4, ipv6, authorized, advertised_routes, tags)
         VALUES ($1, 99001, 'nOldDevice1CNTRL', 7, $2, 'web', 'web', 'linux', $3, $4, '100.64.1.2', 'fd7a:115c:a1e0::1:2', true, '{10.0.0.0/24}', '{}')`,
        [tailnetId, authKey.keyId, `mkey:${hex()}`, `nodekey:${hex()}`],
      );
      await db.sql.unsafe(
        `INSERT INTO keys (tailnet_id, key_id, key_type, secret_hash, user_id, device_id) VALUES ($1, $2, 'node', $3, NULL, 99001)`,
        [tailnetId, node.keyId, node.hash],
      );
      const before = await query<{ t: string; n: number }>(
        db.sql,
        `SELECT 'devices' AS t, count(*)::int AS n FROM devices UNION ALL SELECT 'keys', count(*)::int FROM keys UNION ALL SELECT 'users', count(*)::int FROM users ORDER BY 1`,
      );

      // Up to the level before posture attributes carried their key's spelling, with attributes
      // whose keys are spelled unlike their lower case, of different lengths (read in order of
      // length, then bytes); then the rest.
      const all = (await loadMigrations()).map((m) => m.version);
      const beforeSpelling = all.indexOf("0047_posture_key_spelling");
      expect(await migrate(db.sql, { until: all[beforeSpelling - 1] })).toEqual(all.slice(3, beforeSpelling));
      await db.sql.unsafe(
        `INSERT INTO posture_attribute_keys (tailnet_id, key_lower, key, value_type)
         VALUES ($1, 'custom:tier', 'custom:Tier', 'string'), ($1, 'custom:b', 'custom:b', 'number'), ($1, 'custom:aa', 'custom:AA', 'boolean')`,
        [tailnetId],
      );
      await db.sql.unsafe(
        `INSERT INTO posture_attributes (tailnet_id, device_id, key_lower, value, expires_at, updated_at)
         VALUES ($1, 99001, 'custom:tier', '"gold"', '2099-01-02T03:04:05Z', now()), ($1, 99001, 'custom:b', '42', NULL, now()), ($1, 99001, 'custom:aa', 'true', NULL, now())`,
        [tailnetId],
      );
      expect(await migrate(db.sql)).toEqual(all.slice(beforeSpelling));
      const after = await query<{ t: string; n: number }>(
        db.sql,
        `SELECT 'devices' AS t, count(*)::int AS n FROM devices UNION ALL SELECT 'keys', count(*)::int FROM keys UNION ALL SELECT 'users', count(*)::int FROM users ORDER BY 1`,
      );
      expect(after).toEqual(before);

      // The current app serves the old data with the old credentials.
      const { app } = makeApp({ sql: db.sql });
      const dev = await call(app, "GET", "/api/v2/device/nOldDevice1CNTRL?fields=all", { key: apiKey.full });
      expect(dev.status, dev.text).toBe(200);
      expect(dev.body).toMatchObject({ nodeId: "nOldDevice1CNTRL", id: "99001", hostname: "web", os: "linux", addresses: ["100.64.1.2", "fd7a:115c:a1e0::1:2"], advertisedRoutes: ["10.0.0.0/24"] });
      // Each attribute took its key's spelling; one spelled otherwise cannot be written.
      const spelled = await query<{ key: string }>(db.sql, `SELECT key FROM posture_attributes WHERE tailnet_id = $1 ORDER BY key_lower`, [tailnetId]);
      expect(spelled.map((r) => r.key)).toEqual(["custom:AA", "custom:b", "custom:Tier"]);
      await expect(
        db.sql.unsafe(`UPDATE posture_attributes SET key = 'custom:TIER' WHERE tailnet_id = $1 AND key_lower = 'custom:tier'`, [tailnetId]),
      ).rejects.toThrow(/posture_attributes_key_spelling_fkey/);
      const custom = { "custom:b": 42, "custom:AA": true, "custom:Tier": "gold" };
      expect(JSON.stringify(Object.fromEntries(Object.entries(dev.body.postureAttributes.attributes).filter(([k]) => k.startsWith("custom:"))))).toBe(JSON.stringify(custom));
      expect(dev.body.postureAttributes.expiries).toEqual({ "custom:Tier": "2099-01-02T03:04:05Z" });
      const list = await call(app, "GET", "/api/v2/tailnet/-/devices?fields=all", { key: apiKey.full });
      expect(JSON.stringify(list.body.devices.find((x: { nodeId: string }) => x.nodeId === "nOldDevice1CNTRL").postureAttributes)).toBe(JSON.stringify(dev.body.postureAttributes));
      const attrs = await call(app, "GET", "/api/v2/device/nOldDevice1CNTRL/attributes", { key: apiKey.full });
      expect(attrs.status, attrs.text).toBe(200);
      expect(attrs.body.attributes).toMatchObject(custom);
      const key = await call(app, "GET", `/api/v2/tailnet/-/keys/${authKey.keyId}`, { key: apiKey.full });
      expect(key.status, key.text).toBe(200);
      expect(key.body).toMatchObject({ id: authKey.keyId, description: "old auth key", invalid: false });
      const reg = await call(app, "POST", "/machine/register", {
        body: { authKey: authKey.full, nodeKey: `nodekey:${hex()}`, machineKey: `mkey:${hex()}`, hostname: "db" },
      });
      expect(reg.status, reg.text).toBe(200);
      const token = await call(app, "POST", "/api/v2/oauth/token", {
        rawBody: new URLSearchParams({ client_id: client.keyId, client_secret: client.full }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(token.status, token.text).toBe(200);
      const report = await call(app, "POST", "/machine/update", { bearer: node.full, body: { hostname: "web" } });
      expect(report.status, report.text).toBe(200);
    } finally {
      await db.drop();
    }
  });
});
