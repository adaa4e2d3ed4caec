import type { Logger } from "pino";
import type { Presence } from "../db/devices.js";
import type { Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import type { Ids } from "../lib/ids.js";
import type { AllowList } from "../lib/outbound.js";
import type { SecretBox } from "../lib/secret-box.js";

/** Where a change came from, as the audit log records it. */
export type Origin = "api" | "cli" | "node" | "system" | "console";

/** How long a device counts as connected after its last report, and when a silent ephemeral device is gone. */
export type PresenceSettings = { offlineAfterMs: number; ephemeralTimeoutMs: number };

export const DEFAULT_PRESENCE: PresenceSettings = { offlineAfterMs: 60_000, ephemeralTimeoutMs: 30 * 60_000 };

/**
 * What every domain function is given: the database, the clock, the id
 * source, a logger (carrying the request id when there is a request), the
 * presence settings, where the call came from (for the audit log: origin,
 * request id, and one operation id grouping the entries of one operation),
 * and the box that seals secrets the server must keep usable (webhook
 * signing secrets). Routes build it from the request's services, the CLI
 * from its own; tests swap any part.
 */
export type Deps = {
  sql: Sql;
  clock: Clock;
  ids: Ids;
  log: Logger;
  presence: PresenceSettings;
  origin: Origin;
  /** The request id (X-Request-Id), or one made for a CLI command or a job. */
  requestId: string;
  /** Groups the audit entries of one operation (Tailscale's eventGroupID). */
  operationId: string;
  secrets: SecretBox;
  /** Networks outbound requests (webhooks) may reach besides global unicast addresses. */
  outbound: { allow: AllowList };
};

/** The presence cut-offs as of now. */
export function presenceNow(d: Pick<Deps, "clock" | "presence">): Presence {
  const now = d.clock.now();
  const t = now.getTime();
  return { now, onlineSince: new Date(t - d.presence.offlineAfterMs), ephemeralSince: new Date(t - d.presence.ephemeralTimeoutMs) };
}
