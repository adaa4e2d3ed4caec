import { givenSecret, verifySecret } from "../auth/credentials.js";
import { findCredential, listKeys, setKeyExpiry } from "../db/keys.js";
import { lockUntilCommit } from "../db/locks.js";
import type { TxSql } from "../db/sql.js";
import { findTailnetByName, type Tailnet } from "../db/tailnets.js";
import { listUsers, type User } from "../db/users.js";
import { audit, type AuditActor } from "./audit.js";
import type { Deps } from "./deps.js";
import { insertApiKey, keySummary, keyTarget, MAX_KEY_EXPIRY_SECONDS } from "./keys.js";

/** Start-up acts as tailapi itself. */
const system = (tailnetId: string): AuditActor => ({ tailnetId, type: "AUTOMATED_WORKER", id: "tailapi", displayName: "tailapi start-up" });
import { insertNewTailnet, insertOwner } from "./tailnets.js";

export class BootstrapError extends Error {}

export type BootstrapResult = { tailnet: Tailnet; createdKey?: { secret: string; owner: User } };

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
 */
export async function bootstrap(d: Deps, tailnetName: string, bootstrapKey: string | undefined): Promise<BootstrapResult> {
  const now = d.clock.now();
  return d.sql.begin(async (tx) => {
    await lockUntilCommit(tx, "bootstrap", "bootstrap");
    // A CLI call may create the tailnet concurrently: the insert then yields, and we read it.
    const tailnet =
      (await findTailnetByName(tx, tailnetName)) ?? (await insertNewTailnet(tx, d.ids, tailnetName)) ?? (await findTailnetByName(tx, tailnetName))!;
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
    if ((await listKeys(tx, tailnet.tailnetId, ["api"])).length > 0) return { tailnet };
    const owner = await ensureOwner(tx, d, tailnet);
    const { row, secret } = await insertApiKey(tx, d.ids, tailnet.tailnetId, owner.userId, { ...opts, description: "first API key" }, now);
    await audit(tx, d, system(tailnet.tailnetId), { action: "CREATE", target: keyTarget(row), new: keySummary(row) });
    return { tailnet, createdKey: { secret, owner } };
  });
}
