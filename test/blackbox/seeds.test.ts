/**
 * The two headscale documents the CLI follows (../shared/seeds: the users guide
 * and "Registration methods"), run word for word against a real tailapi
 * server: each command is the document's own text, run by bash, with
 * `headscale` and `docker exec headscale headscale` standing for `tailapi`, and
 * `tailscale` for a simulated client (test/support/tailscale-sim.mjs) that
 * speaks tailapi's node API. Only the documents' placeholders (USERNAME,
 * KEY_ID, <USER>, <REGISTRATION_KEY>, …) and the login server's address are
 * filled in. When the documents are beside the repository, every command is
 * checked to appear in them verbatim.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, ROOT, spawnServer, tempDataDir, type Server } from "./harness.js";

afterEach(cleanup);

const SEEDS = path.join(ROOT, "../shared/seeds");
const seedText = (name: string) => (existsSync(path.join(SEEDS, name)) ? readFileSync(path.join(SEEDS, name), "utf8") : undefined);
const GUIDE = seedText("headscale-users-guide.txt");
const METHODS = seedText("headscale-registration-methods.txt");

/** The documents' policy files, as they write them (checked against the documents when present). */
const GUIDE_POLICY = `{
"acls" : [
{
"action" : "accept" ,
"src" : [ "alice" ],
"dst" : [ "bob:*" ],
"comment" : "Alice can access all of Bob's devices"
},
{
"action" : "accept" ,
"src" : [ "bob" ],
"dst" : [ "alice:80,443" ],
"comment" : "Bob can only access Alice's web services"
},
{
"action" : "accept" ,
"src" : [ "servers" ],
"dst" : [ "*:*" ],
"comment" : "Server user can access everything"
}
]
}
`;
const GUIDE_TAGS_POLICY = `{
"groups" : {
"group:admins" : []
},
"tagOwners" : {
"tag:personal" : [ "group:admins" ],
"tag:servers" : [ "group:admins" ],
"tag:guests" : [ "group:admins" ]
},
"acls" : [
{
"action" : "accept" ,
"src" : [ "tag:personal" ],
"dst" : [ "tag:servers:*" ]
}
]
}
`;
const METHODS_OWNERS = `{
"tagOwners": {
"tag:server": ["alice@"]
},
// more rules
}
`;

const PRELUDE = `
headscale() { node --import "$TAILAPI_ROOT/node_modules/tsx/dist/loader.mjs" "$TAILAPI_ROOT/src/cli.ts" "$@"; }
docker() {
  if [ "$1" != exec ] || [ "$2" != headscale ]; then echo "docker: only 'docker exec headscale …' is simulated" >&2; return 2; fi
  shift 2; "$@"
}
tailscale() { node "$TAILAPI_ROOT/test/support/tailscale-sim.mjs" "$@"; }
sudo() { "$@"; }
`;

type Run = { code: number | null; stdout: string; stderr: string };

function env(server: Server, dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (k !== "DATABASE_URL" && k !== "DATABASE_DIRECT_URL" && !k.startsWith("TAILAPI_") && !k.startsWith("TS_")) base[k] = v;
  return { ...base, TAILAPI_DATA_DIR: dataDir, TAILAPI_ROOT: ROOT, TAILAPI_PUBLIC_URL: server.url, ...extra };
}

/**
 * Runs one of a document's commands, as written, with placeholders filled in.
 * `doc`: the document it must appear in verbatim. `tty`: on a terminal, with
 * `answer` typed in.
 */
async function run(
  server: Server,
  dataDir: string,
  o: { command: string; doc?: string; fill?: Record<string, string>; env?: Record<string, string>; tty?: boolean; answer?: string },
): Promise<Run> {
  if (o.doc) expect(o.doc, `the document's own words: ${o.command}`).toContain(o.command);
  let text = o.command.replaceAll("http://localhost:8000", server.url);
  for (const [k, v] of Object.entries(o.fill ?? {})) text = text.replaceAll(k, v);
  const dir = await mkdtemp(path.join(tmpdir(), "tailapi-seed-"));
  const script = path.join(dir, "step.sh");
  await writeFile(script, `${PRELUDE}\n${text}\n`);
  const [file, args] = o.tty ? ["script", ["-qec", `bash ${script}`, "/dev/null"]] : ["bash", [script]];
  return new Promise((resolve) => {
    const child = execFile(file, args, { cwd: dir, env: env(server, dataDir, o.env), timeout: 90_000, killSignal: "SIGKILL" }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: unknown }).code as number) ?? null : 0, stdout: stdout.replace(/\r/g, ""), stderr }),
    );
    child.stdin!.end(o.answer ?? "");
  });
}

