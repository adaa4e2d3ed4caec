import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestLog, type AppEnv, type Services } from "./http/context.js";
import { createConsole } from "./console/index.js";
import { registerDocs } from "./http/docs.js";
import { errorBody, handleError } from "./http/errors.js";
import { limitByAddress } from "./http/rate-limit.js";
import { corsFor, responseHeaders } from "./http/headers.js";
import type { Metrics } from "./http/metrics.js";
import { requestId } from "./http/request-id.js";
import { MESSAGES, unavailable } from "./lib/errors.js";
import { redactSecrets } from "./lib/logger.js";
import { newRouter, type App } from "./routes/define.js";
import { registerRoutes } from "./routes/index.js";

export const MAX_BODY_BYTES = 1024 * 1024;
/** An import carries a whole tailnet (every device with every field): it may be larger. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
const IMPORT_PATH = /^\/api\/v2\/tailnet\/[^/]+\/import$/;
const VERSION = "0.1.0";

export type OpenApiDocument = ReturnType<App["getOpenAPI31Document"]>;

/** The OpenAPI document of a router with every route registered. */
export function openApiDocument(app: App): OpenApiDocument {
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKeyBasic", {
    type: "http",
    scheme: "basic",
    description: "An API access token (tskey-api-…) as the username, with an empty password: `curl -u \"tskey-api-…:\"`.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An API access token or an OAuth access token as a bearer token.",
  });
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "tailapi",
      version: VERSION,
      description:
        "A self-hosted server that speaks Tailscale's public v2 REST API. Every operation lists the OAuth scope it needs in `x-required-scope`.\n\n" +
        "**Rate limits.** Requests are counted per credential (an API key, or an OAuth client for all of its access tokens) on every " +
        "authenticated operation, and per source address on the token endpoint, the node API and for failed authentications, in " +
        "one-minute windows shared by all replicas (defaults 3000, 600 and 1200 per minute; see the README). Over the limit the answer " +
        "is 429 `{\"message\"}` with `Retry-After` (seconds); every limited answer carries `RateLimit-Limit`, `RateLimit-Remaining`, " +
        "`RateLimit-Reset` and `RateLimit-Policy`.\n\n" +
        "**Availability.** While the database is unreachable, operations answer 503 with `Retry-After: 1` at once; `/readyz` reports it.",
    },
  });
}

/** The document as generated from the route definitions alone (no services needed). */
export function buildOpenApiDocument(): OpenApiDocument {
  const app = newRouter();
  registerRoutes(app);
  return openApiDocument(app);
}

/**
 * Posting JSON without a Content-Type (or with curl's default form type) is
 * common; Tailscale's server reads such bodies as JSON, and so do we.
 */
function jsonByDefault(c: Context<AppEnv>): void {
  const ct = c.req.header("content-type");
  if (ct && !/^(application\/x-www-form-urlencoded|text\/plain)\b/i.test(ct)) return;
  const headers = new Headers(c.req.raw.headers);
  headers.set("content-type", "application/json");
  c.req.raw = new Request(c.req.raw, { headers, duplex: "half" } as RequestInit);
}

/** 413; the rejected body is left unread, so the connection cannot carry another request: close it. */
function tooLarge(c: Context<AppEnv>) {
  return c.json({ message: `request body too large (limit ${limitOf(c)} bytes)` }, 413, { Connection: "close" });
}

const limitOf = (c: Context<AppEnv>) => (IMPORT_PATH.test(c.req.path) ? MAX_IMPORT_BYTES : MAX_BODY_BYTES);

export type AppOptions = {
  /** Origins browsers may call the API from (TAILAPI_CORS_ORIGINS); none by default. */
  corsOrigins?: readonly string[];
  /** Request metrics (when TAILAPI_METRICS_PORT is set). */
  metrics?: Metrics;
};

