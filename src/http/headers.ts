import type { HttpBindings } from "@hono/node-server";
import type { Context, MiddlewareHandler } from "hono";
import type { ServerResponse } from "node:http";
import { cors } from "hono/cors";
import type { AppEnv } from "./context.js";

/**
 * Response headers every answer carries, set straight onto Node's response
 * when there is one (cheap: no Headers object is built), else onto the
 * finished response:
 *   - `X-Content-Type-Options: nosniff` everywhere;
 *   - `Cache-Control: no-store` on the API and the node API, whose answers
 *     carry secrets (new keys, client secrets, tokens, node tokens) or
 *     tailnet state no cache should keep.
 * There is no framework banner (no Server or X-Powered-By header).
 */
const ALL: [string, string][] = [["X-Content-Type-Options", "nosniff"]];
const API: [string, string][] = [...ALL, ["Cache-Control", "no-store"]];

/** Security headers of HTML pages (the /docs reference). */
export const HTML_SECURITY: [string, string][] = [
  ["X-Frame-Options", "DENY"],
  ["Referrer-Policy", "no-referrer"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Permissions-Policy", "camera=(), microphone=(), geolocation=()"],
];

/**
 * Node's response under @hono/node-server, where headers go straight on
 * (setting them through Hono would turn every response's headers into a
 * Headers object); undefined for in-process requests (`app.request`).
 */
export function nodeResponse(c: Pick<Context, "env">): ServerResponse | undefined {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  return outgoing && typeof outgoing.setHeader === "function" ? outgoing : undefined;
}

/** Puts `pairs` straight onto Node's response; false when there is none (the caller then sets them through Hono). */
export function putHeaders(c: Pick<Context, "env">, pairs: readonly [string, string][]): boolean {
  const out = nodeResponse(c);
  if (!out) return false;
  for (const [k, v] of pairs) out.setHeader(k, v);
  return true;
}

/**
 * Puts the headers every answer of this path carries straight onto Node's
 * response; without one (in-process requests), returns them for the caller to
 * put on the finished response with `finishHeaders`.
 */
export function startHeaders(c: Context<AppEnv>): [string, string][] | undefined {
  const p = c.req.path;
  const pairs = p.startsWith("/api/") || p.startsWith("/machine/") ? API : p === "/docs" || p.startsWith("/docs/") ? [...ALL, ...HTML_SECURITY] : ALL;
  return putHeaders(c, pairs) ? undefined : pairs;
}

export function finishHeaders(c: Context<AppEnv>, pairs: [string, string][]): void {
  for (const [k, v] of pairs) if (!c.res.headers.has(k)) c.res.headers.set(k, v);
}

/**
 * CORS: closed unless TAILAPI_CORS_ORIGINS lists the origins a browser app
 * may call the API from (no origin, no CORS headers, so browsers refuse
 * cross-origin reads). Credentials are sent as Authorization headers, never
 * cookies, so `credentials` stays off.
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler<AppEnv> | undefined {
  if (!origins.length) return undefined;
  return cors({
    origin: origins.includes("*") ? "*" : [...origins],
    allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    allowHeaders: ["Authorization", "Content-Type", "If-Match", "X-Request-Id"],
    exposeHeaders: ["ETag", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy", "X-Request-Id"],
    maxAge: 600,
  });
}