/** A table's rows as objects (columns split on `|`). */
function table(stdout: string): Record<string, string>[] {
  const lines = stdout.trimEnd().split("\n").filter((l) => l.includes("|"));
  const [head, ...rows] = lines.map((l) => l.split("|").map((c) => c.trim()));
  return rows.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ""])));
}

/** `tailscale up` by web authentication, in the background: resolves with its authUrl, and with its exit once approved. */
function tailscaleUp(server: Server, dataDir: string, command: string, fill: Record<string, string>, hostname: string) {
  if (METHODS) expect(METHODS).toContain(command);
  let text = command;
  for (const [k, v] of Object.entries(fill)) text = text.replaceAll(k, v);
  const child = spawn("bash", ["-c", `${PRELUDE}\n${text}`], { env: env(server, dataDir, { TS_HOSTNAME: hostname }) });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const authUrl = new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /To authenticate, visit:\s+(\S+)/.exec(out);
      if (m) {
        clearInterval(poll);
        resolve(m[1]!);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(poll);
      reject(new Error(`tailscale up exited (${code}) before showing an authUrl:\n${out}`));
    });
  });
  return { authUrl, exited, output: () => out };
}

/** What the authUrl page tells the admin to run: the registration key in `tailapi nodes register --user <USER> --key KEY`. */
async function registrationKeyFromPage(authUrl: string): Promise<string> {
  const html = await (await fetch(authUrl)).text();
  const m = /tailapi nodes register --user &lt;USER&gt; --key ([A-Za-z0-9]+)/.exec(html);
  expect(m, html).not.toBeNull();
  return m![1]!;
}

