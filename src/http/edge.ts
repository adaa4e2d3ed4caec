import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { redactSecrets } from "../lib/logger.js";
import { requestLog, type AppEnv, type Services } from "./context.js";
import { finishHeaders, startHeaders } from "./headers.js";
import { assignRequestId } from "./request-id.js";

export const MAX_BODY_BYTES = 1024 * 1024;
/** An import carries a whole tailnet (every device with every field): it may be larger. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
const IMPORT_PATH = /^\/api\/v2\/tailnet\/[^/]+\/import$/;

const limitOf = (c: Context<AppEnv>) => (IMPORT_PATH.test(c.req.path) ? MAX_IMPORT_BYTES : MAX_BODY_BYTES);

/** 413; the rejected body is left unread, so the connection cannot carry another request: close it. */
function tooLarge(c: Context<AppEnv>) {
  return c.json({ message: `request body too large (limit ${limitOf(c)} bytes)` }, 413, { Connection: "close" });
}

const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
const importLimit = bodyLimit({ maxSize: MAX_IMPORT_BYTES, onError: tooLarge });

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

/**
 * What every request goes through first, in one middleware (each layer of
 * Hono's middleware chain costs a closure and a promise per request, and the
 * request path is measured in microseconds; see bench/):
 *
 *   1. its id (X-Request-Id, src/http/request-id.ts);
 *   2. the response headers every answer carries (src/http/headers.ts);
 *   3. the process's services on the context, and the debug request log;
 *   4. the body size limit: a request that declares its length is checked
 *      against the header alone (Node's HTTP parser never delivers more bytes
 *      than Content-Length says, and not touching the body keeps
 *      @hono/node-server's fast path for reading it); a GET or HEAD with
 *      neither header has no body at all (HTTP/1.1); any other body is
 *      counted as it streams;
 *   5. JSON by default on the JSON APIs (the token endpoint takes forms, and
 *      so does the console).
 */
export function edge(services: Services): MiddlewareHandler<AppEnv> {
  const debug = services.logger.isLevelEnabled("debug");
  return async (c, next) => {
    assignRequestId(c);
    const late = startHeaders(c);
    c.set("services", services);
    const start = debug ? performance.now() : 0;

    const m = c.req.method;
    const p = c.req.path;
    const length = c.req.header("content-length");
    const chunked = c.req.header("transfer-encoding") !== undefined;
    const declared = length !== undefined && !chunked;
    if (declared && Number(length) > limitOf(c)) c.res = tooLarge(c);
    else {
      if ((m === "POST" || m === "PUT" || m === "PATCH") && (p.startsWith("/api/") || p.startsWith("/machine/")) && p !== "/api/v2/oauth/token") jsonByDefault(c);
      if (declared || (!chunked && (m === "GET" || m === "HEAD"))) await next();
      else {
        // A refused body is the limiter's own answer (it never calls next).
        const refused = await (limitOf(c) === MAX_BODY_BYTES ? limit : importLimit)(c, next);
        if (refused instanceof Response) c.res = refused;
      }
    }

    if (late) finishHeaders(c, late);
    if (debug) requestLog(c).debug({ method: m, path: redactSecrets(p), status: c.res.status, ms: +(performance.now() - start).toFixed(2) }, "request");
  };
}
