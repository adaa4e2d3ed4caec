import { randomInt } from "node:crypto";

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
