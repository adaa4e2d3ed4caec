import { createRoute, OpenAPIHono, z, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Scope } from "../auth/scopes.js";
import type { Actor } from "../domain/actor.js";
import { requireScope, VALIDATES } from "../http/auth.js";
import type { AppEnv } from "../http/context.js";
import { REQUIRED, validationHook } from "../http/errors.js";
import { SplitRouter } from "../http/router.js";
import { notFound } from "../lib/errors.js";

export type App = OpenAPIHono<AppEnv>;

/**
 * A router whose `openapi` registers routes as @hono/zod-openapi does, except
 * that a route whose auth middleware validates its query and path parameters
 * itself (every `defineRoute` route: see `requireScope`) gets no separate
 * validator middlewares for them. The OpenAPI document is the same: it is
 * registered from the whole route.
 */
export function newRouter(): App {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook, router: new SplitRouter() });
  const register = app.openapi;
  app.openapi = ((route: RouteConfig & { hide?: boolean }, handler: never, hook?: never) => {
    const done = (route.middleware as { [VALIDATES]?: { query: boolean; params: boolean } } | undefined)?.[VALIDATES];
    if (done && hook) throw new Error(`${route.method} ${route.path}: a defineRoute route validates with the app's hook (validationHook); it takes no hook of its own`);
    if (!done || !route.request) return register(route as never, handler, hook);
    const { middleware: _m, hide, ...doc } = route;
    if (!hide) app.openAPIRegistry.registerPath(doc as RouteConfig);
    const request = { ...route.request };
    if (done.query) delete request.query;
    if (done.params) delete request.params;
    return register({ ...route, hide: true, request } as never, handler, hook);
  }) as typeof register;
  return app;
}

export const SECURITY = [{ apiKeyBasic: [] }, { bearer: [] }];

/**
 * Every authenticated route is defined here: the scope it needs is part of its
 * definition, enforced by the auth middleware and written into the OpenAPI
 * document as `x-required-scope`.
 */
export function defineRoute<const R extends Omit<RouteConfig, "middleware" | "security">>(
  route: R & { scope: Scope | readonly Scope[]; keyInUseParam?: string; extension?: boolean },
): R & { middleware: MiddlewareHandler<AppEnv> } {
  const { scope, keyInUseParam, extension, ...rest } = route;
  const note = extension ? `\n\n${EXTENSION_NOTE}` : "";
  return createRoute({
    ...rest,
    ...(extension ? { "x-tailapi-extension": true } : {}),
    security: SECURITY,
    "x-required-scope": scope,
    description: `${rest.description ?? rest.summary ?? ""}${note}\n\nRequired scope: ${scopeText(scope)}.`.trim(),
    middleware: requireScope(scope, { keyInUseParam, inputs: { query: rest.request?.query, params: rest.request?.params } }),
  } as unknown as RouteConfig) as unknown as R & { middleware: MiddlewareHandler<AppEnv> };
}

/**
 * Operations Tailscale's API does not have (creating users, approving a web
 * registration, headscale's pre-auth key verbs, import): marked
 * `x-tailapi-extension: true` in the OpenAPI document and said so in their
 * description. Clients of Tailscale's API never call them.
 */
export const EXTENSION_NOTE = "**tailapi extension**: not part of Tailscale's API.";

function scopeText(scope: Scope | readonly Scope[]): string {
  return typeof scope === "string" ? `\`${scope}\`` : `one of ${scope.map((s) => `\`${s}\``).join(", ")} (depending on the key type)`;
}

/**
 * A type error message for a field that is present but of the wrong type; a
 * missing field reads "<field> is required" (see formatZodError).
 * `z.boolean(wrongType("must be true or false"))`.
 */
export function wrongType(message: string) {
  return { error: (issue: { input?: unknown }) => (issue.input === undefined ? REQUIRED : message) };
}

/** The `{tailnet}` path segment: `-` or the credential's own tailnet; anything else is 404, like a missing one. */
export const TailnetParam = z
  .string()
  .min(1)
  .openapi({ param: { name: "tailnet", in: "path" }, example: "-", description: "`-` for the credential's tailnet, or its name." });

export function checkTailnet(actor: Actor, tailnet: string): void {
  if (tailnet === "-" || tailnet.toLowerCase() === actor.tailnetName.toLowerCase() || tailnet === actor.tailnetId) return;
  throw notFound();
}

export const DeviceIdParam = z
  .string()
  .min(1)
  .max(64)
  .openapi({ param: { name: "deviceId", in: "path" }, example: "n5SUKe8CNTRL", description: "The device's nodeId (preferred) or legacy numeric id." });
