import { query, type TxSql } from "./sql.js";

/**
 * Transaction-scoped advisory locks: what several replicas on one database
 * use to take turns. Each kind has its own namespace; the key is hashed text
 * (a tailnet id, or a fixed name).
 */
const NAMESPACES = {
  /** Registrations in one tailnet: names, addresses and single-use keys. */
  registration: 7347,
  /** Start-up bootstrap of the default tailnet and its first key. */
  bootstrap: 7348,
  /** Creating a tailnet's token-signing key. */
  signingKeys: 7349,
  /** Writes of a tailnet's policy file (If-Match compares and writes under it). */
  policy: 7350,
  /** Changes to a tailnet's users that the last-owner rule must see in order (roles, suspension, deletion, import). */
  users: 7351,
} as const;

export async function lockUntilCommit(tx: TxSql, kind: keyof typeof NAMESPACES, key: string): Promise<void> {
  await query(tx, `SELECT pg_advisory_xact_lock($1::int, hashtext($2::text))`, [NAMESPACES[kind], key]);
}
