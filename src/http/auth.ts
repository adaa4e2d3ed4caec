import type { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { authenticatePresented } from "../auth/authenticate.js";
import { grants, type Scope } from "../auth/scopes.js";
import { DomainError, forbidden } from "../lib/errors.js";
import { applyHeaders, countFailedAuth, enforce } from "./rate-limit.js";
import type { AppEnv } from "./context.js";
import { validationHook } from "./errors.js";

/** The token from `Authorization: Basic base64(token:)` or `Authorization: Bearer token`. */
export function tokenFrom(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const sp = header.indexOf(" ");
  if (sp < 0) return undefined;
  const scheme = header.slice(0, sp).toLowerCase();
  const value = header.slice(sp + 1).trim();
  if (scheme === "bearer") return value || undefined;
  if (scheme === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    return user || undefined;
  }
  return undefined;
}

/** The request parts the auth middleware validates itself, after the credential and before the handler (see `defineRoute`). */
export type Inputs = { query?: z.ZodType; params?: z.ZodType };

/** Marks the middleware `requireScope` returns with the inputs it validates, for `newRouter`'s `openapi`. */
export const VALIDATES = Symbol("tailapi.validates");

/**
 * The one auth middleware: authenticates the caller (401), then checks the
 * scope the route declares (403), then validates the route's query and path
 * parameters exactly as @hono/zod-openapi's validators would (same order,
 * same hook, same `c.req.valid` data), in this one layer rather than one
 * middleware (and two promises) each: they run on every request. Routes get
 * it through `defineRoute`. A list of scopes means any of them: routes whose
 * resource depends on the body (POST /keys with keyType auth or client) have
 * the domain check the specific one too.
 */
export function requireScope(scope: Scope | readonly Scope[], opts: { keyInUseParam?: string; inputs?: Inputs } = {}): MiddlewareHandler<AppEnv> {
  const anyOf: readonly Scope[] = typeof scope === "string" ? [scope] : scope;
  const { query, params } = opts.inputs ?? {};
  const mw: MiddlewareHandler<AppEnv> = async (c, next) => {
    const services = c.get("services");
    let actor = services.actAs;
    if (!actor) {
      try {
        const known = authenticatePresented(c.req.header("authorization"), tokenFrom, services);
        actor = known instanceof Promise ? await known : known;
      } catch (err) {
        if (err instanceof DomainError && err.kind === "unauthorized") countFailedAuth(c);
        throw err;
      }
    }
    const limitHeaders =
      services.limits.credential > 0 ? enforce(c, services.limiter.take(`cred:${actor.keyId}`, actor.tailnetId, services.limits.credential), "for this credential") : undefined;
    // Any credential may read the key it is itself (Tailscale: "every scope may GET the key in use").
    const keyInUse = opts.keyInUseParam !== undefined && c.req.param(opts.keyInUseParam) === actor.keyId;
    if (!keyInUse && !anyOf.some((s) => grants(actor.scopes, s))) throw forbidden();
    c.set("actor", actor);
    const refused = (query && (await validate(c, "query", query, queryValue(c)))) || (params && (await validate(c, "param", params, c.req.param())));
    if (refused) return refused;
    await next();
    applyHeaders(c, limitHeaders);
  };
  return Object.assign(mw, { [VALIDATES]: { query: query !== undefined, params: params !== undefined } });
}

/** The query as hono's validator reads it: one value per name, an array when the name repeats. */
function queryValue(c: Context<AppEnv>): Record<string, string | string[]> {
  if (!c.req.url.includes("?")) return {};
  return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => (v.length === 1 ? [k, v[0]!] : [k, v])));
}

/**
 * One target, as @hono/zod-validator checks it with the app's default hook
 * (`validationHook`): the parsed data for `c.req.valid`, or the 400 answer.
 * Synchronous parse when the schema allows it (ours all do), else async.
 */
async function validate(c: Context<AppEnv>, target: "query" | "param", schema: z.ZodType, value: unknown): Promise<Response | undefined> {
  let result: z.ZodSafeParseResult<unknown>;
  try {
    result = schema.safeParse(value);
  } catch {
    result = await schema.safeParseAsync(value);
  }
  const answer = validationHook(result.success ? { success: true, data: result.data, target } : { success: false, error: result.error, target }, c);
  if (answer) return answer;
  if (!result.success) return c.json(result, 400);
  c.req.addValidatedData(target, result.data as object);
  return undefined;
}
