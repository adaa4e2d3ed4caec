import { mintSecret } from "../auth/credentials.js";
import { isKnownScope } from "../auth/scopes.js";
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

/** Scopes that, as on Tailscale, require an OAuth client to carry tags. */
const TAGGED_SCOPES = new Set(["devices:core", "auth_keys", "devices"]);

export function scopesNeedingTags(scopes: readonly string[]): string[] {
  return scopes.filter((s) => TAGGED_SCOPES.has(s));
}

export async function createOAuthClient(
  db: Queryable,
  tailnetId: string,
  creator: { userId: string | null; clientId?: string | null },
  o: { scopes: string[]; tags: string[]; description: string },
  now: Date,
): Promise<{ row: KeyRow; secret: string }> {
  const m = mintSecret("client");
  const row = await insertKey(db, {
    tailnetId,
    keyId: m.keyId,
    keyType: "client",
    secretHash: m.hash,
    userId: creator.userId,
    createdByClient: creator.clientId ?? null,
    description: o.description,
    createdAt: now,
    expiresAt: null,
    tags: [...new Set(o.tags)].sort(),
    scopes: [...new Set(o.scopes)],
  });
  return { row, secret: m.full };
}

/** Checks an OAuth client's scopes and tags on their own; returns a problem, or undefined. */
export function clientSpecProblem(scopes: readonly string[], tags: readonly string[]): string | undefined {
  if (scopes.length === 0) return "an OAuth client needs at least one scope";
  const unknown = scopes.filter((s) => !isKnownScope(s));
  if (unknown.length) return `unknown scopes: ${unknown.join(" ")}`;
  const needTags = scopesNeedingTags(scopes);
  if (needTags.length && tags.length === 0) return `OAuth clients with scopes ${needTags.join(", ")} must have tags`;
  return undefined;
}
