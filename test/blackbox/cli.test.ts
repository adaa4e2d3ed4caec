/**
 * The CLI on the embedded default: attached to a running server's PostgreSQL,
 * and on its own with no server running.
 */
import { afterEach, describe, expect, it } from "vitest";
import { call, cleanup, postgresPids, runCli, sleep, spawnServer, tempDataDir } from "./harness.js";

afterEach(cleanup);

type KeyRow = { id: string; user: string; state: string; description: string };

function parseKeyList(stdout: string): KeyRow[] {
  const [header, ...rows] = stdout.trimEnd().split("\n");
  expect(header).toBe("ID\tUSER\tCREATED\tEXPIRES\tSTATE\tDESCRIPTION");
  return rows.map((r) => {
    const [id, user, , , state, description] = r.split("\t");
    return { id: id!, user: user!, state: state!, description: description ?? "" };
  });
}

const API_KEY = /^tskey-api-(k\w+CNTRL)-\w+$/;

describe("CLI on the embedded default", () => {
  it("attaches to the running server's database: apikeys create, list, revoke", async () => {
    const dir = await tempDataDir();
    const env = { TAILAPI_DATA_DIR: dir };
    const server = await spawnServer({ dataDir: dir });
    const firstKey = server.firstApiKey!;
    expect(firstKey).toMatch(API_KEY);
    const postmaster = await postgresPids(dir);
    expect(postmaster).toHaveLength(1);

    const created = await runCli(["apikeys", "create", "--description", "from the cli"], env);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    const m = API_KEY.exec(key);
    expect(m, `stdout: ${created.stdout}`).not.toBeNull();
    const id = m![1]!;
    expect(created.stderr).toContain(id);
    // Still the server's PostgreSQL, still running: the CLI neither started nor stopped one.
    expect(await postgresPids(dir)).toEqual(postmaster);

    // The key works against the server (and is now in its credential cache).
    const ok = await call(server.url, "GET", "/api/v2/tailnet/-/devices", { key });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ devices: [] });

    const list = await runCli(["apikeys", "list"], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).not.toContain(key.split("-").pop()!); // never a secret
    const rows = parseKeyList(list.stdout);
    expect(rows).toContainEqual({ id, user: "admin@example.com", state: "active", description: "from the cli" });
    expect(rows.map((r) => r.id)).toContain(API_KEY.exec(firstKey)![1]);

    // Keep using the key while the CLI revokes it, so the server has it cached throughout.
    let revokedAt: number | undefined;
    let refusedAt: number | undefined;
    let okBefore = 0;
    const poller = (async () => {
      for (;;) {
        const status = (await call(server.url, "GET", "/api/v2/tailnet/-/devices", { key })).status;
        if (status === 401) {
          refusedAt = performance.now();
          return;
        }
        expect(status).toBe(200);
        if (revokedAt === undefined) okBefore++;
        else if (performance.now() - revokedAt > 3000) return;
        await sleep(50);
      }
    })();
    const revoked = await runCli(["apikeys", "revoke", id], env);
    revokedAt = performance.now();
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stderr).toContain(id);
    await poller;
    expect(okBefore).toBeGreaterThan(0);
    expect(refusedAt, "the revoked key still works 3 s after `apikeys revoke` returned").toBeDefined();
    // eslint-disable-next-line no-console
    console.log(`revoked key refused ${Math.max(0, Math.round(refusedAt! - revokedAt))} ms after the CLI returned`);
    const still = await call(server.url, "GET", "/api/v2/tailnet/-/devices", { bearer: key });
    expect(still.status).toBe(401);
    expect(still.body).toEqual({ message: expect.any(String) });

    const after = parseKeyList((await runCli(["apikeys", "list"], env)).stdout);
    expect(after.find((r) => r.id === id)?.state).toBe("revoked");
    // Revoking a key that does not exist is an error.
    const missing = await runCli(["apikeys", "revoke", "kNoSuchKey0CNTRL"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("kNoSuchKey0CNTRL");

    // The other key is untouched, and so is the server.
    expect((await call(server.url, "GET", "/api/v2/tailnet/-/devices", { key: firstKey })).status).toBe(200);
    expect(await postgresPids(dir)).toEqual(postmaster);
    expect(await server.stop()).toBe(0);
    expect(await postgresPids(dir)).toEqual([]);
  }, 90_000);

  it("with no server running, starts the embedded database itself and stops it after", async () => {
    const dir = await tempDataDir();
    const env = { TAILAPI_DATA_DIR: dir };

    // A fresh directory: the CLI initialises the database.
    const tn = await runCli(["tailnets", "create", "offline.test"], env);
    expect(tn.code, tn.stderr).toBe(0);
    const tailnetKey = tn.stdout.trim();
    expect(tailnetKey).toMatch(API_KEY);
    expect(await postgresPids(dir)).toEqual([]);

    const created = await runCli(["apikeys", "create", "--tailnet", "offline.test", "--description", "offline"], env);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(API_KEY);
    expect(key).not.toBe(tailnetKey);
    expect(await postgresPids(dir)).toEqual([]);

    const list = await runCli(["apikeys", "list", "--tailnet", "offline.test"], env);
    expect(list.code, list.stderr).toBe(0);
    expect(parseKeyList(list.stdout).map((r) => r.id).sort()).toEqual([API_KEY.exec(key)![1], API_KEY.exec(tailnetKey)![1]].sort());
    expect(await postgresPids(dir)).toEqual([]);

    // A server on the same directory later sees what the CLI wrote.
    const server = await spawnServer({ dataDir: dir });
    for (const k of [tailnetKey, key]) {
      const r = await call(server.url, "GET", "/api/v2/tailnet/offline.test/devices", { key: k });
      expect(r.status).toBe(200);
    }
    expect(await server.stop()).toBe(0);
    expect(await postgresPids(dir)).toEqual([]);
  }, 90_000);
});

