import type { Logger } from "pino";
import type { Sql } from "../db/sql.js";
import type { Actor } from "../auth/actor.js";
import type { CredentialCache } from "../auth/authenticate.js";
import type { TokenService } from "../auth/tokens.js";

export type Clock = { now(): Date };
export const systemClock: Clock = { now: () => new Date() };

/** Process-wide dependencies, put on every request's context; tests swap them. */
export type Services = {
  sql: Sql;
  clock: Clock;
  logger: Logger;
  credentials: CredentialCache;
  tokens: TokenService;
};

export type AppEnv = {
  Variables: {
    services: Services;
    requestId: string;
    /** The request-scoped logger, made on first use by `requestLog`. */
    log: Logger | undefined;
    /** Set by the auth middleware on authenticated routes. */
    actor: Actor;
  };
};

/** The request's logger (a child carrying the request id), created on first use: most requests never log. */
export function requestLog(c: { get(key: "log"): Logger | undefined; get(key: "services"): Services; get(key: "requestId"): string; set(key: "log", value: Logger): void }): Logger {
  let log = c.get("log");
  if (!log) {
    log = c.get("services").logger.child({ reqId: c.get("requestId") });
    c.set("log", log);
  }
  return log;
}
