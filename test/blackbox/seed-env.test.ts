/**
 * TAILAPI_SEED: a one-command CI stand-in. A server started on an empty data
 * dir imports a real tailnet's answers (test/fixtures/real-tailnet) into its
 * new tailnet; `tailapi export` writes the same shapes back, and a second
 * server seeded with that export answers the same.
 */
import { mkdtemp, readFile, writeFile, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { call, cleanup, ROOT, runCli, spawnServer, tempDataDir } from "./harness.js";

afterEach(cleanup);

const FIXTURE = path.join(ROOT, "test/fixtures/real-tailnet");

describe("TAILAPI_SEED", () => {
  it("imports into a fresh database at start, leaves an existing one alone, and round-trips through export", async () => {
    const dataDir = await tempDataDir();
    const server = await spawnServer({ dataDir, env: { TAILAPI_SEED: FIXTURE } });
    // The seed's owner gets the first key (imported keys have no secret anyone knows).
    expect(server.lines.join("\n")).toContain("First API key of tailnet example.com (user foo@example.com)");
    expect(server.logs.find((l) => l.msg === "TAILAPI_SEED imported into the new tailnet")).toMatchObject({ users: 4, devices: 3, keys: 2, policy: true });
    const key = server.firstApiKey!;
    const device = await call(server.url, "GET", "/api/v2/device/50053", { key });
    expect(device.status).toBe(200);
    expect(device.body).toMatchObject({ nodeId: "nTESTJ31CNTRL", name: "foo.tail1234.ts.net", user: "foo@example.com", addresses: ["100.121.200.21", "fd7a:115c:a1e0:ab12:4843:cd96:6265:e618"] });

    // Export with the CLI, over HTTP (as CI would, from anywhere).
    const out = await mkdtemp(path.join(tmpdir(), "tailapi-export-"));
    const exported = await runCli(["--server", server.url, "export", "--dir", out], { TAILAPI_API_KEY: key, TAILAPI_DATA_DIR: dataDir });
    expect(exported.code, exported.stderr).toBe(0);
    const devices = JSON.parse(await readFile(path.join(out, "devices.json"), "utf8"));
    expect(devices.devices.map((d: { id: string }) => d.id).sort()).toEqual(["50053", "50054", "50055"]);
    expect(await readFile(path.join(out, "policy.hujson"), "utf8")).toBe(await readFile(path.join(FIXTURE, "policy.hujson"), "utf8"));

    // A restart with the seed leaves the tailnet as it is (a change made meanwhile stays).
    expect((await call(server.url, "POST", "/api/v2/device/50055/name", { key, body: { name: "renamed" } })).status).toBe(200);
    expect(await server.stop()).toBe(0);
    const again = await spawnServer({ dataDir, env: { TAILAPI_SEED: FIXTURE } });
    expect(again.logs.some((l) => l.msg?.startsWith("TAILAPI_SEED left alone"))).toBe(true);
    expect((await call(again.url, "GET", "/api/v2/device/50055", { key })).body.name).toBe("renamed.tail1234.ts.net");
    await again.stop();

    // A second server seeded with the export answers the same devices and policy.
    const second = await spawnServer({ dataDir: await tempDataDir(), env: { TAILAPI_SEED: out } });
    const list = await call(second.url, "GET", "/api/v2/tailnet/-/devices?fields=all", { key: second.firstApiKey });
    expect(list.body).toEqual(devices);
    const out2 = await mkdtemp(path.join(tmpdir(), "tailapi-export-"));
    expect((await runCli(["--server", second.url, "export", "--dir", out2], { TAILAPI_API_KEY: second.firstApiKey, TAILAPI_DATA_DIR: dataDir })).code).toBe(0);
    expect(await readFile(path.join(out2, "devices.json"), "utf8")).toBe(await readFile(path.join(out, "devices.json"), "utf8"));
    expect(await readFile(path.join(out2, "policy.hujson"), "utf8")).toBe(await readFile(path.join(out, "policy.hujson"), "utf8"));
    const users = async (dir: string) => JSON.parse(await readFile(path.join(dir, "users.json"), "utf8")).users.map(({ tailnetId: _t, ...u }: { tailnetId: string }) => u);
    expect(await users(out2)).toEqual(await users(out));
  }, 240_000);

  it("a seed that does not import stops the start with a message naming it, and leaves no tailnet behind", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tailapi-badseed-"));
    await cp(FIXTURE, dir, { recursive: true });
    const devices = JSON.parse(await readFile(path.join(dir, "devices.json"), "utf8"));
    devices.devices[1].addresses = devices.devices[0].addresses;
    await writeFile(path.join(dir, "devices.json"), JSON.stringify(devices));
    const dataDir = await tempDataDir();
    await expect(spawnServer({ dataDir, env: { TAILAPI_SEED: dir } })).rejects.toThrow(
      /tailapi: TAILAPI_SEED: device 50054 \(db-1\.tail1234\.ts\.net\): its address 100\.121\.200\.21 is taken by another device of the tailnet/,
    );
    // Nothing half-imported: a start without the seed finds a fresh tailnet.
    const server = await spawnServer({ dataDir });
    expect(server.firstApiKey).toBeTruthy();
    const users = await call(server.url, "GET", "/api/v2/tailnet/-/users?type=all", { key: server.firstApiKey });
    expect(users.body.users.map((u: { loginName: string }) => u.loginName)).toEqual(["admin@example.com"]);
  }, 240_000);
});
