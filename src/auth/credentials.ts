import { createHash, timingSafeEqual } from "node:crypto";
import type { CredentialRow } from "../db/keys.js";
import { randomBase62 } from "../lib/ids.js";

/**
 * Secret formats. Every secret looks like Tailscale's: `tskey-<kind>-<id>-<secret>`,
 * where `<id>` is the public key id (`k…CNTRL`) stored in clear and `<secret>` is
 * random base62 of which only a SHA-256 hash is stored.
 */
export type SecretKind = "api" | "auth" | "client" | "node" | "invite";

/** 32 base62 characters: about 190 bits, comfortably above 128. */
const SECRET_LENGTH = 32;
/** Shortest secret we accept from outside (bootstrap keys): 22 base62 chars is 128 bits. */
const MIN_SECRET_LENGTH = 22;

export function hashSecret(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

function hashMatches(secret: string, storedHash: Uint8Array): boolean {
  const h = hashSecret(secret);
  return h.length === storedHash.length && timingSafeEqual(h, storedHash);
}

export type MintedSecret = { keyId: string; secret: string; full: string; hash: Buffer };

export function mintSecret(kind: SecretKind, keyId: string): MintedSecret {
  const secret = randomBase62(SECRET_LENGTH);
  return { keyId, secret, full: `tskey-${kind}-${keyId}-${secret}`, hash: hashSecret(secret) };
}

/** A secret given from outside (bootstrap keys): its parts and hash, as if minted. */
export function givenSecret(full: string): MintedSecret | undefined {
  const p = parseSecret(full);
  return p ? { keyId: p.keyId, secret: p.secret, full, hash: hashSecret(p.secret) } : undefined;
}

const PATTERN = /^tskey-(api|auth|client|node|invite)-([A-Za-z0-9]{4,40})-([A-Za-z0-9]{1,128})$/;

export type ParsedSecret = { kind: SecretKind; keyId: string; secret: string };

export function parseSecret(value: string): ParsedSecret | undefined {
  const m = PATTERN.exec(value);
  if (!m) return undefined;
  return { kind: m[1] as SecretKind, keyId: m[2]!, secret: m[3]! };
}

export function isApiKeyFormat(value: string): boolean {
  const p = parseSecret(value);
  return p !== undefined && p.kind === "api" && p.secret.length >= MIN_SECRET_LENGTH;
}

/** What the check needs of a stored credential: its kind and the hash of its secret. */
export type StoredSecret = { keyType: string; secretHash: Uint8Array };

/** Where verifySecret finds a credential row by its public key id (the database, or a cache in front of it). */
export type CredentialLookup<R extends StoredSecret = CredentialRow> = {
  find(keyId: string): Promise<R | undefined>;
  /** Optional memo of presented secrets already checked against this very row object. */
  checked?(presented: string, row: R): boolean;
  remember?(presented: string, row: R): void;
};

/**
 * The one secret check, for every credential: API keys, OAuth client secrets,
 * auth keys, node tokens and user invite codes. Parses `tskey-<kind>-<id>-<secret>`, loads the
 * row by key id, and compares SHA-256 hashes in constant time. Returns the row
 * only when the kind matches and the secret is right; whether the row is still
 * usable (revoked, expired) is the caller's rule.
 */
export async function verifySecret<R extends StoredSecret = CredentialRow>(
  presented: string,
  kind: SecretKind,
  lookup: CredentialLookup<R>,
): Promise<R | undefined> {
  const p = parseSecret(presented);
  if (!p || p.kind !== kind) return undefined;
  const row = await lookup.find(p.keyId);
  if (!row || row.keyType !== kind) return undefined;
  if (lookup.checked?.(presented, row)) return row;
  if (!hashMatches(p.secret, row.secretHash)) return undefined;
  lookup.remember?.(presented, row);
  return row;
}
