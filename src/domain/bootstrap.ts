import { hashSecret, parseSecret, secretMatches } from "../auth/credentials.js";
import { findCredential, listKeys, setKeyExpiry } from "../db/keys.js";
import { lockUntilCommit } from "../db/locks.js";
import type { Sql, TxSql } from "../db/sql.js";
import { createTailnet, findTailnetByName, TailnetExistsError, type Tailnet } from "../db/tailnets.js";
import { createUser, listUsers, type User } from "../db/users.js";
import { createApiKey, MAX_KEY_EXPIRY_SECONDS } from "./keys.js";

/** The login name of a tailnet's first user: `admin@<tailnet>`, or the tailnet itself when it is an email. */
export function firstUserLogin(tailnetName: string): string {
  return tailnetName.includes("@") ? tailnetName : `admin@${tailnetName}`;
}

async function ensureOwner(tx: TxSql, tailnet: Tailnet): Promise<User> {
  const users = await listUsers(tx, tailnet.tailnetId);
  const owner = users.find((u) => u.role === "owner") ?? users.find((u) => u.role === "admin");
  return owner ?? (await createUser(tx, tailnet.tailnetId, { loginName: firstUserLogin(tailnet.name), role: "owner" }));
}

/** Creates a tailnet with an owner and a first API key. Returns the key's secret (to be shown once). */
export async function createTailnetWithKey(
  sql: Sql,
  name: string,
  now: Date,
  expirySeconds = MAX_KEY_EXPIRY_SECONDS,
): Promise<{ tailnet: Tailnet; owner: User; apiKey: string }> {
  return sql.begin(async (tx) => {
    const tailnet = await createTailnet(tx, name);
    const owner = await createUser(tx, tailnet.tailnetId, { loginName: firstUserLogin(name), role: "owner" });
    const { secret } = await createApiKey(tx, tailnet.tailnetId, owner.userId, { expirySeconds, description: "first API key" }, now);
    return { tailnet, owner, apiKey: secret };
  });
}

export class BootstrapError extends Error {}

export type BootstrapResult = { tailnet: Tailnet; createdKey?: { secret: string; owner: User } };

/**
 * Start-up: the default tailnet exists; the bootstrap key (if configured) is
 * an owner's API key of it; with no bootstrap key and no API key at all, a
 * first key is minted and returned so the caller can show it once. Safe when
 * several servers start together (advisory lock) and across restarts.
 */
export async function bootstrap(sql: Sql, tailnetName: string, bootstrapKey: string | undefined, now: Date): Promise<BootstrapResult> {
  return sql.begin(async (tx) => {
    await lockUntilCommit(tx, "bootstrap", "bootstrap");
    let tailnet = await findTailnetByName(tx, tailnetName);
    if (!tailnet) {
      try {
        tailnet = await createTailnet(tx, tailnetName);
      } catch (err) {
        if (err instanceof TailnetExistsError) tailnet = (await findTailnetByName(tx, tailnetName))!;
        else throw err;
      }
    }
    const expiresAt = new Date(now.getTime() + MAX_KEY_EXPIRY_SECONDS * 1000);
    if (bootstrapKey) {
      const parsed = parseSecret(bootstrapKey)!;
      const existing = await findCredential(tx, parsed.keyId);
      if (existing) {
        if (existing.tailnetId !== tailnet.tailnetId) throw new BootstrapError("TAILAPI_BOOTSTRAP_API_KEY: its key id is taken by a key of another tailnet");
        if (existing.keyType !== "api" || !secretMatches(parsed.secret, existing.secretHash)) {
          throw new BootstrapError("TAILAPI_BOOTSTRAP_API_KEY: its key id is taken by a different key");
        }
        // Keep it usable across restarts: its expiry moves to 90 days from now (a revocation stays).
        await setKeyExpiry(tx, tailnet.tailnetId, parsed.keyId, expiresAt);
        return { tailnet };
      }
      const owner = await ensureOwner(tx, tailnet);
      await createApiKey(
        tx,
        tailnet.tailnetId,
        owner.userId,
        {
          expirySeconds: MAX_KEY_EXPIRY_SECONDS,
          description: "bootstrap key (TAILAPI_BOOTSTRAP_API_KEY)",
          secret: { keyId: parsed.keyId, secret: parsed.secret, full: bootstrapKey, hash: hashSecret(parsed.secret) },
        },
        now,
      );
      return { tailnet };
    }
    const apiKeys = await listKeys(tx, tailnet.tailnetId, ["api"]);
    if (apiKeys.length > 0) return { tailnet };
    const owner = await ensureOwner(tx, tailnet);
    const { secret } = await createApiKey(tx, tailnet.tailnetId, owner.userId, { expirySeconds: MAX_KEY_EXPIRY_SECONDS, description: "first API key" }, now);
    return { tailnet, createdKey: { secret, owner } };
  });
}
