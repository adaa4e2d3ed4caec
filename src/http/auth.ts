import type { MiddlewareHandler } from "hono";
import { authenticate } from "../auth/authenticate.js";
import { grants, type Scope } from "../auth/scopes.js";
import { forbidden } from "../lib/errors.js";
import type { AppEnv } from "./context.js";

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

/**
 * The one auth middleware: authenticates the caller (401), then checks the
 * scope the route declares (403). Routes get it through `defineRoute`. A list
 * means any of them: routes whose resource depends on the body (POST /keys
 * with keyType auth or client) have the domain check the specific one too.
 */
export function requireScope(scope: Scope | readonly Scope[], opts: { keyInUseParam?: string } = {}): MiddlewareHandler<AppEnv> {
  const anyOf: readonly Scope[] = typeof scope === "string" ? [scope] : scope;
  return async (c, next) => {
    const services = c.get("services");
    const actor = services.actAs ?? (await authenticate(tokenFrom(c.req.header("authorization")), services));
    // Any credential may read the key it is itself (Tailscale: "every scope may GET the key in use").
    const keyInUse = opts.keyInUseParam !== undefined && c.req.param(opts.keyInUseParam) === actor.keyId;
    if (!keyInUse && !anyOf.some((s) => grants(actor.scopes, s))) throw forbidden();
    c.set("actor", actor);
    await next();
  };
}
