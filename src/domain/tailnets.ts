import { randomBytes } from "node:crypto";
import { findTailnetByName, insertTailnet, listTailnets as listTailnetRows, type Tailnet } from "../db/tailnets.js";
import type { Queryable } from "../db/sql.js";
import { insertUser, listUsers, type User } from "../db/users.js";
import type { Ids } from "../lib/ids.js";
import { conflict, invalid, notFound } from "../lib/errors.js";
import { cliActor, type Actor } from "./actor.js";
import { audit } from "./audit.js";
import type { Deps } from "./deps.js";
import { insertApiKey, keySummary, keyTarget, MAX_KEY_EXPIRY_SECONDS } from "./keys.js";

export type { Tailnet };

/** Tailnet names: an organisation name (`example.com`) or a login (`alice@example.com`); `-` means "the credential's". */
const NAME = /^[A-Za-z0-9@._-]{1,253}$/;

/** Why a tailnet name is not acceptable, or undefined when it is. */
export function tailnetNameProblem(name: string): string | undefined {
  if (name === "-") return "'-' is reserved for 'the credential's tailnet'";
  if (!NAME.test(name)) return "may contain letters, digits, '@', '.', '_' and '-' only (at most 253 characters)";
  return undefined;
}

/** The login name of a tailnet's first user: `admin@<tailnet>`, or the tailnet itself when it is an email. */
export function firstUserLogin(tailnetName: string): string {
  return tailnetName.includes("@") ? tailnetName : `admin@${tailnetName}`;
}

export function displayNameOf(loginName: string): string {
  return loginName.split("@")[0]!;
}

/** Inserts a tailnet with a MagicDNS suffix in Tailscale's style (`tail1a2b3c.ts.net`); undefined when the name is taken. */
export function insertNewTailnet(db: Queryable, ids: Ids, name: string): Promise<Tailnet | undefined> {
  return insertTailnet(db, { tailnetId: ids.numericId(), name, dnsSuffix: `tail${randomBytes(3).toString("hex")}.ts.net` });
}

export async function insertOwner(db: Queryable, ids: Ids, tailnet: Tailnet): Promise<User> {
  const loginName = firstUserLogin(tailnet.name);
  const owner = await insertUser(db, { tailnetId: tailnet.tailnetId, userId: ids.numericId(), loginName, displayName: displayNameOf(loginName), role: "owner" });
  if (!owner) throw conflict(`user ${loginName} already exists`);
  return owner;
}

/** Creates a tailnet with an owner and a first API key. Returns the key's secret (to be shown once). */
export async function createTailnetWithKey(
  d: Deps,
  name: string,
  expirySeconds = MAX_KEY_EXPIRY_SECONDS,
): Promise<{ tailnet: Tailnet; owner: User; apiKey: string }> {
  const problem = tailnetNameProblem(name);
  if (problem) throw invalid(`invalid tailnet name ${JSON.stringify(name)}: ${problem}`);
  const now = d.clock.now();
  return d.sql.begin(async (tx) => {
    const tailnet = await insertNewTailnet(tx, d.ids, name);
    if (!tailnet) throw conflict(`tailnet ${name} already exists`);
    const owner = await insertOwner(tx, d.ids, tailnet);
    const { row, secret } = await insertApiKey(tx, d.ids, tailnet.tailnetId, owner.userId, { expirySeconds, description: "first API key" }, now);
    await audit(
      tx,
      d,
      cliActor(tailnet, owner),
      { action: "CREATE", target: { type: "TAILNET", id: tailnet.tailnetId, name: tailnet.name } },
      { action: "CREATE", target: { type: "USER", id: owner.userId, name: owner.loginName }, new: { loginName: owner.loginName, role: owner.role } },
      { action: "CREATE", target: keyTarget(row), new: keySummary(row) },
    );
    return { tailnet, owner, apiKey: secret };
  });
}

export function listTailnets(d: Deps): Promise<Tailnet[]> {
  return listTailnetRows(d.sql);
}

/**
 * The operator's actor for a tailnet (the CLI): acts as its owner. Unknown
 * tailnets and tailnets without an owner are a clear not-found.
 */
export async function operatorOf(d: Deps, tailnetName: string): Promise<Actor> {
  const t = await findTailnetByName(d.sql, tailnetName);
  if (!t) throw notFound(`tailnet ${tailnetName} does not exist (start the server once, or run: tailapi tailnets create ${tailnetName})`);
  const owner = (await listUsers(d.sql, t.tailnetId)).find((u) => u.role === "owner");
  if (!owner) throw notFound(`tailnet ${t.name} has no owner`);
  return cliActor(t, owner);
}
