/**
 * The README's curl walkthrough, run as written (bash, curl, node) against a
 * fresh embedded-default server whose first printed key is pasted where the
 * README says to paste it. Only the address 127.0.0.1:8080 is replaced by the
 * test server's.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, ROOT, spawnServer, tempDataDir } from "./harness.js";

afterEach(cleanup);

/** The `sh` blocks of the README between two headings, joined into one script. */
async function sectionScript(from: string, to: string): Promise<string> {
  const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf(from), readme.indexOf(to));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).join("\n");
}

const walkthroughScript = () => sectionScript("## Walkthrough with curl", "### Pointing Tailscale");

describe("README walkthrough", () => {
  it("works as written", async () => {
    const dataDir = await tempDataDir();
    const server = await spawnServer({ dataDir });
    const script = (await walkthroughScript())
      .replace(/export TAILAPI_API_KEY=tskey-api-…[^\n]*/, `export TAILAPI_API_KEY=${server.firstApiKey}`)
      .replaceAll("http://127.0.0.1:8080", server.url);
    expect(script).toContain(server.firstApiKey!);
    // The README's second shell runs where the server does: the CLI finds the same data dir.
    const env: NodeJS.ProcessEnv = { ...process.env, TAILAPI_DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    delete env.DATABASE_DIRECT_URL;
    const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script], { cwd: ROOT, env, timeout: 90_000, maxBuffer: 10 << 20 });
    // The policy's ETag, the auth key, both registrations (shown, with their node tokens).
    expect(stdout).toMatch(/^etag: "[0-9a-f]{64}"\r?$/im);
    expect(stdout).toMatch(/^tskey-auth-k\w+CNTRL-\w+$/m);
    expect(stdout.match(/^\{"device":\{.*"nodeToken":"tskey-node-[^"]+","created":true\}$/gm)).toHaveLength(2);
    // Tagging answers {}, route approval the routes, and the device read back shows every change.
    expect(stdout).toMatch(/\{\}\{"advertisedRoutes":\["10\.0\.0\.0\/24"\],"enabledRoutes":\["10\.0\.0\.0\/24"\]\}\{\}\{\}\{"addresses":\["100\.64\.1\.1",/);
    expect(stdout).toMatch(/"name":"web-1\.tail[0-9a-f]{6}\.ts\.net".*"tags":\["tag:server"\]/);
    // The posture attribute, set and read back with the node: attributes.
    expect(stdout).toMatch(/\{"attributes":\{"node:os":"linux"[^}]*"custom:tier":"gold"\},"expiries":\{"custom:tier":"2030-01-01T00:00:00Z"\}\}/);
    // Shared into the second tailnet: accepted, and listed there as external.
    expect(stdout).toMatch(/\{"device":\{"id":"n\w+CNTRL","os":"linux","name":"web-1",.*"acceptedBy":\{"id":"\d+","displayName":"admin","loginName":"admin@other\.example\.org"/);
    // The simulated device is seen online; then deleted (200, empty body) and gone (404).
    expect(stdout).toMatch(/"connectedToControl":true\n/);
    expect(stdout).toMatch(/"isExternal":true\n200\n\{"message":"not found"\}/);
    expect(stdout).toContain('{"message":"not found"}');
    expect(stdout).toMatch(/token scopes: devices:core auth_keys/);
    expect(stdout).toMatch(/auth key: \{[\s\S]*tskey-auth-/);
    expect(await server.stop("SIGTERM")).toBe(0);
  }, 120_000);
});

describe("README administration", () => {
  it("works as written: headscale's verbs, web authentication, policies, destroying a user", async () => {
    const dataDir = await tempDataDir();
    const server = await spawnServer({ dataDir });
    const script = (await sectionScript("## Administration", "## A stand-in seeded")).replaceAll("http://127.0.0.1:8080", server.url);
    // On the server's machine: the CLI finds the same data dir.
    const env: NodeJS.ProcessEnv = { ...process.env, TAILAPI_DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    delete env.DATABASE_DIRECT_URL;
    delete env.TAILAPI_URL;
    const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script], { cwd: ROOT, env, timeout: 180_000, maxBuffer: 10 << 20 });
    const tables = stdout.split(/^(?=ID\s+\|)/m);
    const usersBefore = tables.find((t) => /^ID\s+\| Name\s+\| Created/.test(t))!;
    for (const name of ["admin@example.com", "alice", "bob", "family"]) expect(usersBefore).toMatch(new RegExp(`\\| ${name.replace(".", "\\.")}\\s+\\| \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\| 0`));
    expect(stdout).toMatch(/^k\w+CNTRL\s+\| alice\s+\| true\s+\| false\s+\| false\s+\|/m);
    expect(stdout).toMatch(/^\d+\s+\| alice-laptop \| alice-laptop \| alice \|/m);
    expect(stdout).toMatch(/\{"authUrl":"http:\/\/127\.0\.0\.1:\d+\/register\/[A-Za-z0-9]+","registrationKey":"[A-Za-z0-9]+"\}/);
    expect(stdout).toMatch(/^Node bob-laptop registered \(ID \d+, owner bob\)$/m);
    expect(stdout).toContain('"nodeToken":"tskey-node-');
    expect(stdout).toMatch(/^Policy is valid\nPolicy updated$/m);
    expect(stdout).toMatch(/^\d+\s+\| db\s+\| db\s+\| tagged-devices \|.*\| tag:server \|/m);
    expect(stdout).toMatch(/^User destroyed: alice \(with 1 personal device and their keys\)$/m);
    const [usersAfter, nodesAfter] = tables.slice(-2);
    expect(usersAfter).not.toMatch(/\| alice\s+\|/);
    expect(nodesAfter).not.toContain("alice-laptop");
    expect(nodesAfter).toContain("bob-laptop");
    expect(await server.stop("SIGTERM")).toBe(0);
  }, 240_000);
});
