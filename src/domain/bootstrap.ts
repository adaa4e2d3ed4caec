import { givenSecret, verifySecret } from "../auth/credentials.js";
import { findCredential, listKeys, setKeyExpiry } from "../db/keys.js";
import { lockUntilCommit } from "../db/locks.js";
import type { TxSql } from "../db/sql.js";
import { findTailnetByName, type Tailnet } from "../db/tailnets.js";
import { listUsers, type User } from "../db/users.js";
import { audit, type AuditActor } from "./audit.js";
import type { Deps } from "./deps.js";
import { insertApiKey, keySummary, keyTarget, MAX_KEY_EXPIRY_SECONDS } from "./keys.js";

import { insertNewTailnet, insertOwner } from "./tailnets.js";
import { importInto, type ImportBundle, type ImportSummary } from "./transfer.js";

/** Start-up acts as tailapi itself. */
const system = (tailnetId: string): AuditActor => ({ tailnetId, type: "AUTOMATED_WORKER", id: "tailapi", displayName: "tailapi start-up" });

export class BootstrapError extends Error {}

export type BootstrapResult = {
  tailnet: Tailnet;
  createdKey?: { secret: string; owner: User };
  /** What TAILAPI_SEED imported (only when this start created the tailnet). */
  seeded?: ImportSummary;
  /** The seed was given but the tailnet existed already: it was left alone. */
  seedSkipped?: boolean;
};

async function ensureOwner(tx: TxSql, d: Deps, tailnet: Tailnet): Promise<User> {
  const users = await listUsers(tx, tailnet.tailnetId);
  const owner = users.find((u) => u.role === "owner") ?? users.find((u) => u.role === "admin");
  return owner ?? (await insertOwner(tx, d.ids, tailnet));
}

/**
 * Start-up: the default tailnet exists; the bootstrap key (if configured) is
 * an owner's API key of it; with no bootstrap key and no API key at all, a
 * first key is minted and returned so the caller can show it once. Safe when
 * several servers start together (advisory lock) and across restarts.
 *
 * With a seed (TAILAPI_SEED), a start that creates the tailnet imports it
 * first, in the same transaction (a seed that does not import leaves no
 * tailnet behind); the first key then goes to the seed's owner, if it has
 * one. A tailnet that exists already is left alone.
 */
export async function bootstrap(d: Deps, tailnetName: string, bootstrapKey: string | undefined, seed?: ImportBundle): Promise<BootstrapResult> {
  return d.sql.begin(async (tx) => {
    await lockUntilCommit(tx, "bootstrap", "bootstrap");
    // A CLI call may create the tailnet concurrently: the insert then yields, and we read it.
    const existing = await findTailnetByName(tx, tailnetName);
    const inserted = existing ? undefined : await insertNewTailnet(tx, d.ids, tailnetName);
    const tailnet = existing ?? inserted ?? (await findTailnetByName(tx, tailnetName))!;
    if (!seed) return keys(tx, d, tailnet, bootstrapKey);
    if (!inserted) return { ...(await keys(tx, d, tailnet, bootstrapKey)), seedSkipped: true };
    const seeded = await importInto(tx, d, { tailnetId: tailnet.tailnetId, tailnetName: tailnet.name }, seed, system(tailnet.tailnetId));
    return { ...(await keys(tx, d, tailnet, bootstrapKey, true)), seeded };
  });
}

/**
 * The bootstrap key, or a first key when the tailnet has no API key at all
 * (or was just seeded: imported keys have no secret anyone knows).
 */
async function keys(tx: TxSql, d: Deps, tailnet: Tailnet, bootstrapKey: string | undefined, seeded = false): Promise<BootstrapResult> {
  const now = d.clock.now();
  const opts = { expirySeconds: MAX_KEY_EXPIRY_SECONDS };
  if (bootstrapKey) {
    const given = givenSecret(bootstrapKey)!;
    const existing = await findCredential(tx, given.keyId);
    if (existing) {
      if (existing.tailnetId !== tailnet.tailnetId) throw new BootstrapError("TAILAPI_BOOTSTRAP_API_KEY: its key id is taken by a key of another tailnet");
      if (!(await verifySecret(bootstrapKey, "api", { find: async () => existing }))) {
        throw new BootstrapError("TAILAPI_BOOTSTRAP_API_KEY: its key id is taken by a different key");
      }
      // Keep it usable across restarts: its expiry moves to 90 days from now (a revocation stays).
      await setKeyExpiry(tx, tailnet.tailnetId, given.keyId, new Date(now.getTime() + MAX_KEY_EXPIRY_SECONDS * 1000));
      return { tailnet };
    }
    const owner = await ensureOwner(tx, d, tailnet);
    const { row } = await insertApiKey(tx, d.ids, tailnet.tailnetId, owner.userId, { ...opts, description: "bootstrap key (TAILAPI_BOOTSTRAP_API_KEY)", secret: given }, now);
    await audit(tx, d, system(tailnet.tailnetId), { action: "CREATE", target: keyTarget(row), new: keySummary(row) });
    return { tailnet };
  }
  if (!seeded && (await listKeys(tx, tailnet.tailnetId, ["api"])).length > 0) return { tailnet };
  const owner = await ensureOwner(tx, d, tailnet);
  const { row, secret } = await insertApiKey(tx, d.ids, tailnet.tailnetId, owner.userId, { ...opts, description: "first API key" }, now);
  await audit(tx, d, system(tailnet.tailnetId), { action: "CREATE", target: keyTarget(row), new: keySummary(row) });
  return { tailnet, createdKey: { secret, owner } };
}
