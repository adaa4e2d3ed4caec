import { TrieRouter } from "hono/router/trie-router";
import type { Services } from "./http/context.js";
import { edge } from "./http/edge.js";
import { createConsole } from "./console/index.js";
import { registerDocs } from "./http/docs.js";
import { errorBody, handleError } from "./http/errors.js";
import { limitByAddress } from "./http/rate-limit.js";
import { corsFor } from "./http/headers.js";
import type { Metrics } from "./http/metrics.js";
import { MESSAGES, unavailable } from "./lib/errors.js";
import { newRouter, type App } from "./routes/define.js";
import { registerRoutes } from "./routes/index.js";

export { MAX_BODY_BYTES, MAX_IMPORT_BYTES } from "./http/edge.js";
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
 * The methods each registered path answers (GET implies HEAD), matched like
 * the routes themselves: what a 405's Allow header lists. Built once every
 * route is registered.
 */
function methodsByPath(app: App): (path: string) => string[] {
  const byPath = new Map<string, Set<string>>();
  for (const r of app.routes) {
    if (r.method === "ALL" || r.method === "HEAD") continue;
    const methods = byPath.get(r.path) ?? new Set<string>();
    methods.add(r.method);
    if (r.method === "GET") methods.add("HEAD");
    byPath.set(r.path, methods);
  }
  const router = new TrieRouter<string[]>();
  for (const [p, methods] of byPath) router.add("ALL", p, [...methods]);
  return (path) => {
    const found = new Set<string>();
    for (const [methods] of router.match("ALL", path)[0]) for (const m of methods) found.add(m);
    return [...found];
  };
}

export type AppOptions = {
  /** Origins browsers may call the API from (TAILAPI_CORS_ORIGINS); none by default. */
  corsOrigins?: readonly string[];
  /** Request metrics (when TAILAPI_METRICS_PORT is set). */
  metrics?: Metrics;
};

export function createApp(services: Services, options: AppOptions = {}): App {
  const app = newRouter();
  if (options.metrics) app.use("*", options.metrics.middleware());
  app.use("*", edge(services));
  const corsMiddleware = corsFor(options.corsOrigins ?? []);
  if (corsMiddleware) {
    app.use("/api/*", corsMiddleware);
    app.use("/machine/*", corsMiddleware);
  }

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

  // Nothing answered: 405 with Allow when the path exists for other methods, else 404.
  const allowed = methodsByPath(app);
  app.notFound((c) => {
    const methods = allowed(c.req.path);
    return methods.length && !methods.includes(c.req.method) ? c.json({ message: "method not allowed" }, 405, { Allow: methods.join(", ") }) : errorBody(c, 404, MESSAGES.notFound);
  });
  app.onError(handleError);
  // Every route is in: the router compiles its matchers now, not on the first request.
  app.router.match("GET", "/");
  return app;
}
