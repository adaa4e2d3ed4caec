import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { Command, InvalidArgumentError, Option } from "commander";
import type { Config } from "../config.js";
import { bundleFromFiles } from "../domain/transfer.js";
import { matchUserRef, ROLES } from "../domain/users.js";
import { readFilesOf } from "../lib/files.js";
import { Api, ApiError, withApi } from "./client.js";
import { collect, durationSeconds, err, out, outputOption, printList, printValue, shortTime, type Format } from "./output.js";

/**
 * headscale's administration verbs (users, preauthkeys, nodes, policy) and
 * tailapi's own (invites, import, export). Each is one sequence of calls of
 * tailapi's HTTP API (see client.ts): the same code runs on the local
 * database and against a remote server.
 */

type WireUser = { id: string; loginName: string; displayName: string; created: string; role: string; status: string; deviceCount: number };
type WireDevice = {
  id: string;
  nodeId: string;
  user: string;
  name: string;
  hostname: string;
  addresses: string[];
  tags?: string[];
  connectedToControl: boolean;
  lastSeen?: string;
  expires: string;
  keyExpiryDisabled: boolean;
  authorized: boolean;
  advertisedRoutes?: string[];
  enabledRoutes?: string[];
};
type WireAuthKey = {
  id: string;
  key?: string;
  user?: string;
  uses: number;
  created: string;
  expires?: string;
  revoked?: string;
  invalid: boolean;
  capabilities?: { devices: { create: { reusable: boolean; ephemeral: boolean; preauthorized: boolean; tags: string[] } } };
};

const TAGGED_DEVICES = "tagged-devices";

type Opts = { tailnet?: string; output: Format } & Record<string, any>;

/** Runs a verb with the API: `--server` (anywhere on the line) or TAILAPI_URL for a remote server, else the local database. */
function verb(config: () => Config, fn: (api: Api, opts: Opts, args: string[]) => Promise<void>) {
  return async (...all: unknown[]) => {
    const cmd = all[all.length - 1] as Command;
    const opts = cmd.optsWithGlobals() as Opts;
    const args = all.slice(0, -2) as string[];
    await withApi(config(), { server: opts.server, tailnet: opts.tailnet }, (api) => fn(api, opts, args));
  };
}

const tailnetOpt = () => new Option("--tailnet <name>", "tailnet (default: $TAILAPI_TAILNET locally; the API key's remotely)");

function durationOption(value: string): number {
  const s = durationSeconds(value);
  if (s === undefined || s < 1 || s > 90 * 86400) throw new InvalidArgumentError("must be a duration up to 90d, such as 1h, 24h, 30d or 1h30m");
  return s;
}

async function users(api: Api): Promise<WireUser[]> {
  return (await api.get<{ users: WireUser[] }>(api.tailnetPath("/users"), { type: "all" })).users;
}

/** The user a CLI argument names: id, login name, or headscale's bare name (see domain matchUserRef). */
async function userNamed(api: Api, ref: string): Promise<WireUser> {
  const all = await users(api);
  const u = matchUserRef(all.map((x) => ({ ...x, userId: x.id })), ref);
  if (u === "ambiguous") throw new ApiError(400, `${JSON.stringify(ref)} names several users: use the full login name or the id (see tailapi users list)`);
  if (!u) throw new ApiError(404, `no user ${JSON.stringify(ref)} in this tailnet (see tailapi users list)`);
  return u;
}

