import type { Logger } from "pino";
import type { Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import type { Ids } from "../lib/ids.js";
import type { AllowList } from "../lib/outbound.js";
import type { SecretBox } from "../lib/secret-box.js";

/** Where a change came from, as the audit log records it. */
export type Origin = "api" | "cli" | "node" | "system";

/**
 * What every domain function is given: the database, the clock, the id
 * source, a logger (carrying the request id when there is a request), where
 * the call came from (for the audit log: origin, request id, and one
 * operation id grouping the entries of one operation), and the box that
 * seals secrets the server must keep usable (webhook signing secrets).
 * Routes build it from the request's services, the CLI from its own; tests
 * swap any part.
 */
export type Deps = {
  sql: Sql;
  clock: Clock;
  ids: Ids;
  log: Logger;
  origin: Origin;
  /** The request id (X-Request-Id), or one made for a CLI command or a job. */
  requestId: string;
  /** Groups the audit entries of one operation (Tailscale's eventGroupID). */
  operationId: string;
  secrets: SecretBox;
  /** Networks outbound requests (webhooks) may reach besides global unicast addresses. */
  outbound: { allow: AllowList };
};
