import { randomInt, randomUUID } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `length` characters of random base62 from the CSPRNG. */
export function randomBase62(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * Numeric ids (tailnets, users, devices) are random, not sequential: they do
 * not leak counts and need no coordination between replicas or shards. They
 * stay below 2^53 so every JSON client reads them exactly.
 */
export function randomNumericId(): string {
  // 12 to 15 digits, like Tailscale's legacy device ids ("393735751060").
  const hi = randomInt(100_000, 9_000_000); // up to 7 digits
  const lo = randomInt(0, 100_000_000); // 8 digits
  return String(hi * 100_000_000 + lo);
}

/** The id service: every identifier the server hands out comes from here, so tests can swap it. */
export type Ids = {
  /** Tailnet, user and device ids (legacy numeric device `id`). */
  numericId(): string;
  /** A device's `nodeId`, in Tailscale's style: `n` + 10 random characters + `CNTRL`. */
  nodeId(): string;
  /** A key's public id, in Tailscale's style: `k` + 10 random characters + `CNTRL`. */
  keyId(): string;
  /** An opaque random token (invite codes, CSRF tokens): 32 base62 characters. */
  token(): string;
};

export const randomIds: Ids = {
  numericId: randomNumericId,
  nodeId: () => `n${randomBase62(10)}CNTRL`,
  keyId: () => `k${randomBase62(10)}CNTRL`,
  token: () => randomBase62(32),
};

/** An operation id (Tailscale's eventGroupID): 32 hex digits. */
export function newOperationId(): string {
  // randomUUID draws from a pooled buffer of random bytes: cheaper per call than randomBytes(16) on every write.
  return randomUUID().replaceAll("-", "");
}
