import { Command, InvalidArgumentError, Option } from "commander";
import { loadConfig, ConfigError, type Config } from "./config.js";
import { openDatabase, type Database } from "./db/index.js";
import { listKeys, revokeKey } from "./db/keys.js";
import { findTailnetByName, listTailnets, TailnetExistsError, type Tailnet } from "./db/tailnets.js";
import { createUser, findUserByLogin, listUsers, UserExistsError } from "./db/users.js";
import { BootstrapError, createTailnetWithKey } from "./domain/bootstrap.js";
import { clientSpecProblem, createApiKey, createOAuthClient, DAY, MAX_KEY_EXPIRY_SECONDS } from "./domain/keys.js";
import { TAG_PATTERN } from "./routes/keys/wire.js";
import { rfc3339, parseDuration } from "./lib/time.js";
import { startServer } from "./server.js";

/** A failure the user can fix: printed without a stack trace, exit status 1. */
class CliError extends Error {}

function expiryOption(value: string): number {
  const s = parseDuration(value);
  if (s === undefined || s < DAY || s > MAX_KEY_EXPIRY_SECONDS) {
    throw new InvalidArgumentError("must be a duration from 1d to 90d, such as 30d or 48h");
  }
  return s;
}

async function withDb<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(config);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function tailnetOrFail(db: Database, name: string): Promise<Tailnet> {
  const t = await findTailnetByName(db.sql, name);
  if (!t) throw new CliError(`tailnet ${name} does not exist (start the server once, or run: tailapi tailnets create ${name})`);
  return t;
}

const err = (line: string) => process.stderr.write(line + "\n");

/** Runs `fn` with the database and the named tailnet (default: $TAILAPI_TAILNET). */
async function withTailnet<T>(config: Config, name: string | undefined, fn: (db: Database, t: Tailnet) => Promise<T>): Promise<T> {
  return withDb(config, async (db) => fn(db, await tailnetOrFail(db, name ?? config.defaultTailnet)));
}

