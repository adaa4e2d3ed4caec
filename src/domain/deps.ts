import type { Logger } from "pino";
import type { Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import type { Ids } from "../lib/ids.js";

/**
 * What every domain function is given: the database, the clock, the id
 * source and a logger (carrying the request id when there is a request).
 * Routes build it from the request's services, the CLI from its own; tests
 * swap any part.
 */
export type Deps = {
  sql: Sql;
  clock: Clock;
  ids: Ids;
  log: Logger;
};
