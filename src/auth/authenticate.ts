import type { Context, MiddlewareHandler } from "hono";
import { ApiError, MESSAGES } from "../lib/errors.js";
import type { AppEnv } from "../lib/context.js";
import { findCredential, type CredentialRow } from "../db/keys.js";
import type { Sql } from "../db/sql.js";
import { parseSecret, secretMatches } from "./credentials.js";
import { roleScopes, type Actor, type Role } from "./actor.js";
import { grants, normalize, type Scope } from "./scopes.js";
import { looksLikeJwt, type TokenClaims } from "./tokens.js";

/**
 * Credential rows by key id, kept for at most CACHE_TTL_MS. This is the only
 * state a server process keeps: a revoked or deleted key stops working on
 * every replica within that bound. Expiry is checked on every request.
 */
export const CACHE_TTL_MS = 1000;
const CACHE_MAX = 10_000;

export class CredentialCache {
  private entries = new Map<string, { row: CredentialRow | undefined; at: number }>();
  /** Presented tokens whose secret matched a cached row (that very row object: a refetch re-verifies). */
  private verified = new Map<string, CredentialRow>();
  constructor(private readonly ttlMs = CACHE_TTL_MS) {}

  /** Whether `token`'s secret matches `row`, hashing it only the first time per cached row. */
  secretMatches(token: string, secret: string, row: CredentialRow): boolean {
    if (this.verified.get(token) === row) return true;
    if (!secretMatches(secret, row.secretHash)) return false;
    if (this.verified.size >= CACHE_MAX) this.verified.clear();
    this.verified.set(token, row);
    return true;
  }

  async get(sql: Sql, keyId: string): Promise<CredentialRow | undefined> {
    const now = performance.now();
    const hit = this.entries.get(keyId);
    if (hit && now - hit.at < this.ttlMs) return hit.row;
    const row = await findCredential(sql, keyId);
    if (this.entries.size >= CACHE_MAX) this.entries.clear();
    this.entries.set(keyId, { row, at: now });
    return row;
  }

  clear(): void {
    this.entries.clear();
  }
}

const unauthorized = () => new ApiError(401, MESSAGES.unauthorized, { "WWW-Authenticate": 'Basic realm="tailapi"' });

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

const ROLE_SCOPES: Record<Role, ReadonlySet<string>> = {
  owner: normalize(roleScopes("owner")),
  admin: normalize(roleScopes("admin")),
  member: normalize(roleScopes("member")),
};

export async function authenticate(c: Context<AppEnv>): Promise<Actor> {
  const token = tokenFrom(c.req.header("authorization"));
  if (!token) throw unauthorized();
  if (looksLikeJwt(token)) return authenticateAccessToken(c, token);
  const parsed = parseSecret(token);
  if (!parsed) throw unauthorized();
  const { sql, credentials, clock } = c.get("services");
  const row = await credentials.get(sql, parsed.keyId);
  if (!row || row.keyType !== kindToType(parsed.kind) || !credentials.secretMatches(token, parsed.secret, row)) {
    throw unauthorized();
  }
  if (row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= clock.now().getTime())) throw unauthorized();
  if (row.keyType === "client") {
    // An OAuth client secret is only good at the token endpoint (Tailscale answers 403 too).
    throw new ApiError(403, MESSAGES.forbidden);
  }
  if (row.keyType !== "api" || !row.userId || !row.role || !row.loginName) throw unauthorized();
  const role = row.role as Role;
  return {
    tailnetId: row.tailnetId,
    tailnetName: row.tailnetName,
    kind: "api",
    keyId: row.keyId,
    user: { id: row.userId, loginName: row.loginName, role },
    scopes: ROLE_SCOPES[role],
    tags: [],
    ownDevicesOnly: role === "member",
  };
}

/**
 * The token's scopes narrowed to what its client holds now, memoised per
 * (cached client row, cached token claims): both objects live in their caches,
 * so a busy token costs a map lookup, and a changed client (a new row after at
 * most CACHE_TTL_MS) is recomputed.
 */
const effective = new WeakMap<CredentialRow, WeakMap<TokenClaims, ReadonlySet<string>>>();

function effectiveScopes(client: CredentialRow, claims: TokenClaims): ReadonlySet<string> {
  let byClaims = effective.get(client);
  if (!byClaims) effective.set(client, (byClaims = new WeakMap()));
  let scopes = byClaims.get(claims);
  if (!scopes) {
    const held = normalize(client.scopes);
    scopes = new Set([...normalize(claims.scopes)].filter((s) => grants(held, s as Scope)));
    byClaims.set(claims, scopes);
  }
  return scopes;
}

/**
 * An OAuth access token: a JWT of ours, unexpired, whose client still exists
 * (checked through the credential cache, so a deleted client's tokens stop
 * working on every replica within CACHE_TTL_MS). Its scopes are those it was
 * minted with, narrowed to what the client still holds.
 */
async function authenticateAccessToken(c: Context<AppEnv>, token: string): Promise<Actor> {
  const { sql, credentials, clock, tokens } = c.get("services");
  const claims = await tokens.verify(sql, token, clock.now());
  if (!claims) throw unauthorized();
  const client = await credentials.get(sql, claims.clientId);
  if (!client || client.keyType !== "client" || client.revokedAt || client.tailnetId !== claims.tailnetId) throw unauthorized();
  const scopes = effectiveScopes(client, claims);
  return {
    tailnetId: client.tailnetId,
    tailnetName: client.tailnetName,
    kind: "oauth",
    keyId: client.keyId,
    scopes,
    tags: claims.tags.filter((t) => client.tags.includes(t)),
    creatorUserId: client.userId ?? undefined,
    ownDevicesOnly: false,
  };
}

function kindToType(kind: string): string {
  return kind === "api" ? "api" : kind === "client" ? "client" : kind === "auth" ? "auth" : "?";
}

/**
 * The one auth middleware: authenticates the caller (401), then checks the
 * scope the route declares (403). Routes get it through `defineRoute`. A list
 * means any of them: routes whose resource depends on the body (POST /keys
 * with keyType auth or client) check the specific one in the handler too.
 */
export function requireScope(scope: Scope | readonly Scope[], opts: { keyInUseParam?: string } = {}): MiddlewareHandler<AppEnv> {
  const anyOf: readonly Scope[] = typeof scope === "string" ? [scope] : scope;
  return async (c, next) => {
    const actor = await authenticate(c);
    // Any credential may read the key it is itself (Tailscale: "every scope may GET the key in use").
    const keyInUse = opts.keyInUseParam !== undefined && c.req.param(opts.keyInUseParam) === actor.keyId;
    if (!keyInUse && !anyOf.some((s) => grants(actor.scopes, s))) throw new ApiError(403, MESSAGES.forbidden);
    c.set("actor", actor);
    await next();
  };
}
