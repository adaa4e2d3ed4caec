import { describe, expect, it } from "vitest";
import { claimPostureKey } from "../../src/db/posture.js";
import { seedTailnet, testSql } from "../helpers.js";

/**
 * The first write of a custom posture key registers it; writes racing on
 * several connections (or replicas) must agree on it, never fail. The keys
 * table has two unique constraints (the key, and the key with its spelling
 * for the attributes' foreign key): an insert that names only one of them as
 * its conflict target fails with a unique violation on the other when two
 * inserts of the same spelling pass PostgreSQL's pre-check together.
 */
describe("claiming a posture key", () => {
  it("concurrent first claims of a key agree on the first writer's spelling and type, without an error", async () => {
    // Same spelling (both unique constraints conflict) and other spellings (only the key does).
    const t = await seedTailnet();
    const sql = testSql();
    const types = ["number", "string", "boolean"] as const;
    const errors: unknown[] = [];
    for (let round = 0; round < 60; round++) {
      const key = `custom:race${round}`;
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          sql
            .begin((tx) => claimPostureKey(tx, t.tailnet.tailnetId, i % 4 === 3 ? key.toUpperCase() : key, types[i % 3]!))
            .catch((e: unknown) => {
              errors.push(e);
              return undefined;
            }),
        ),
      );
      expect(errors).toEqual([]);
      expect(new Set(claims.map((c) => `${c?.key} ${c?.valueType}`)).size, key).toBe(1);
      expect(claims[0]?.key.toLowerCase()).toBe(key);
    }
  }, 60_000);
});