export function buildCli(config: () => Config): Command {
  const program = new Command("tailapi")
    .description("A self-hosted server that speaks Tailscale's public v2 REST API.")
    .showHelpAfterError();

  program
    .command("serve")
    .description("start the API server (the embedded database unless DATABASE_URL is set)")
    .action(async () => {
      const server = await startServer(config());
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
          () => process.exit(0),
          (e) => {
            err(String(e));
            process.exit(1);
          },
        );
      };
      process.on("SIGINT", () => stop("SIGINT"));
      process.on("SIGTERM", () => stop("SIGTERM"));
    });

  const tailnets = program.command("tailnets").description("manage tailnets");
  tailnets
    .command("create")
    .argument("<name>", "tailnet name, e.g. example.com")
    .description("create a tailnet with an owner user; prints its first API key (shown once)")
    .addOption(new Option("--expiry <duration>", "lifetime of the first API key (1d to 90d)").argParser(expiryOption).default(MAX_KEY_EXPIRY_SECONDS, "90d"))
    .action(async (name: string, opts: { expiry: number }) => {
      if (!/^[A-Za-z0-9@._-]+$/.test(name) || name === "-") throw new CliError(`invalid tailnet name: ${name}`);
      await withDb(config(), async (db) => {
        try {
          const r = await createTailnetWithKey(db.sql, name, new Date(), opts.expiry);
          err(`created tailnet ${r.tailnet.name} (DNS suffix ${r.tailnet.dnsSuffix}) with owner ${r.owner.loginName}; its API key:`);
          process.stdout.write(r.apiKey + "\n");
        } catch (e) {
          if (e instanceof TailnetExistsError) throw new CliError(e.message);
          throw e;
        }
      });
    });
  tailnets
    .command("list")
    .description("list tailnets")
    .action(async () => {
      await withDb(config(), async (db) => {
        for (const t of await listTailnets(db.sql)) process.stdout.write(`${t.name}\t${t.dnsSuffix}\n`);
      });
    });

  const tailnetOpt = () => new Option("--tailnet <name>", "tailnet (default: $TAILAPI_TAILNET)");

  const users = program.command("users").description("manage users");
  users
    .command("create")
    .argument("<login>", "login name, e.g. alice@example.com")
    .addOption(tailnetOpt())
    .addOption(new Option("--role <role>", "role").choices(["owner", "admin", "member"]).default("member"))
    .description("create a user")
    .action(async (login: string, opts: { tailnet?: string; role: "owner" | "admin" | "member" }) => {
      await withTailnet(config(), opts.tailnet, async (db, t) => {
        try {
          const u = await createUser(db.sql, t.tailnetId, { loginName: login, role: opts.role });
          process.stdout.write(`${u.userId}\t${u.loginName}\t${u.role}\n`);
        } catch (e) {
          if (e instanceof UserExistsError) throw new CliError(e.message);
          throw e;
        }
      });
    });
  users
    .command("list")
    .addOption(tailnetOpt())
    .description("list users")
    .action(async (opts: { tailnet?: string }) => {
      await withTailnet(config(), opts.tailnet, async (db, t) => {
        for (const u of await listUsers(db.sql, t.tailnetId)) process.stdout.write(`${u.userId}\t${u.loginName}\t${u.role}\n`);
      });
    });

  const apikeys = program.command("apikeys").description("manage API access tokens");
  apikeys
    .command("create")
    .addOption(tailnetOpt())
    .addOption(new Option("--user <login>", "owning user (default: the tailnet's owner)"))
    .addOption(new Option("--expiry <duration>", "lifetime (1d to 90d)").argParser(expiryOption).default(MAX_KEY_EXPIRY_SECONDS, "90d"))
    .addOption(new Option("--description <text>", "description").default(""))
    .description("create an API access token; prints it (shown once)")
    .action(async (opts: { tailnet?: string; user?: string; expiry: number; description: string }) => {
      await withTailnet(config(), opts.tailnet, async (db, t) => {
        const user = opts.user
          ? await findUserByLogin(db.sql, t.tailnetId, opts.user)
          : (await listUsers(db.sql, t.tailnetId)).find((u) => u.role === "owner");
        if (!user) throw new CliError(opts.user ? `no user ${opts.user} in tailnet ${t.name}` : `tailnet ${t.name} has no owner`);
        const { row, secret } = await createApiKey(db.sql, t.tailnetId, user.userId, { expirySeconds: opts.expiry, description: opts.description }, new Date());
        err(`created API key ${row.keyId} for ${user.loginName} in ${t.name}, expires ${rfc3339(row.expiresAt!)}:`);
        process.stdout.write(secret + "\n");
      });
    });
  apikeys
    .command("list")
    .addOption(tailnetOpt())
    .description("list API access tokens (never their secrets)")
    .action(async (opts: { tailnet?: string }) => {
      await withTailnet(config(), opts.tailnet, async (db, t) => {
        const now = Date.now();
        const rows = await listKeys(db.sql, t.tailnetId, ["api"]);
        const users = new Map((await listUsers(db.sql, t.tailnetId)).map((u) => [u.userId, u.loginName]));
        process.stdout.write("ID\tUSER\tCREATED\tEXPIRES\tSTATE\tDESCRIPTION\n");
        for (const k of rows) {
          const state = k.revokedAt ? "revoked" : k.expiresAt && k.expiresAt.getTime() <= now ? "expired" : "active";
          process.stdout.write(
            `${k.keyId}\t${users.get(k.userId ?? "") ?? "-"}\t${rfc3339(k.createdAt)}\t${k.expiresAt ? rfc3339(k.expiresAt) : "-"}\t${state}\t${k.description}\n`,
          );
        }
      });
    });
  apikeys
    .command("revoke")
    .argument("<id>", "key id (k…CNTRL)")
    .addOption(tailnetOpt())
    .description("revoke an API access token")
    .action(async (id: string, opts: { tailnet?: string }) => {
      await withTailnet(config(), opts.tailnet, async (db, t) => {
        const keys = await listKeys(db.sql, t.tailnetId, ["api"]);
        if (!keys.some((k) => k.keyId === id)) throw new CliError(`no API key ${id} in tailnet ${t.name}`);
        await revokeKey(db.sql, t.tailnetId, id, new Date());
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
      const scopes = [...new Set(opts.scopes.split(/[\s,]+/).filter(Boolean))];
      const tags = [...new Set(opts.tags.split(/[\s,]+/).filter(Boolean))];
      const badTag = tags.find((t) => !TAG_PATTERN.test(t));
      if (badTag) throw new CliError(`invalid tag ${badTag}: tags look like tag:name`);
      const problem = clientSpecProblem(scopes, tags);
      if (problem) throw new CliError(problem);
      await withTailnet(config(), opts.tailnet, async (db, t) => {
        const owner = (await listUsers(db.sql, t.tailnetId)).find((u) => u.role === "owner");
        if (!owner) throw new CliError(`tailnet ${t.name} has no owner`);
        const { row, secret } = await createOAuthClient(db.sql, t.tailnetId, { userId: owner.userId }, { scopes, tags, description: opts.description }, new Date());
        err(`created OAuth client ${row.keyId} in ${t.name} (scopes ${row.scopes.join(" ")}${row.tags.length ? `; tags ${row.tags.join(" ")}` : ""}):`);
        process.stdout.write(`OAUTH_CLIENT_ID=${row.keyId}\nOAUTH_CLIENT_SECRET=${secret}\n`);
      });
    });
  clients
    .command("list")
    .addOption(tailnetOpt())
    .description("list OAuth clients (never their secrets)")
    .action(async (opts: { tailnet?: string }) => {
      await withTailnet(config(), opts.tailnet, async (db, t) => {
        process.stdout.write("ID\tCREATED\tSTATE\tSCOPES\tTAGS\tDESCRIPTION\n");
        for (const k of await listKeys(db.sql, t.tailnetId, ["client"])) {
          process.stdout.write(`${k.keyId}\t${rfc3339(k.createdAt)}\t${k.revokedAt ? "deleted" : "active"}\t${k.scopes.join(",")}\t${k.tags.join(",")}\t${k.description}\n`);
        }
      });
    });
  clients
    .command("delete")
    .argument("<id>", "client id (k…CNTRL)")
    .addOption(tailnetOpt())
    .description("delete an OAuth client; its access tokens stop working within a second")
    .action(async (id: string, opts: { tailnet?: string }) => {
      await withTailnet(config(), opts.tailnet, async (db, t) => {
        const keys = await listKeys(db.sql, t.tailnetId, ["client"]);
        if (!keys.some((k) => k.keyId === id)) throw new CliError(`no OAuth client ${id} in tailnet ${t.name}`);
        await revokeKey(db.sql, t.tailnetId, id, new Date());
        err(`deleted ${id}`);
      });
    });
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  let cached: Config | undefined;
  const config = () => (cached ??= loadConfig());
  try {
    await buildCli(config).parseAsync(argv);
  } catch (e) {
    if (e instanceof CliError || e instanceof ConfigError || e instanceof BootstrapError) {
      err(`tailapi: ${e.message}`);
    } else {
      err(`tailapi: ${(e as Error)?.stack ?? String(e)}`);
    }
    process.exit(1);
  }
}

await main();
