import { createHash, randomInt, timingSafeEqual } from "node:crypto";

/**
 * Secret formats. Every secret looks like Tailscale's: `tskey-<kind>-<id>-<secret>`,
 * where `<id>` is the public key id (`k…CNTRL`) stored in clear and `<secret>` is
 * random base62 of which only a SHA-256 hash is stored.
 */
export type SecretKind = "api" | "auth" | "client" | "node";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** 32 base62 characters: about 190 bits, comfortably above 128. */
const SECRET_LENGTH = 32;
/** Shortest secret we accept from outside (bootstrap keys): 22 base62 chars is 128 bits. */
const MIN_SECRET_LENGTH = 22;

export function randomBase62(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** A key id in Tailscale's style: `k` + 10 random characters + `CNTRL`. */
export function newKeyId(): string {
  return `k${randomBase62(10)}CNTRL`;
}

/** A node id in Tailscale's style: `n` + 10 random characters + `CNTRL`. */
export function newNodeId(): string {
  return `n${randomBase62(10)}CNTRL`;
}

export function hashSecret(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const h = hashSecret(secret);
  return h.length === storedHash.length && timingSafeEqual(h, storedHash);
}

export type MintedSecret = { keyId: string; secret: string; full: string; hash: Buffer };

export function mintSecret(kind: SecretKind, keyId: string = newKeyId()): MintedSecret {
  const secret = randomBase62(SECRET_LENGTH);
  return { keyId, secret, full: `tskey-${kind}-${keyId}-${secret}`, hash: hashSecret(secret) };
}

const PATTERN = /^tskey-(api|auth|client|node)-([A-Za-z0-9]{4,40})-([A-Za-z0-9]+)$/;

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
