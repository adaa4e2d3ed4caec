import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { directLookup } from "../../auth/authenticate.js";
import { verifySecret } from "../../auth/credentials.js";
import { grants, isKnownScope, isLegacyScope, normalize, type Scope } from "../../auth/scopes.js";
import { requestLog, type AppEnv } from "../../http/context.js";
import { ErrorSchema, errorResponses } from "../../http/errors.js";
import type { App } from "../define.js";

const TokenForm = z
  .object({
    grant_type: z.string().optional().openapi({ description: "`client_credentials` (absent is read as client_credentials)." }),
    client_id: z.string().optional().openapi({ description: "With client_secret, when not sent as HTTP Basic." }),
    client_secret: z.string().optional(),
    scope: z.string().optional().openapi({ description: "Space-separated subset of the client's scopes; absent means all of them." }),
    tags: z.string().optional().openapi({ description: "Space-separated subset of the client's tags; absent means all of them." }),
  })
  .openapi("TokenRequest");

const TokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().openapi({ example: 3600 }),
    scope: z.string(),
  })
  .openapi("TokenResponse");

const OAuthError = z.object({ error: z.string(), error_description: z.string().optional() }).openapi("OAuthError");

export const route = createRoute({
  method: "post",
  path: "/api/v2/oauth/token",
  operationId: "oauthToken",
  tags: ["oauth"],
  summary: "Get an OAuth access token (client credentials grant)",
  description:
    "RFC 6749 client credentials grant. The client id and secret (`tskey-client-…`) go in HTTP Basic or in the form. " +
    "Access tokens live one hour and are sent as `Authorization: Bearer`.",
  request: { body: { required: true, content: { "application/x-www-form-urlencoded": { schema: TokenForm } } } },
  responses: {
    200: { description: "An access token.", content: { "application/json": { schema: TokenResponse } } },
    400: {
      description: "Malformed request: an RFC 6749 error (`unsupported_grant_type`, …), or `{\"message\"}` for input that fails validation (a NUL in a field, say).",
      content: { "application/json": { schema: z.union([OAuthError, ErrorSchema]) } },
    },
    401: { description: "Unknown client or wrong secret (RFC 6749 invalid_client).", content: { "application/json": { schema: OAuthError } } },
    403: {
      description: "Scopes or tags the client cannot grant.",
      content: { "application/json": { schema: z.object({ message: z.string() }) } },
    },
    429: errorResponses[429],
    431: errorResponses[431],
    503: errorResponses[503],
  },
});

function oauthError(c: Context<AppEnv>, status: 400 | 401, error: string, description: string, basic = false) {
  if (basic) c.header("WWW-Authenticate", 'Basic realm="tailapi"');
  c.header("Cache-Control", "no-store");
  return c.json({ error, error_description: description }, status);
}

/** client_id and client_secret from HTTP Basic (form-urlencoded inside, RFC 6749 §2.3.1) or from the form. */
function clientCredentials(header: string | undefined, form: z.infer<typeof TokenForm>) {
  if (header && /^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return { basic: true as const };
    try {
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
      return { basic: true as const, id: dec(decoded.slice(0, colon)), secret: dec(decoded.slice(colon + 1)) };
    } catch {
      return { basic: true as const };
    }
  }
  return { basic: false as const, id: form.client_id, secret: form.client_secret };
}

/**
 * Requested scopes must be ones the client can grant: its own names, or
 * narrower granular scopes they imply (devices:core → devices:core:read,
 * all → anything). Legacy names must be held as such, as on Tailscale.
 */
export function clientCanGrant(clientScopes: readonly string[], s: string): boolean {
  if (clientScopes.includes(s)) return true;
  if (!isKnownScope(s) || isLegacyScope(s)) return false;
  return grants(normalize(clientScopes), s as Scope);
}

const split = (s: string | undefined) => (s ?? "").split(/[\s,]+/).filter(Boolean);

export function register(app: App) {
  app.openapi(route, async (c) => {
    const form = c.req.valid("form");
    if (form.grant_type !== undefined && form.grant_type !== "client_credentials") {
      return oauthError(c, 400, "unsupported_grant_type", "only grant_type=client_credentials is supported");
    }
    const cred = clientCredentials(c.req.header("authorization"), form);
    if (!cred.secret) return oauthError(c, 401, "invalid_client", "client credentials are missing", cred.basic);
    const { sql, tokens, clock } = c.get("services");
    const row = await verifySecret(cred.secret, "client", directLookup(sql));
    if (!row || row.revokedAt || (cred.id && cred.id !== row.keyId)) {
      return oauthError(c, 401, "invalid_client", "unknown client or wrong secret", cred.basic);
    }

    const requested = split(form.scope);
    const cannot = requested.filter((s) => !clientCanGrant(row.scopes, s));
    if (cannot.length) return c.json({ message: `OAuth client cannot grant scopes "${cannot.join(" ")}"` }, 403);
    const requestedTags = split(form.tags);
    const badTags = requestedTags.filter((t) => !row.tags.includes(t));
    if (badTags.length) return c.json({ message: `OAuth client cannot grant tags "${badTags.join(" ")}"` }, 403);

    const scopes = requested.length ? [...new Set(requested)] : row.scopes;
    const tags = requestedTags.length ? [...new Set(requestedTags)] : row.tags;
    const { token, expiresIn } = await tokens.mint(sql, { tailnetId: row.tailnetId, clientId: row.keyId, scopes, tags }, clock.now());
    requestLog(c).info({ clientId: row.keyId, scopes }, "access token issued");
    c.header("Cache-Control", "no-store");
    c.header("Pragma", "no-cache");
    return c.json({ access_token: token, token_type: "Bearer" as const, expires_in: expiresIn, scope: scopes.join(" ") }, 200);
  });
}
