import { Command, InvalidArgumentError, Option } from "commander";
import { loadConfig, ConfigError, type Config } from "./config.js";
import type { Actor } from "./domain/actor.js";
import { BootstrapError } from "./domain/bootstrap.js";
import type { Deps } from "./domain/deps.js";
import { createApiKey, createOAuthClient, DAY, listKeysOfType, MAX_KEY_EXPIRY_SECONDS, revokeKey } from "./domain/keys.js";
import { createTailnetWithKey, listTailnets, operatorOf } from "./domain/tailnets.js";
import { backup, restore } from "./domain/backups.js";
import { listUsers } from "./domain/users.js";
import { DomainError } from "./lib/errors.js";
import { rfc3339, parseDuration } from "./lib/time.js";
import { withRuntime } from "./runtime.js";
import cluster from "node:cluster";
import { startPrimary, WORKER_READY } from "./cluster.js";
import { startServer, StartError } from "./server.js";
import { addAdminCommands } from "./cli/admin.js";
import { ApiError } from "./cli/client.js";

/**
 * The `tailapi` command. The administration verbs (users, preauthkeys,
 * nodes, policy, invites, import, export: src/cli/admin.ts) are calls of
 * tailapi's HTTP API, made in-process on the local database as the
 * operator, or to a remote server with --server/TAILAPI_URL and
 * TAILAPI_API_KEY. The operator's own verbs (tailnets, apikeys,
 * oauth-clients) open the local database and call the domain layer, acting
 * as the tailnet's owner.
 */

function expiryOption(value: string): number {
  const s = parseDuration(value);
  if (s === undefined || s < DAY || s > MAX_KEY_EXPIRY_SECONDS) {
    throw new InvalidArgumentError("must be a duration from 1d to 90d, such as 30d or 48h");
  }
  return s;
}

const list = (text: string) => [...new Set(text.split(/[\s,]+/).filter(Boolean))];
const out = (line: string) => process.stdout.write(line + "\n");
const err = (line: string) => process.stderr.write(line + "\n");

const withDeps = <T>(config: Config, fn: (d: Deps) => Promise<T>): Promise<T> => withRuntime(config, (d) => fn(d));

/** Runs `fn` as the operator of the named tailnet (default: $TAILAPI_TAILNET). */
async function asOperator<T>(config: Config, tailnet: string | undefined, fn: (d: Deps, actor: Actor) => Promise<T>): Promise<T> {
  return withDeps(config, async (d) => fn(d, await operatorOf(d, tailnet ?? config.defaultTailnet)));
}

