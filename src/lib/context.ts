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
    /** The request-scoped logger (carries the request id). */
    log: Logger;
    /** Set by the auth middleware on authenticated routes. */
    actor: Actor;
  };
};