/** `tskey-auth-<id>-<secret>` or the id alone: the key id. */
function keyIdOf(value: string): string {
  const m = /^tskey-auth-([A-Za-z0-9]+)-/.exec(value.trim());
  return m ? m[1]! : value.trim();
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function addAdminCommands(program: Command, config: () => Config): void {
  // ---------------------------------------------------------------- users
  const usersCmd = program.command("users").alias("user").description("manage users (headscale's users verbs)");
  usersCmd
    .command("create")
    .argument("<name>", "login name: a name (alice) or an email (alice@example.com)")
    .option("--display-name <name>", "display name (default: the name before any @)")
    .addOption(new Option("--role <role>", "role").choices([...ROLES]).default("member"))
    .addOption(tailnetOpt())
    .addOption(outputOption())
    .description("create a user")
    .action(
      verb(config, async (api, o, [name]) => {
        const u = await api.post<WireUser>(api.tailnetPath("/users"), { loginName: name, displayName: o.displayName, role: o.role });
        printValue(o.output, u, () => out(`User created: ${u.loginName} (id ${u.id}, ${u.role})`));
      }),
    );
  usersCmd
    .command("list")
    .alias("ls")
    .addOption(tailnetOpt())
    .addOption(outputOption())
    .description("list users: ID | Name | Created, with their devices, role and status")
    .action(
      verb(config, async (api, o) => {
        printList(o.output, await users(api), ["ID", "Name", "Created", "Devices", "Role", "Status"], (u) => [
          u.id,
          u.loginName,
          shortTime(u.created),
          u.deviceCount,
          u.role,
          u.status,
        ]);
      }),
    );
  usersCmd
    .command("rename")
    .argument("<old>", "the user: name, login name or id")
    .argument("<new>", "the new login name")
    .addOption(tailnetOpt())
    .addOption(outputOption())
    .description("rename a user")
    .action(
      verb(config, async (api, o, [from, to]) => {
        const u = await userNamed(api, from!);
        const renamed = await api.post<WireUser>(`/api/v2/users/${u.id}/rename`, { loginName: to });
        printValue(o.output, renamed, () => out(`User renamed: ${u.loginName} is now ${renamed.loginName}`));
      }),
    );
  usersCmd
    .command("destroy")
    .alias("delete")
    .argument("<name>", "the user: name, login name or id")
    .option("--force", "do not ask for confirmation (needed when there is no terminal)")
    .addOption(tailnetOpt())
    .description("delete a user with their personal devices, API keys and pre-auth keys (cannot be undone)")
    .action(
      verb(config, async (api, o, [name]) => {
        const u = await userNamed(api, name!);
        if (!o.force) {
          if (!process.stdin.isTTY) throw new ApiError(0, `refusing to delete user ${u.loginName} without confirmation: run it on a terminal, or add --force`);
          err(`Warning: This will delete user '${u.loginName}' and all associated data`);
          if (!(await confirm("Are you sure? (yes/no): "))) {
            err("Aborted: nothing was deleted");
            process.exitCode = 1;
            return;
          }
        }
        await api.post(`/api/v2/users/${u.id}/delete`);
        out(`User destroyed: ${u.loginName} (with ${u.deviceCount} personal device${u.deviceCount === 1 ? "" : "s"} and their keys)`);
      }),
    );
  for (const [name, what] of [
    ["suspend", "suspend a user: their API keys and personal devices stop working until restored"],
    ["restore", "restore a suspended user"],
    ["approve", "approve a user waiting for approval"],
  ] as const) {
    usersCmd
      .command(name)
      .argument("<name>", "the user: name, login name or id")
      .addOption(tailnetOpt())
      .description(what)
      .action(
        verb(config, async (api, _o, [ref]) => {
          const u = await userNamed(api, ref!);
          await api.post(`/api/v2/users/${u.id}/${name}`);
          out(`User ${u.loginName}: ${name === "suspend" ? "suspended" : name === "restore" ? "restored" : "approved"}`);
        }),
      );
  }
  usersCmd
    .command("role")
    .argument("<name>", "the user: name, login name or id")
    .argument("<role>", `the new role: ${ROLES.join(", ")}`)
    .addOption(tailnetOpt())
    .description("change a user's role")
    .action(
      verb(config, async (api, _o, [ref, role]) => {
        const u = await userNamed(api, ref!);
        await api.post(`/api/v2/users/${u.id}/role`, { role });
        out(`User ${u.loginName}: role ${role}`);
      }),
    );

  // ---------------------------------------------------------------- pre-auth keys
  const keysCmd = program.command("preauthkeys").alias("preauthkey").description("manage pre-auth keys (auth keys), per user");
  keysCmd
    .command("create")
    .option("-u, --user <user>", "the user whose devices it registers (name, login name or id)")
    .option("--reusable", "usable for more than one device (default: single use)")
    .option("--ephemeral", "devices it registers are ephemeral")
    .addOption(new Option("-e, --expiration <duration>", "lifetime, such as 1h, 24h or 90d").argParser(durationOption).default(3600, "1h"))
    .option("--tags <tags>", "tags for its devices, comma-separated (repeatable): a tagged key", collect)
    .option("--description <text>", "description", "")
    .addOption(tailnetOpt())
    .addOption(outputOption())
    .description("create a pre-auth key; prints it (shown once)")
    .action(
      verb(config, async (api, o) => {
        const k = await api.post<WireAuthKey>(api.tailnetPath("/auth-keys"), {
          user: o.user,
          reusable: Boolean(o.reusable),
          ephemeral: Boolean(o.ephemeral),
          tags: o.tags ?? [],
          expirySeconds: o.expiration,
          description: o.description,
        });
        printValue(o.output, k, () => {
          err(`created pre-auth key ${k.id} for ${k.user ?? TAGGED_DEVICES}, ${k.capabilities!.devices.create.reusable ? "reusable" : "single use"}, expires ${shortTime(k.expires)} UTC:`);
          out(k.key!);
        });
      }),
    );
  keysCmd
    .command("list")
    .alias("ls")
    .option("-u, --user <user>", "only this user's keys")
    .addOption(tailnetOpt())
    .addOption(outputOption())
    .description("list pre-auth keys in every state (never their secrets)")
    .action(
      verb(config, async (api, o) => {
        const keys = (await api.get<{ keys: WireAuthKey[] }>(api.tailnetPath("/auth-keys"), { user: o.user })).keys;
        printList(o.output, keys, ["ID", "User", "Reusable", "Ephemeral", "Used", "Expiration", "Created", "Tags", "State"], (k) => {
          const c = k.capabilities!.devices.create;
          const state = k.revoked ? "revoked" : k.invalid ? "expired" : !c.reusable && k.uses > 0 ? "used" : "active";
          return [k.id, k.user ?? TAGGED_DEVICES, c.reusable, c.ephemeral, k.uses > 0, shortTime(k.expires), shortTime(k.created), c.tags.join(",") || "-", state];
        });
      }),
    );
  keysCmd
    .command("expire")
    .requiredOption("-k, --key <key>", "the key's id (or the key itself)")
    .option("-u, --user <user>", "the user the key belongs to (checked)")
    .addOption(tailnetOpt())
    .description("expire a pre-auth key now")
    .action(
      verb(config, async (api, o) => {
        const k = await api.post<WireAuthKey>(api.tailnetPath(`/auth-keys/${encodeURIComponent(keyIdOf(o.key))}/expire`), undefined, { user: o.user });
        out(`Expired pre-auth key ${k.id}`);
      }),
    );

  // ---------------------------------------------------------------- nodes
  const nodes = program.command("nodes").alias("node").description("manage nodes (devices)");
  const identifier = () => new Option("-i, --identifier <id>", "the node's ID (or nodeId)").makeOptionMandatory();
  nodes
    .command("list")
    .alias("ls")
    .option("-u, --user <user>", `only this user's personal nodes (or ${TAGGED_DEVICES})`)
    .option("--tags", "list tagged nodes only")
    .addOption(tailnetOpt())
    .addOption(outputOption())
    .description("list nodes: ID | Hostname | Name | User | IP addresses | Tags | Online | Expiry")
    .action(
      verb(config, async (api, o) => {
        let devices = (await api.get<{ devices: WireDevice[] }>(api.tailnetPath("/devices"), { fields: "all" })).devices;
        const owner = (d: WireDevice) => (d.tags?.length ? TAGGED_DEVICES : d.user);
        if (o.user === TAGGED_DEVICES || o.tags) devices = devices.filter((d) => d.tags?.length);
        else if (o.user) {
          const u = await userNamed(api, o.user);
          devices = devices.filter((d) => !d.tags?.length && d.user.toLowerCase() === u.loginName.toLowerCase());
        }
        printList(o.output, devices, ["ID", "Hostname", "Name", "User", "IP addresses", "Tags", "Online", "Expiry"], (d) => [
          d.id,
          d.hostname,
          d.name.split(".")[0]!,
          owner(d),
          d.addresses.join(", "),
          d.tags?.join(",") || "-",
          d.connectedToControl ? "online" : "offline",
          d.keyExpiryDisabled ? "never" : Date.parse(d.expires) <= Date.now() ? "expired" : shortTime(d.expires),
        ]);
      }),
    );
  nodes
    .command("register")
    .requiredOption("-u, --user <user>", "the user who will own the node")
    .requiredOption("-k, --key <key>", "the registration key the node's authUrl page shows")
    .addOption(tailnetOpt())
    .addOption(outputOption())
    .description("approve a node's web registration (tailscale up without an auth key)")
    .action(
      verb(config, async (api, o) => {
        const key = String(o.key).trim().replace(/^.*\/register\//, "");
        const d = await api.post<WireDevice>(api.tailnetPath(`/registrations/${encodeURIComponent(key)}/approve`), { user: o.user });
        printValue(o.output, d, () => out(`Node ${d.name.split(".")[0]} registered (ID ${d.id}, owner ${d.tags?.length ? `${TAGGED_DEVICES}, tags ${d.tags.join(",")}` : d.user})`));
      }),
    );
  nodes
    .command("delete")
    .addOption(identifier())
    .addOption(tailnetOpt())
    .description("delete a node")
    .action(
      verb(config, async (api, o) => {
        await api.request("DELETE", `/api/v2/device/${encodeURIComponent(o.identifier)}`);
        out(`Node ${o.identifier} deleted`);
      }),
    );
  nodes
    .command("expire")
    .addOption(identifier())
    .addOption(tailnetOpt())
    .description("expire a node's key now: it must register again")
    .action(
      verb(config, async (api, o) => {
        await api.post(`/api/v2/device/${encodeURIComponent(o.identifier)}/expire`);
        out(`Node ${o.identifier} expired`);
      }),
    );
  nodes
    .command("rename")
    .addOption(identifier())
    .argument("[name]", "the new name (a DNS label); none resets it to the hostname's")
    .addOption(tailnetOpt())
    .description("rename a node")
    .action(
      verb(config, async (api, o, [name]) => {
        await api.post(`/api/v2/device/${encodeURIComponent(o.identifier)}/name`, { name: name ?? "" });
        out(`Node ${o.identifier} renamed${name ? ` to ${name}` : ""}`);
      }),
    );
  nodes
    .command("tag")
    .addOption(identifier())
    .option("-t, --tags <tags>", "the node's tags, comma-separated (repeatable; replaces them all; none removes every tag)", collect)
    .addOption(tailnetOpt())
    .description("set a node's tags")
    .action(
      verb(config, async (api, o) => {
        await api.post(`/api/v2/device/${encodeURIComponent(o.identifier)}/tags`, { tags: o.tags ?? [] });
        out(`Node ${o.identifier} tags: ${(o.tags ?? []).join(",") || "none"}`);
      }),
    );
  const routes = nodes.command("routes").description("subnet routes of nodes");
  routes
    .command("list")
    .alias("ls")
    .option("-i, --identifier <id>", "only this node")
    .addOption(tailnetOpt())
    .addOption(outputOption())
    .description("list advertised and approved routes")
    .action(
      verb(config, async (api, o) => {
        const devices = o.identifier
          ? [await api.get<WireDevice>(`/api/v2/device/${encodeURIComponent(o.identifier)}`, { fields: "all" })]
          : (await api.get<{ devices: WireDevice[] }>(api.tailnetPath("/devices"), { fields: "all" })).devices.filter(
              (d) => d.advertisedRoutes?.length || d.enabledRoutes?.length,
            );
        printList(o.output, devices, ["ID", "Hostname", "Advertised", "Approved"], (d) => [
          d.id,
          d.hostname,
          d.advertisedRoutes?.join(",") || "-",
          d.enabledRoutes?.join(",") || "-",
        ]);
      }),
    );
  routes
    .command("approve")
    .addOption(identifier())
    .option("-r, --routes <routes>", "the routes to approve, comma-separated (repeatable; replaces the approved list; none approves none)", collect)
    .addOption(tailnetOpt())
    .description("approve a node's routes")
    .action(
      verb(config, async (api, o) => {
        const r = await api.post<{ enabledRoutes: string[] }>(`/api/v2/device/${encodeURIComponent(o.identifier)}/routes`, { routes: o.routes ?? [] });
        out(`Node ${o.identifier} approved routes: ${r.enabledRoutes.join(",") || "none"}`);
      }),
    );

  // ---------------------------------------------------------------- policy
  const policy = program.command("policy").description("the tailnet policy file");
  policy
    .command("get")
    .addOption(tailnetOpt())
    .description("print the policy file (HuJSON, as stored)")
    .action(
      verb(config, async (api) => {
        process.stdout.write((await api.request("GET", api.tailnetPath("/acl"), { accept: "application/hujson" })).text);
      }),
    );
  policy
    .command("set")
    .requiredOption("-f, --file <file>", "the policy file (HuJSON or JSON)")
    .addOption(tailnetOpt())
    .description("replace the policy file (its tests must pass)")
    .action(
      verb(config, async (api, o) => {
        const text = await readFile(o.file, "utf8");
        if (text.trim() === "") throw new ApiError(0, `${o.file} is empty`);
        await api.request("POST", api.tailnetPath("/acl"), { text, contentType: "application/hujson" });
        out("Policy updated");
      }),
    );
  policy
    .command("check")
    .requiredOption("-f, --file <file>", "the policy file (HuJSON or JSON)")
    .addOption(tailnetOpt())
    .description("check a policy file and run its tests, without saving it")
    .action(
      verb(config, async (api, o) => {
        const text = await readFile(o.file, "utf8");
        const r = (await api.request("POST", api.tailnetPath("/acl/validate"), { text, contentType: "application/hujson" })).body as
          | { message?: string; data?: unknown[] }
          | undefined;
        if (r?.message) throw new ApiError(400, r.message, r.data);
        out("Policy is valid");
      }),
    );

  // ---------------------------------------------------------------- invites
  const invites = program.command("invites").alias("invite").description("user invites");
  invites
    .command("create")
    .addOption(new Option("--role <role>", "the invited user's role").choices(ROLES.filter((r) => r !== "owner")).default("member"))
    .option("--email <email>", "who it is for (tailapi sends no mail)")
    .addOption(tailnetOpt())
    .addOption(outputOption())
    .description("create an invite; prints its URL (shown once)")
    .action(
      verb(config, async (api, o) => {
        const [i] = await api.post<{ id: string; role: string; inviteUrl: string }[]>(api.tailnetPath("/user-invites"), [{ role: o.role, email: o.email }]);
        printValue(o.output, i, () => {
          err(`created invite ${i!.id} (${i!.role}); whoever holds this URL may join, once:`);
          out(i!.inviteUrl);
        });
      }),
    );
  invites
    .command("list")
    .alias("ls")
    .addOption(tailnetOpt())
    .addOption(outputOption())
    .description("list open invites")
    .action(
      verb(config, async (api, o) => {
        const list = await api.get<{ id: string; role: string; email: string; inviterId?: number; lastEmailSentAt?: string }[]>(api.tailnetPath("/user-invites"));
        printList(o.output, list, ["ID", "Role", "Email", "Inviter", "Last sent"], (i) => [i.id, i.role, i.email || "-", i.inviterId ?? "-", shortTime(i.lastEmailSentAt)]);
      }),
    );
  invites
    .command("delete")
    .argument("<id>", "the invite's id")
    .addOption(tailnetOpt())
    .description("delete an invite: its URL stops working")
    .action(
      verb(config, async (api, _o, [id]) => {
        await api.request("DELETE", `/api/v2/user-invites/${encodeURIComponent(id!)}`);
        out(`Invite ${id} deleted`);
      }),
    );
  invites
    .command("accept")
    .argument("<invite>", "the invite's URL (or the code in it)")
    .option("--login-name <name>", "your login name (default: the invite's email)")
    .option("--display-name <name>", "your display name")
    .addOption(tailnetOpt())
    .addOption(outputOption())
    .description("join a tailnet through an invite; prints your first API key (shown once)")
    .action(
      verb(config, async (api, o, [invite]) => {
        const r = await api.post<{ user: WireUser; apiKey: string }>("/api/v2/user-invites/-/accept", {
          invite,
          loginName: o.loginName,
          displayName: o.displayName,
        });
        printValue(o.output, r, () => {
          err(`Welcome, ${r.user.loginName} (${r.user.role}). Your API key (shown once):`);
          out(r.apiKey);
        });
      }),
    );

  // ---------------------------------------------------------------- import / export
  program
    .command("import")
    .argument("<files...>", "files as Tailscale's API answers them: users, devices (fields=all), keys (JSON), the policy file (HuJSON); or directories of them")
    .addOption(tailnetOpt())
    .description("load a real tailnet's answers into a tailnet, all or nothing")
    .action(
      verb(config, async (api, _o, [files]) => {
        const read = await readFilesOf(files as unknown as string[]).catch((e: Error) => {
          throw new ApiError(0, e.message);
        });
        const bundle = bundleFromFiles(read);
        const s = await api.post<{ users: number; devices: number; keys: number; policy: boolean }>(api.tailnetPath("/import"), bundle);
        out(`Imported ${s.users} users, ${s.devices} devices, ${s.keys} keys${s.policy ? " and the policy file" : ""}`);
      }),
    );
  program
    .command("export")
    .option("-d, --dir <dir>", "where to write users.json, devices.json, keys.json and policy.hujson", ".")
    .addOption(tailnetOpt())
    .description("write a tailnet as Tailscale's API answers it (what import reads)")
    .action(
      verb(config, async (api, o) => {
        const files: [string, string][] = [
          ["users.json", JSON.stringify(await api.get(api.tailnetPath("/users"), { type: "all" }), null, 2) + "\n"],
          ["devices.json", JSON.stringify(await api.get(api.tailnetPath("/devices"), { fields: "all" }), null, 2) + "\n"],
          ["keys.json", JSON.stringify(await api.get(api.tailnetPath("/keys"), { all: "true" }), null, 2) + "\n"],
          ["policy.hujson", (await api.request("GET", api.tailnetPath("/acl"), { accept: "application/hujson" })).text],
        ];
        await mkdir(o.dir, { recursive: true });
        for (const [name, text] of files) await writeFile(path.join(o.dir, name), text);
        out(`Exported to ${o.dir}: ${files.map(([n]) => n).join(", ")}`);
      }),
    );
}