export function buildCli(config: () => Config): Command {
  const program = new Command("tailapi")
    .description("A self-hosted server that speaks Tailscale's public v2 REST API.")
    .option("--server <url>", "administration verbs call this tailapi server (with $TAILAPI_API_KEY) instead of the local database (default: $TAILAPI_URL)")
    .showHelpAfterError();

  program
    .command("serve")
    .description("start the API server (the embedded database unless DATABASE_URL is set)")
    .action(async () => {
      const cfg = config();
      // TAILAPI_WORKERS > 1: this process is the primary (it serves no requests itself), or one of its workers.
      const server = cfg.workers > 1 && cluster.isPrimary ? await startPrimary(cfg) : await startServer(cfg);
      if (cluster.isWorker) process.send?.(WORKER_READY);
      let signals = 0;
      const stop = (sig: string) => {
        if (++signals > 1) {
          err(`${sig} again: exiting now`);
          process.exit(1);
        }
        const force = setTimeout(() => {
          err("shutdown took more than 20 s: exiting");
          process.exit(1);
        }, 20_000);
        force.unref();
        server.shutdown().then(
          (code) => process.exit(typeof code === "number" ? code : 0),
          (e) => {
            err(String(e));
            process.exit(1);
          },
        );
      };
      // A worker's Ctrl-C comes through its primary (as SIGTERM), which drains every worker.
      process.on("SIGINT", () => (cluster.isWorker ? undefined : stop("SIGINT")));
      process.on("SIGTERM", () => stop("SIGTERM"));
    });

  const tailnets = program.command("tailnets").description("manage tailnets");
  tailnets
    .command("create")
    .argument("<name>", "tailnet name, e.g. example.com")
    .description("create a tailnet with an owner user; prints its first API key (shown once)")
    .addOption(new Option("--expiry <duration>", "lifetime of the first API key (1d to 90d)").argParser(expiryOption).default(MAX_KEY_EXPIRY_SECONDS, "90d"))
    .action(async (name: string, opts: { expiry: number }) => {
      await withDeps(config(), async (d) => {
        const r = await createTailnetWithKey(d, name, opts.expiry);
        err(`created tailnet ${r.tailnet.name} (DNS suffix ${r.tailnet.dnsSuffix}) with owner ${r.owner.loginName}; its API key:`);
        out(r.apiKey);
      });
    });
  tailnets
    .command("list")
    .description("list tailnets")
    .action(async () => {
      await withDeps(config(), async (d) => {
        for (const t of await listTailnets(d)) out(`${t.name}\t${t.dnsSuffix}`);
      });
    });

  const tailnetOpt = () => new Option("--tailnet <name>", "tailnet (default: $TAILAPI_TAILNET)");

  addAdminCommands(program, config);

  const apikeys = program.command("apikeys").description("manage API access tokens");
  apikeys
    .command("create")
    .addOption(tailnetOpt())
    .addOption(new Option("--user <login>", "owning user (default: the tailnet's owner)"))
    .addOption(new Option("--expiry <duration>", "lifetime (1d to 90d)").argParser(expiryOption).default(MAX_KEY_EXPIRY_SECONDS, "90d"))
    .addOption(new Option("--description <text>", "description").default(""))
    .description("create an API access token; prints it (shown once)")
    .action(async (opts: { tailnet?: string; user?: string; expiry: number; description: string }) => {
      await asOperator(config(), opts.tailnet, async (d, actor) => {
        const { row, secret, loginName } = await createApiKey(d, actor, { userLogin: opts.user, expirySeconds: opts.expiry, description: opts.description });
        err(`created API key ${row.keyId} for ${loginName} in ${actor.tailnetName}, expires ${rfc3339(row.expiresAt!)}:`);
        out(secret);
      });
    });
  apikeys
    .command("list")
    .addOption(tailnetOpt())
    .description("list API access tokens (never their secrets)")
    .action(async (opts: { tailnet?: string }) => {
      await asOperator(config(), opts.tailnet, async (d, actor) => {
        const now = d.clock.now().getTime();
        const logins = new Map((await listUsers(d, actor)).map((u) => [u.userId, u.loginName]));
        out("ID\tUSER\tCREATED\tEXPIRES\tSTATE\tDESCRIPTION");
        for (const k of await listKeysOfType(d, actor, "api")) {
          const state = k.revokedAt ? "revoked" : k.expiresAt && k.expiresAt.getTime() <= now ? "expired" : "active";
          out(`${k.keyId}\t${logins.get(k.userId ?? "") ?? "-"}\t${rfc3339(k.createdAt)}\t${k.expiresAt ? rfc3339(k.expiresAt) : "-"}\t${state}\t${k.description}`);
        }
      });
    });
  apikeys
    .command("revoke")
    .argument("<id>", "key id (k…CNTRL)")
    .addOption(tailnetOpt())
    .description("revoke an API access token")
    .action(async (id: string, opts: { tailnet?: string }) => {
      await asOperator(config(), opts.tailnet, async (d, actor) => {
        await revokeKey(d, actor, id, "api").catch(renameNotFound(`no API key ${id} in tailnet ${actor.tailnetName}`));
        err(`revoked ${id}`);
      });
    });

  const clients = program.command("oauth-clients").description("manage OAuth clients");
  clients
    .command("create")
    .addOption(tailnetOpt())
    .requiredOption("--scopes <scopes>", "comma- or space-separated scopes, e.g. devices:core,auth_keys")
    .addOption(new Option("--tags <tags>", "comma- or space-separated tags the client may apply, e.g. tag:ci").default(""))
    .addOption(new Option("--description <text>", "description").default(""))
    .description("create an OAuth client; prints its id and secret (the secret is shown once)")
    .action(async (opts: { tailnet?: string; scopes: string; tags: string; description: string }) => {
      await asOperator(config(), opts.tailnet, async (d, actor) => {
        const { row, secret } = await createOAuthClient(d, actor, { scopes: list(opts.scopes), tags: list(opts.tags), description: opts.description });
        err(`created OAuth client ${row.keyId} in ${actor.tailnetName} (scopes ${row.scopes.join(" ")}${row.tags.length ? `; tags ${row.tags.join(" ")}` : ""}):`);
        out(`OAUTH_CLIENT_ID=${row.keyId}\nOAUTH_CLIENT_SECRET=${secret}`);
      });
    });
  clients
    .command("list")
    .addOption(tailnetOpt())
    .description("list OAuth clients (never their secrets)")
    .action(async (opts: { tailnet?: string }) => {
      await asOperator(config(), opts.tailnet, async (d, actor) => {
        out("ID\tCREATED\tSTATE\tSCOPES\tTAGS\tDESCRIPTION");
        for (const k of await listKeysOfType(d, actor, "client")) {
          out(`${k.keyId}\t${rfc3339(k.createdAt)}\t${k.revokedAt ? "deleted" : "active"}\t${k.scopes.join(",")}\t${k.tags.join(",")}\t${k.description}`);
        }
      });
    });
  clients
    .command("delete")
    .argument("<id>", "client id (k…CNTRL)")
    .addOption(tailnetOpt())
    .description("delete an OAuth client; its access tokens stop working within a second")
    .action(async (id: string, opts: { tailnet?: string }) => {
      await asOperator(config(), opts.tailnet, async (d, actor) => {
        await revokeKey(d, actor, id, "client").catch(renameNotFound(`no OAuth client ${id} in tailnet ${actor.tailnetName}`));
        err(`deleted ${id}`);
      });
    });
  program
    .command("backup")
    .argument("<file>", "where to write the backup")
    .description("back up the whole database (every tailnet) to FILE, in one consistent snapshot; works while servers run")
    .action(async (file: string) => {
      await withRuntime(config(), async (d) => {
        const h = await backup(d, file);
        const rows = Object.values(h.tables).reduce((a, b) => a + b, 0);
        err(`backed up ${rows} rows of ${Object.keys(h.tables).length} tables (${h.server}, schema ${h.migrations.at(-1)}) to ${file}`);
      });
    });
  program
    .command("restore")
    .argument("<file>", "a file written by `tailapi backup`")
    .description("replace the whole database with a backup (stop the servers first); a backup from an older version is migrated")
    .action(async (file: string) => {
      const c = config();
      await withRuntime(c, async (d, db) => {
        const r = await restore(d, db, file, c.dataDir);
        const rows = Object.values(r.tables).reduce((a, b) => a + b, 0);
        err(`restored ${rows} rows of ${Object.keys(r.tables).length} tables from ${file} (made ${r.createdAt})${r.migratedAfter.length ? `; then applied ${r.migratedAfter.join(", ")}` : ""}`);
      });
    });
  return program;
}