export function createApp(services: Services, options: AppOptions = {}): App {
  const app = newRouter();
  app.use("*", requestId());
  if (options.metrics) app.use("*", options.metrics.middleware());
  app.use("*", responseHeaders());
  const corsMiddleware = corsFor(options.corsOrigins ?? []);
  if (corsMiddleware) {
    app.use("/api/*", corsMiddleware);
    app.use("/machine/*", corsMiddleware);
  }
  const debug = services.logger.isLevelEnabled("debug");
  app.use("*", async (c, next) => {
    c.set("services", services);
    if (!debug) return next();
    const start = performance.now();
    await next();
    requestLog(c).debug({ method: c.req.method, path: redactSecrets(c.req.path), status: c.res.status, ms: +(performance.now() - start).toFixed(2) }, "request");
  });
  app.use("*", methodNotAllowed({ app, onMethodNotAllowed: (c, methods) => c.json({ message: "method not allowed" }, 405, { Allow: methods.join(", ") }) }));
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  const importLimit = bodyLimit({ maxSize: MAX_IMPORT_BYTES, onError: tooLarge });
  // A request that declares its length is checked against the header alone:
  // Node's HTTP parser never delivers more bytes than Content-Length says, and
  // not touching the body here keeps @hono/node-server's fast path for reading
  // it (materialising a Web stream costs more than the rest of a small write).
  // A GET or HEAD with neither header has no body at all (HTTP/1.1). Only a
  // chunked body is counted as it streams.
  app.use("*", async (c, next) => {
    const length = c.req.header("content-length");
    const chunked = c.req.header("transfer-encoding") !== undefined;
    if (length !== undefined && !chunked) return Number(length) > limitOf(c) ? tooLarge(c) : next();
    if (!chunked && (c.req.method === "GET" || c.req.method === "HEAD")) return next();
    return (limitOf(c) === MAX_BODY_BYTES ? limit : importLimit)(c, next);
  });
  app.use("*", (c, next) => {
    const m = c.req.method;
    // The JSON APIs only: the token endpoint takes forms, and so does the console.
    const p = c.req.path;
    if ((m === "POST" || m === "PUT" || m === "PATCH") && (p.startsWith("/api/") || p.startsWith("/machine/")) && p !== "/api/v2/oauth/token") jsonByDefault(c);
    return next();
  });

  // Served without the database (registered before the gate below, so it never runs for them).
  let docJson: string | undefined;
  app.get("/api/v2/openapi.json", (c) => c.body(docJson!, 200, { "content-type": "application/json; charset=utf-8" }));
  registerDocs(app);
  app.route("/admin", createConsole() as never);
  // Liveness: the process serves requests. It says nothing about the database.
  app.get("/healthz", (c) => c.json({ ok: true }));
  // Readiness: the database answers now.
  app.get("/readyz", async (c) => {
    const h = services.health;
    if (h.up && (await h.probe())) return c.json({ ok: true, database: "ok" });
    return c.json({ message: MESSAGES.databaseUnavailable }, 503, { "Retry-After": "1" });
  });

  // Requests that need the database fail at once while it is down, and when
  // too many already wait for it: a bounded queue, never an unbounded one.
  const health = services.health;
  app.use("*", async (c, next) => {
    const p = c.req.path;
    if (!p.startsWith("/api/") && !p.startsWith("/machine/")) return next();
    if (!health.up) throw unavailable(MESSAGES.databaseUnavailable, 1);
    if (health.inFlight >= health.opts.maxInFlight) throw unavailable(MESSAGES.busy, 1);
    health.inFlight++;
    try {
      await next();
    } finally {
      health.inFlight--;
    }
  });

  // Unauthenticated endpoints are limited per source address (brute force, floods).
  app.use("/api/v2/oauth/token", limitByAddress("token"));
  app.use("/machine/*", limitByAddress("node"));

  registerRoutes(app);
  docJson = JSON.stringify(openApiDocument(app));

  app.notFound((c) => errorBody(c, 404, MESSAGES.notFound));
  app.onError(handleError);
  return app;
}
