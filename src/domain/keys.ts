import { mintSecret } from "../auth/credentials.js";
import { insertKey, type KeyRow } from "../db/keys.js";
import type { Queryable } from "../db/sql.js";

export const DAY = 86_400;
/** Default and longest lifetime of API access tokens and auth keys (Tailscale: 90 days). */
export const MAX_KEY_EXPIRY_SECONDS = 90 * DAY;

export type AuthKeyOptions = {
  reusable: boolean;
  ephemeral: boolean;
  preauthorized: boolean;
  tags: string[];
  expirySeconds: number;
  description: string;
};

export async function createAuthKey(
  db: Queryable,
  tailnetId: string,
  creator: { userId: string | null; clientId?: string | null },
  o: AuthKeyOptions,
  now: Date,
): Promise<{ row: KeyRow; secret: string }> {
  const m = mintSecret("auth");
  const row = await insertKey(db, {
    tailnetId,
    keyId: m.keyId,
    keyType: "auth",
    secretHash: m.hash,
    userId: creator.userId,
    createdByClient: creator.clientId ?? null,
    description: o.description,
    createdAt: now,
    expiresAt: new Date(now.getTime() + o.expirySeconds * 1000),
    reusable: o.reusable,
    ephemeral: o.ephemeral,
    preauthorized: o.preauthorized,
    tags: [...new Set(o.tags)].sort(),
  });
  return { row, secret: m.full };
}

/** Creates an API access token for a user; `secret` may be given (bootstrap keys), else it is minted. */
export async function createApiKey(
  db: Queryable,
  tailnetId: string,
  userId: string,
  o: { expirySeconds: number; description: string; secret?: { keyId: string; secret: string; full: string; hash: Buffer } },
  now: Date,
): Promise<{ row: KeyRow; secret: string }> {
  const m = o.secret ?? mintSecret("api");
  const row = await insertKey(db, {
    tailnetId,
    keyId: m.keyId,
    keyType: "api",
    secretHash: m.hash,
    userId,
    description: o.description,
    createdAt: now,
    expiresAt: new Date(now.getTime() + o.expirySeconds * 1000),
  });
  return { row, secret: m.full };
}
