import type { Context } from "hono";
import type { Logger } from "pino";
import type { CredentialCache } from "../auth/authenticate.js";
import type { TokenService } from "../auth/tokens.js";
import type { DatabaseHealth } from "../db/health.js";
import type { Sql } from "../db/sql.js";
import type { RateLimiter } from "../lib/rate-limit.js";
import type { RateLimits } from "./rate-limit.js";
import type { Actor } from "../domain/actor.js";
import type { Deps, Origin, PresenceSettings } from "../domain/deps.js";
import type { Clock } from "../lib/clock.js";
import { newOperationId, type Ids } from "../lib/ids.js";
import type { AllowList } from "../lib/outbound.js";
import type { SecretBox } from "../lib/secret-box.js";

/** Process-wide dependencies, put on every request's context; tests swap them. */
export type Services = {
  sql: Sql;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  credentials: CredentialCache;
  tokens: TokenService;
  /** Whether the database is reachable; requests fail fast with 503 while it is not. */
  health: DatabaseHealth;
  /** Request counts per credential and per address, shared by replicas (src/lib/rate-limit.ts). */
  limiter: RateLimiter;
  limits: RateLimits;
  presence: PresenceSettings;
  /** The tailnet a node joins when it registers without an auth key and names none (TAILAPI_TAILNET). */
  defaultTailnet: string;
  /** The address clients reach this server at (TAILAPI_PUBLIC_URL), for links it hands out; else the request's own. */
  publicUrl?: string;
  /**
   * Set only by the CLI's in-process app (never by a server): every request
   * acts as this actor, the operator of the chosen tailnet, instead of
   * presenting a credential. The route's scope is still checked.
   */
  actAs?: Actor;
  /** Seals webhook secrets under the master key. */
  secrets: SecretBox;
  /** The outbound guard's allow-list (TAILAPI_OUTBOUND_ALLOW). */
  outbound: { allow: AllowList };
};

export type AppEnv = {
  Variables: {
    services: Services;
    requestId: string;
    /** The request-scoped logger, made on first use by `requestLog`. */
    log: Logger | undefined;
    /** Set by the auth middleware on authenticated routes. */
    actor: Actor;
    /** The request's domain dependencies, made on first use by `deps`. */
    deps: Deps | undefined;
  };
};

type LogCarrier = {
  get(key: "log"): Logger | undefined;
  get(key: "services"): Services;
  get(key: "requestId"): string;
  set(key: "log", value: Logger): void;
};

/** The request's logger (a child carrying the request id), created on first use: most requests never log. */
export function requestLog(c: LogCarrier): Logger {
  let log = c.get("log");
  if (!log) {
    log = c.get("services").logger.child({ reqId: c.get("requestId") });
    c.set("log", log);
  }
  return log;
}

/** The base URL links to this server start with: TAILAPI_PUBLIC_URL, or the request's own origin. */
export function publicBase(c: Context<AppEnv>): string {
  return (c.get("services").publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "");
}

/**
 * What a route hands the domain layer: the request's services, with a logger
 * that carries the request id, the request id and one operation id for the
 * audit log, and the origin: `cli` for the CLI's in-process app, `node` for
 * the node API (`/machine/…`), `console` for the web console (`/admin/…`),
 * `api` for everything else. Made once per request.
 */
export function deps(c: Context<AppEnv>): Deps {
  let d = c.get("deps");
  if (!d) c.set("deps", (d = new RequestDeps(c)));
  return d;
}

/** `deps`'s object: plain fields, and the logger and operation id made on first use (reads need neither). */
class RequestDeps implements Deps {
  readonly sql: Sql;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly presence: PresenceSettings;
  readonly origin: Origin;
  readonly requestId: string;
  readonly secrets: SecretBox;
  readonly outbound: { allow: AllowList };
  #operationId: string | undefined;
  readonly #c: Context<AppEnv>;

  constructor(c: Context<AppEnv>) {
    const s = c.get("services");
    this.#c = c;
    this.sql = s.sql;
    this.clock = s.clock;
    this.ids = s.ids;
    this.presence = s.presence;
    this.origin = s.actAs ? "cli" : c.req.path.startsWith("/machine/") ? "node" : c.req.path.startsWith("/admin/") ? "console" : "api";
    this.requestId = c.get("requestId");
    this.secrets = s.secrets;
    this.outbound = s.outbound;
  }

  get log(): Logger {
    return requestLog(this.#c);
  }

  get operationId(): string {
    return (this.#operationId ??= newOperationId());
  }
}
