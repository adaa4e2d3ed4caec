import type { Logger } from "pino";
import type { Presence } from "../db/devices.js";
import type { Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import type { Ids } from "../lib/ids.js";

/** How long a device counts as connected after its last report, and when a silent ephemeral device is gone. */
export type PresenceSettings = { offlineAfterMs: number; ephemeralTimeoutMs: number };

export const DEFAULT_PRESENCE: PresenceSettings = { offlineAfterMs: 60_000, ephemeralTimeoutMs: 30 * 60_000 };

/**
 * What every domain function is given: the database, the clock, the id
 * source, a logger (carrying the request id when there is a request) and the
 * presence settings. Routes build it from the request's services, the CLI
 * from its own; tests swap any part.
 */
export type Deps = {
  sql: Sql;
  clock: Clock;
  ids: Ids;
  log: Logger;
  presence: PresenceSettings;
};

/** The presence cut-offs as of now. */
export function presenceNow(d: Pick<Deps, "clock" | "presence">): Presence {
  const now = d.clock.now();
  const t = now.getTime();
  return { now, onlineSince: new Date(t - d.presence.offlineAfterMs), ephemeralSince: new Date(t - d.presence.ephemeralTimeoutMs) };
}
