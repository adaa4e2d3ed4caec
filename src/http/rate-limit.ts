import type { HttpBindings } from "@hono/node-server";
import type { Context, MiddlewareHandler } from "hono";
import { rateLimited } from "../lib/errors.js";
import type { Decision } from "../lib/rate-limit.js";
import type { AppEnv } from "./context.js";
import { putHeaders } from "./headers.js";

/** Requests per window allowed to each bucket; 0 turns a limit off. */
export type RateLimits = {
  /** Per credential (API key, or OAuth client for all of its tokens), on every authenticated route. */
  credential: number;
  /** Per source address on the token endpoint, and for failed authentications anywhere (brute force). */
  tokenPerAddress: number;
  /** Per source address on the node API. */
  nodePerAddress: number;
};

export const NO_LIMITS: RateLimits = { credential: 0, tokenPerAddress: 0, nodePerAddress: 0 };

/** The client's address as the socket sees it (no proxy headers are trusted). */
export function sourceAddress(c: Pick<Context, "env">): string {
  return (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket?.remoteAddress ?? "local";
}

/**
 * Applies a decision: RateLimit-* headers on the answer either way (straight
 * onto Node's response when there is one: cheap), and a 429 with Retry-After
 * when the bucket is exhausted. Without Node's response (in-process), the
 * headers it returns are for the caller to put on the final response.
 */
export function enforce(c: Context<AppEnv>, d: Decision, what: string): [string, string][] | undefined {
  if (d.limit <= 0) return undefined;
  const headers: [string, string][] = [
    ["RateLimit-Limit", String(d.limit)],
    ["RateLimit-Remaining", String(d.remaining)],
    ["RateLimit-Reset", String(d.resetSeconds)],
    ["RateLimit-Policy", `${d.limit};w=${d.windowSeconds}`],
  ];
  const direct = putHeaders(c, headers);
  if (!direct) for (const [k, v] of headers) c.header(k, v);
  if (!d.ok) throw rateLimited(`rate limit exceeded: at most ${d.limit} requests per ${d.windowSeconds} s ${what}; retry in ${d.resetSeconds} s`, d.resetSeconds);
  return direct ? undefined : headers;
}

/** Puts headers `enforce` returned on the response a handler built itself (a streamed body, say). */
export function applyHeaders(c: Context<AppEnv>, headers: [string, string][] | undefined): void {
  if (!headers) return;
  for (const [k, v] of headers) if (!c.res.headers.has(k)) c.res.headers.set(k, v);
}

/** Per source address, for the unauthenticated endpoints (token endpoint, node API). */
export function limitByAddress(kind: "token" | "node"): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const s = c.get("services");
    const limit = kind === "token" ? s.limits.tokenPerAddress : s.limits.nodePerAddress;
    if (limit <= 0) return next();
    const headers = enforce(c, s.limiter.take(`${kind}:${sourceAddress(c)}`, "0", limit), "from this address");
    await next();
    applyHeaders(c, headers);
  };
}

/** Counts a failed authentication against the caller's address (brute force); 429 once it is exhausted. */
export function countFailedAuth(c: Context<AppEnv>): void {
  const s = c.get("services");
  if (s.limits.tokenPerAddress <= 0) return;
  const d = s.limiter.take(`auth-fail:${sourceAddress(c)}`, "0", s.limits.tokenPerAddress);
  if (!d.ok) enforce(c, d, "with invalid credentials from this address");
}