describe("headscale's users guide, word for word", () => {
  it("users, pre-auth keys per user, nodes by user, tags, migration, and destroying a user", async () => {
    const dataDir = await tempDataDir();
    const server = await spawnServer({ dataDir });
    const hs = (command: string, o: Omit<Parameters<typeof run>[2], "command" | "doc"> = {}) => run(server, dataDir, { command, doc: GUIDE, ...o });

    for (const name of ["alice", "bob", "family"]) {
      const r = await hs(`docker exec headscale headscale users create ${name}`);
      expect(r.code, r.stderr).toBe(0);
    }
    const listed = await hs("docker exec headscale headscale users list");
    expect(listed.stdout.split("\n")[0]).toMatch(/^ID\s+\| Name\s+\| Created\s+\|/);
    const users = table(listed.stdout);
    expect(users.map((u) => u.Name)).toEqual(["admin@example.com", "alice", "bob", "family"]);
    for (const u of users) expect(u.Created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    // The strategies: personal, functional, hybrid (which creates guests a second time: "user already exists").
    for (const name of ["charlie", "personal", "servers", "iot", "guests"]) expect((await hs(`docker exec headscale headscale users create ${name}`)).code).toBe(0);
    const hybrid = await hs(
      "# Personal users\ndocker exec headscale headscale users create admin\n# Functional users\ndocker exec headscale headscale users create infrastructure\ndocker exec headscale headscale users create applications\ndocker exec headscale headscale users create guests",
    );
    expect(hybrid.code).toBe(1);
    expect(hybrid.stderr).toBe("tailapi: user guests already exists\n");
    expect(table((await hs("docker exec headscale headscale users list")).stdout).map((u) => u.Name)).toContain("applications");
    expect(table((await hs("docker exec headscale headscale nodes list")).stdout)).toEqual([]);

    // Pre-auth keys per user.
    const created = await hs("docker exec headscale headscale preauthkeys create --user alice --reusable --expiration 24h");
    expect(created.code, created.stderr).toBe(0);
    const aliceKey = created.stdout.trim();
    expect(aliceKey).toMatch(/^tskey-auth-(k\w+CNTRL)-\w+$/);
    const aliceKeyId = /^tskey-auth-(k\w+CNTRL)-/.exec(aliceKey)![1]!;
    for (const host of ["alice-laptop", "alice-phone"]) {
      const up = await hs("sudo tailscale up --login-server http://localhost:8000 --authkey NEW_KEY", { fill: { NEW_KEY: aliceKey }, env: { TS_HOSTNAME: host } });
      expect(up.code, up.stderr).toBe(0);
    }
    const keys = table((await hs("docker exec headscale headscale preauthkeys list --user alice")).stdout);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ ID: aliceKeyId, User: "alice", Reusable: "true", Used: "true", State: "active" });
    const expired = await hs("docker exec headscale headscale preauthkeys expire --user alice --key KEY_ID", { fill: { KEY_ID: aliceKeyId } });
    expect(expired.code, expired.stderr).toBe(0);
    expect(table((await hs("docker exec headscale headscale preauthkeys list --user alice")).stdout)[0]!.State).toBe("expired");
    const refused = await hs("sudo tailscale up --login-server http://localhost:8000 --authkey NEW_KEY", { fill: { NEW_KEY: aliceKey }, env: { TS_HOSTNAME: "late" } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/auth key has expired/);

    // Nodes by user.
    const nodes = table((await hs("docker exec headscale headscale nodes list")).stdout);
    expect(nodes.map((n) => [n.Hostname, n.User, n.Online])).toEqual([
      ["alice-laptop", "alice", "online"],
      ["alice-phone", "alice", "online"],
    ]);

    // User-based ACL policies, in config/policy.json: rules name users headscale's way.
    const policyDir = await mkdtemp(path.join(tmpdir(), "tailapi-policy-"));
    if (GUIDE) expect(GUIDE).toContain(GUIDE_POLICY);
    await writeFile(path.join(policyDir, "policy.json"), GUIDE_POLICY);
    const set = await run(server, dataDir, { command: `headscale policy set --file ${path.join(policyDir, "policy.json")}` });
    expect(set.code, set.stderr).toBe(0);
    const validate = await fetch(`${server.url}/api/v2/tailnet/-/acl/validate`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.firstApiKey}`, "content-type": "application/json" },
      body: JSON.stringify([
        { src: "alice", accept: ["bob:22", "bob:8080"], deny: ["servers:22"] },
        { src: "bob", accept: ["alice:80", "alice:443"], deny: ["alice:22"] },
        { src: "servers", accept: ["alice:22", "bob:22"] },
        { src: "guests", deny: ["alice:80"] },
      ]),
    });
    expect(await validate.json()).toEqual({});

    // Single-use keys, and tags within a single user (with the document's tag owners).
    const single = await hs("docker exec headscale headscale preauthkeys create \\\n--user alice \\\n--expiration 1h");
    expect(single.code, single.stderr).toBe(0);
    if (GUIDE) expect(GUIDE).toContain(GUIDE_TAGS_POLICY);
    await writeFile(path.join(policyDir, "tags.json"), GUIDE_TAGS_POLICY);
    expect((await run(server, dataDir, { command: `headscale policy set --file ${path.join(policyDir, "tags.json")}` })).code).toBe(0);
    const tagKeys: Record<string, string> = {};
    for (const tag of ["tag:personal", "tag:servers"]) {
      const r = await hs(`docker exec headscale headscale preauthkeys create \\\n--user admin \\\n--reusable \\\n--expiration 24h \\\n--tags ${tag}`);
      expect(r.code, r.stderr).toBe(0);
      tagKeys[tag] = r.stdout.trim();
    }
    expect((await hs("sudo tailscale up --login-server http://localhost:8000 --authkey NEW_KEY", { fill: { NEW_KEY: tagKeys["tag:servers"]! }, env: { TS_HOSTNAME: "nas" } })).code).toBe(0);
    const nas = table((await hs("docker exec headscale headscale nodes list")).stdout).find((n) => n.Hostname === "nas")!;
    expect(nas).toMatchObject({ User: "tagged-devices", Tags: "tag:servers", Online: "online" });

    // Migration between users: delete the node, a key for the new user, reconnect.
    const phone = table((await hs("docker exec headscale headscale nodes list")).stdout).find((n) => n.Hostname === "alice-phone")!;
    expect((await hs("docker exec headscale headscale nodes delete --identifier NODE_ID", { fill: { NODE_ID: phone.ID! } })).code).toBe(0);
    expect((await hs("docker exec headscale headscale users create USERNAME", { fill: { USERNAME: "newuser" } })).code).toBe(0);
    const newKey = (await hs("docker exec headscale headscale preauthkeys create --user newuser --expiration 1h")).stdout.trim();
    expect((await hs("sudo tailscale down")).code).toBe(0);
    expect((await hs("sudo tailscale up --login-server http://localhost:8000 --authkey NEW_KEY", { fill: { NEW_KEY: newKey }, env: { TS_HOSTNAME: "alice-phone" } })).code).toBe(0);
    const byUser = await hs("docker exec headscale headscale nodes list | grep username", { fill: { username: "newuser" } });
    expect(byUser.stdout.trim().split("\n")).toHaveLength(1);
    expect(byUser.stdout).toMatch(/alice-phone .*\| newuser /);

    // Troubleshooting.
    expect((await hs("docker exec headscale headscale users create alice2")).code).toBe(0);
    expect((await hs("docker exec headscale headscale preauthkeys create --user username --expiration 24h", { fill: { username: "bob" } })).code).toBe(0);
    expect(table((await hs("docker exec headscale headscale preauthkeys list --user username", { fill: { username: "bob" } })).stdout)).toHaveLength(1);

    // Deleting a user: on a terminal it asks first; without one it needs --force.
    const noTerminal = await hs("docker exec headscale headscale users destroy USERNAME", { fill: { USERNAME: "bob" } });
    expect(noTerminal.code).toBe(1);
    expect(noTerminal.stderr).toMatch(/without confirmation: run it on a terminal, or add --force/);
    const declined = await hs("docker exec headscale headscale users destroy USERNAME", { fill: { USERNAME: "bob" }, tty: true, answer: "no\n" });
    expect(declined.stdout).toMatch(/Are you sure\? \(yes\/no\): /);
    expect(table((await hs("docker exec headscale headscale users list")).stdout).map((u) => u.Name)).toContain("bob");
    const destroyed = await hs("docker exec headscale headscale users destroy USERNAME", { fill: { USERNAME: "alice" }, tty: true, answer: "yes\n" });
    expect(destroyed.code, destroyed.stdout).toBe(0);
    expect(destroyed.stdout).toContain("Warning: This will delete user 'alice' and all associated data");
    expect(destroyed.stdout).toContain("Are you sure? (yes/no): ");
    expect(destroyed.stdout).toMatch(/User destroyed: alice \(with 1 personal device and their keys\)/);
    // Verify deletion: gone from the users, with their nodes and pre-auth keys; tagged nodes stay.
    const after = table((await hs("docker exec headscale headscale users list")).stdout).map((u) => u.Name);
    expect(after).not.toContain("alice");
    expect(after).toContain("alice2");
    const left = table((await hs("docker exec headscale headscale nodes list")).stdout);
    expect(left.map((n) => n.Hostname).sort()).toEqual(["alice-phone", "nas"]);
    expect(left.find((n) => n.Hostname === "alice-phone")!.User).toBe("newuser");
    const aliceKeys = await hs("docker exec headscale headscale preauthkeys list --user username", { fill: { username: "alice" } });
    expect(aliceKeys.code).toBe(1);
    expect(aliceKeys.stderr).toBe('tailapi: no user "alice" in this tailnet\n');
    const allKeys = table((await run(server, dataDir, { command: "headscale preauthkeys list" })).stdout);
    expect(allKeys.filter((k) => k.User === "alice")).toEqual([]);
    expect(allKeys.map((k) => k.User).sort()).toEqual(["admin", "admin", "bob", "newuser"]);
  }, 600_000);
});

describe("headscale's registration methods, word for word", () => {
  it("web authentication and pre-auth keys, for personal and tagged nodes; the same through --server", async () => {
    const dataDir = await tempDataDir();
    const server = await spawnServer({ dataDir });
    const hs = (command: string, o: Omit<Parameters<typeof run>[2], "command" | "doc"> = {}) => run(server, dataDir, { command, doc: METHODS, ...o });
    const URL_ = { "<YOUR_HEADSCALE_URL>": server.url };

    expect((await hs("headscale users create <USER>", { fill: { "<USER>": "alice" } })).code).toBe(0);

    // Web authentication, personal device.
    const laptop = tailscaleUp(server, dataDir, "tailscale up --login-server <YOUR_HEADSCALE_URL>", URL_, "laptop");
    const key1 = await registrationKeyFromPage(await laptop.authUrl);
    const reg1 = await hs("headscale nodes register --user <USER> --key <REGISTRATION_KEY>", { fill: { "<USER>": "alice", "<REGISTRATION_KEY>": key1 } });
    expect(reg1.code, reg1.stderr).toBe(0);
    expect(await laptop.exited, laptop.output()).toBe(0);
    expect(table((await hs("headscale nodes list")).stdout).find((n) => n.Hostname === "laptop")).toMatchObject({ User: "alice", Online: "online", Tags: "-" });

    // Web authentication, tagged device: alice may register nodes tagged with tag:server.
    const policyDir = await mkdtemp(path.join(tmpdir(), "tailapi-policy-"));
    if (METHODS) expect(METHODS).toContain(METHODS_OWNERS);
    await writeFile(path.join(policyDir, "policy.hujson"), METHODS_OWNERS);
    const set = await run(server, dataDir, { command: `headscale policy set --file ${path.join(policyDir, "policy.hujson")}` });
    expect(set.code, set.stderr).toBe(0);
    const server1 = tailscaleUp(server, dataDir, "tailscale up --login-server <YOUR_HEADSCALE_URL> --advertise-tags tag:<TAG>", { ...URL_, "<TAG>": "server" }, "server1");
    const key2 = await registrationKeyFromPage(await server1.authUrl);
    const reg2 = await hs("headscale nodes register --user <USER> --key <REGISTRATION_KEY>", { fill: { "<USER>": "alice", "<REGISTRATION_KEY>": key2 } });
    expect(reg2.code, reg2.stderr).toBe(0);
    expect(await server1.exited, server1.output()).toBe(0);
    expect(table((await hs("headscale nodes list")).stdout).find((n) => n.Hostname === "server1")).toMatchObject({ User: "tagged-devices", Tags: "tag:server", Online: "online" });

    // Pre-auth key, personal device: the key of the user's id, default settings (once, one hour).
    expect((await hs("headscale users create <USER>", { fill: { "<USER>": "bob" } })).code).toBe(0);
    const bobId = table((await hs("headscale user list")).stdout).find((u) => u.Name === "bob")!.ID!;
    const bobKey = await hs("headscale preauthkeys create --user <USER_ID>", { fill: { "<USER_ID>": bobId } });
    expect(bobKey.code, bobKey.stderr).toBe(0);
    const listedKey = table((await run(server, dataDir, { command: "headscale preauthkeys list --user bob" })).stdout)[0]!;
    expect(listedKey).toMatchObject({ Reusable: "false", Used: "false", State: "active" });
    expect(Date.parse(listedKey.Expiration!.replace(" ", "T") + "Z") - Date.parse(listedKey.Created!.replace(" ", "T") + "Z")).toBe(3600_000);
    const up = await hs("tailscale up --login-server <YOUR_HEADSCALE_URL> --authkey <YOUR_AUTH_KEY>", { fill: { ...URL_, "<YOUR_AUTH_KEY>": bobKey.stdout.trim() }, env: { TS_HOSTNAME: "bob-laptop" } });
    expect(up.code, up.stderr).toBe(0);
    expect(table((await hs("headscale nodes list")).stdout).find((n) => n.Hostname === "bob-laptop")).toMatchObject({ User: "bob", Online: "online" });

    // Pre-auth key, tagged device: a tagged key of no user.
    const tagged = await hs("headscale preauthkeys create --tags tag:<TAG>", { fill: { "<TAG>": "server" } });
    expect(tagged.code, tagged.stderr).toBe(0);
    const up2 = await hs("tailscale up --login-server <YOUR_HEADSCALE_URL> --authkey <YOUR_AUTH_KEY>", { fill: { ...URL_, "<YOUR_AUTH_KEY>": tagged.stdout.trim() }, env: { TS_HOSTNAME: "server2" } });
    expect(up2.code, up2.stderr).toBe(0);
    const final = await hs("headscale nodes list");
    expect(table(final.stdout).find((n) => n.Hostname === "server2")).toMatchObject({ User: "tagged-devices", Tags: "tag:server", Online: "online" });

    // One code path: the same verbs against the server over HTTP, with an API key, answer the same.
    const remote = await run(server, dataDir, { command: `headscale --server ${server.url} nodes list`, env: { TAILAPI_API_KEY: server.firstApiKey! } });
    expect(remote.code, remote.stderr).toBe(0);
    expect(table(remote.stdout)).toEqual(table(final.stdout));
    const remoteUser = await run(server, dataDir, { command: `headscale --server ${server.url} users create carol`, env: { TAILAPI_API_KEY: server.firstApiKey! } });
    expect(remoteUser.stdout).toMatch(/^User created: carol /);
    const noKey = await run(server, dataDir, { command: `headscale --server ${server.url} users list` });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toBe("tailapi: API token invalid\n");
  }, 600_000);
});