/** A not-found from the domain, told in the CLI's words. */
function renameNotFound(message: string) {
  return (e: unknown): never => {
    if (e instanceof DomainError && e.kind === "not_found") throw new DomainError("not_found", message);
    throw e;
  };
}

export async function main(argv = process.argv): Promise<void> {
  let cached: Config | undefined;
  const config = () => (cached ??= loadConfig());
  try {
    await buildCli(config).parseAsync(argv);
  } catch (e) {
    // Domain errors, bad configuration and bootstrap problems are the user's to fix: one line, no stack.
    if (e instanceof ApiError) {
      err(`tailapi: ${e.message}`);
      // Failing policy tests: what failed, per source.
      for (const entry of Array.isArray(e.data) ? (e.data as { user?: string; errors?: string[] }[]) : []) {
        for (const line of entry.errors ?? []) err(`  ${entry.user}: ${line}`);
      }
    } else if (e instanceof DomainError || e instanceof ConfigError || e instanceof BootstrapError || e instanceof StartError || (e as NodeJS.ErrnoException)?.code === "ENOENT") {
      err(`tailapi: ${(e as Error).message}`);
    } else {
      err(`tailapi: ${(e as Error)?.stack ?? String(e)}`);
    }
    process.exit(1);
  }
}

await main();
