import { markExpiries } from "../db/expiry.js";
import { rfc3339 } from "../lib/time.js";
import type { Deps } from "./deps.js";
import { emit, nodeData } from "./events.js";

/**
 * The key-expiry sweep (run by every replica's webhook worker): emits
 * `nodeKeyExpiringInOneDay` once a device's key expires within a day and
 * `nodeKeyExpired` once it has expired, each once per expiry time. Passing
 * time is not a configuration change, so nothing is audited.
 */
export async function sweepKeyExpiries(d: Deps, limit = 500): Promise<number> {
  let n = 0;
  for (const kind of ["expiring", "expired"] as const) {
    n += await d.sql.begin(async (tx) => {
      const due = await markExpiries(tx, kind, d.clock.now(), limit);
      for (const dev of due) {
        const fqdn = `${dev.name}.${dev.dnsSuffix}`;
        const data = { ...nodeData(dev, "tailapi"), expiration: rfc3339(dev.expiresAt) };
        if (kind === "expiring") await emit(tx, d, dev, "nodeKeyExpiringInOneDay", `Node ${fqdn} key is expiring in one day`, data);
        else await emit(tx, d, dev, "nodeKeyExpired", `Node ${fqdn} key has expired`, data);
      }
      return due.length;
    });
  }
  return n;
}