describe("CLI users, roles and OAuth clients (on the suite's database)", () => {
  it("a member's API key reads but cannot delete others' devices; a CLI-made OAuth client gets working tokens", async () => {
    const { databaseUrl, seedTailnet, createAuthKey, registerDevice, setPolicy } = await import("./harness.js");
    const env = { DATABASE_URL: databaseUrl() };
    const server = await spawnServer({ env: { ...env, TAILAPI_TAILNET: `boot-${Date.now()}.test` } });
    const { name, apiKey } = await seedTailnet(env);
    await setPolicy(server.url, apiKey); // defines tag:ci, which the OAuth client below carries
    const authKey = await createAuthKey(server.url, apiKey, { reusable: true });
    const { device } = await registerDevice(server.url, authKey.key);

    const login = `bob@${name}`;
    const user = await runCli(["users", "create", login, "--tailnet", name, "--role", "member"], env);
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout).toMatch(new RegExp(`^User created: ${login.replace(/\./g, "\\.")} \\(id \\d+, member\\)$`, "m"));
    const dup = await runCli(["users", "create", login, "--tailnet", name], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);

    const memberKey = (await runCli(["apikeys", "create", "--tailnet", name, "--user", login], env)).stdout.trim();
    expect(memberKey).toMatch(API_KEY);
    expect((await call(server.url, "GET", `/api/v2/device/${device.nodeId}`, { key: memberKey })).status).toBe(200);
    const del = await call(server.url, "DELETE", `/api/v2/device/${device.nodeId}`, { key: memberKey });
    expect(del.status).toBe(403);
    expect(del.body).toEqual({ message: "calling actor does not have enough permissions to perform this function" });

    const noTags = await runCli(["oauth-clients", "create", "--tailnet", name, "--scopes", "devices:core"], env);
    expect(noTags.code).toBe(1);
    expect(noTags.stderr).toMatch(/must have tags/);
    const made = await runCli(["oauth-clients", "create", "--tailnet", name, "--scopes", "devices:core,auth_keys", "--tags", "tag:ci"], env);
    expect(made.code, made.stderr).toBe(0);
    const id = /^OAUTH_CLIENT_ID=(\S+)$/m.exec(made.stdout)![1]!;
    const secret = /^OAUTH_CLIENT_SECRET=(tskey-client-\S+)$/m.exec(made.stdout)![1]!;
    const res = await fetch(`${server.url}/api/v2/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: id, client_secret: secret }),
    });
    expect(res.status).toBe(200);
    const token = ((await res.json()) as { access_token: string }).access_token;
    expect((await call(server.url, "DELETE", `/api/v2/device/${device.nodeId}`, { bearer: token })).status).toBe(200);

    const list = await runCli(["oauth-clients", "list", "--tailnet", name], env);
    expect(list.stdout).toContain(`${id}\t`);
    expect(list.stdout).not.toContain(secret);
    expect((await runCli(["oauth-clients", "delete", id, "--tailnet", name], env)).code).toBe(0);
    await sleep(1100); // the server's credential cache bound
    expect((await call(server.url, "GET", "/api/v2/tailnet/-/devices", { bearer: token })).status).toBe(401);
    expect(await server.stop("SIGTERM")).toBe(0);
  }, 90_000);
});
