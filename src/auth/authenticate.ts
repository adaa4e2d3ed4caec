import { findCredential, type CredentialRow } from "../db/keys.js";
import type { Queryable, Sql } from "../db/sql.js";
import { ROLES } from "../db/users.js";
import type { Actor, Role } from "../domain/actor.js";
import type { Clock } from "../lib/clock.js";
import { forbidden, unauthorized } from "../lib/errors.js";
import { verifySecret, type CredentialLookup } from "./credentials.js";
import { ownDevicesOnly, roleScopes } from "./roles.js";
import { grants, normalize, type Scope } from "./scopes.js";
import { looksLikeJwt, type TokenClaims, type TokenService } from "./tokens.js";

/**
 * Credential rows by key id, kept for at most CACHE_TTL_MS. This is the only
 * state a server process keeps about credentials: a revoked or deleted key
 * stops working on every replica within that bound. Expiry is checked on
 * every request.
 */
export const CACHE_TTL_MS = 1000;
const CACHE_MAX = 10_000;

export class CredentialCache {
  private entries = new Map<string, { row: CredentialRow | undefined; at: number }>();
  /** Presented tokens whose secret matched a cached row (that very row object: a refetch re-verifies). */
  private verified = new Map<string, CredentialRow>();
  /** Presented credentials (as sent) and the actor they stood for: see `recall`. */
  private presented = new Map<string, Recalled>();
  private lookups = new WeakMap<Sql, CredentialLookup>();
  /** Bumped by every eviction. */
  private generation = 0;
  constructor(private readonly ttlMs = CACHE_TTL_MS) {}

  /** The cached lookup verifySecret uses for this database. */
  lookup(sql: Sql): CredentialLookup {
    let l = this.lookups.get(sql);
    if (!l) {
      l = {
        find: (keyId) => this.get(sql, keyId),
        checked: (presented, row) => this.verified.get(presented) === row,
        remember: (presented, row) => {
          if (this.verified.size >= CACHE_MAX) this.verified.clear();
          this.verified.set(presented, row);
        },
      };
      this.lookups.set(sql, l);
    }
    return l;
  }

  async get(sql: Sql, keyId: string): Promise<CredentialRow | undefined> {
    const now = performance.now();
    const hit = this.entries.get(keyId);
    if (hit && now - hit.at < this.ttlMs) return hit.row;
    const generation = this.generation;
    const row = await findCredential(sql, keyId);
    // A change announced while this lookup ran may not be in `row`: use it, do not keep it.
    if (generation !== this.generation) return row;
    if (this.entries.size >= CACHE_MAX) this.entries.clear();
    this.entries.set(keyId, { row, at: now });
    return row;
  }

  /**
   * The actor a presented credential stood for when it was last
   * authenticated, while that still stands: the row it was derived from is
   * still the cache's fresh entry for its key (that very object, so at most
   * CACHE_TTL_MS old, and dropped at once by an eviction), and the credential
   * has not expired by `nowMs`. Undefined otherwise: authenticate again. What
   * it saves on a busy credential is the parse, the hash comparison and a
   * promise per request, not a check.
   */
  recall(presented: string, nowMs: number): Actor | undefined {
    const m = this.presented.get(presented);
    if (!m || nowMs >= m.until) return undefined;
    const e = this.entries.get(m.actor.keyId);
    return e && e.row === m.row && performance.now() - e.at < this.ttlMs ? m.actor : undefined;
  }

  /** Remembers what `recall` answers for a presented credential. */
  note(presented: string, r: Recalled): void {
    if (this.presented.size >= CACHE_MAX) this.presented.clear();
    this.presented.set(presented, r);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Drops a credential's cached row (it changed); `*` drops them all. */
  evict(keyId: string): void {
    this.generation++;
    if (keyId === "*") this.entries.clear();
    else this.entries.delete(keyId);
  }

  /**
   * Listens for credential changes announced by the database (migration
   * 0030's triggers): every replica drops a revoked or changed credential as
   * soon as the change commits, wherever it was made (API, CLI, another
   * replica). Each (re)connection of the listener clears the cache, so a
   * notice missed while it was down costs nothing but a lookup; CACHE_TTL_MS
   * stays the bound either way.
   */
  async listen(sql: Sql, health?: { onRecovered(fn: () => void): void }): Promise<{ unlisten(): Promise<void> }> {
    const subscribe = () =>
      sql.listen(
        CREDENTIALS_CHANNEL,
        (keyId) => this.evict(keyId),
        () => this.clear(),
      );
    let sub = await subscribe();
    let stopped = false;
    // postgres.js re-listens once when its connection closes, and gives up if
    // the database is still away: subscribe again whenever it is back.
    health?.onRecovered(() => {
      if (stopped) return;
      this.clear();
      void sub
        .unlisten()
        .catch(() => undefined)
        .then(() => (stopped ? undefined : subscribe()))
        .then((s) => s && (sub = s))
        .catch(() => undefined);
    });
    return {
      unlisten: () => {
        stopped = true;
        return sub.unlisten();
      },
    };
  }
}

export const CREDENTIALS_CHANNEL = "tailapi_credentials";

/** An authenticated credential: its actor, the cached row it came from, and until when (ms since the epoch) it may be used. */
type Recalled = { actor: Actor; row: CredentialRow; until: number };

/** An uncached lookup, for one-off checks (token endpoint, registration, bootstrap). */
export function directLookup(sql: Queryable): CredentialLookup {
  return { find: (keyId) => findCredential(sql, keyId) };
}

export type AuthServices = { sql: Sql; clock: Clock; credentials: CredentialCache; tokens: TokenService };

const ROLE_SCOPES = Object.fromEntries(ROLES.map((r) => [r, normalize(roleScopes(r))])) as unknown as Record<Role, ReadonlySet<string>>;

const expired = (row: CredentialRow, now: Date) => row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime();

/**
 * Who a presented API credential is: an API key (`tskey-api-…`) or an OAuth
 * access token (a JWT of ours). Every failure is the same 401; an OAuth client
 * secret used as an API token is a 403, as on Tailscale.
 */
export async function authenticate(token: string | undefined, s: AuthServices): Promise<Actor> {
  return (await resolve(token, s)).actor;
}

/**
 * `authenticate` for a credential as presented in a request (the whole
 * Authorization header value; `tokenOf` reads the token it carries): a
 * credential seen moments ago answers from `CredentialCache.recall` without
 * a promise, and a newly checked one is noted for the next request.
 */
export function authenticatePresented(
  presented: string | undefined,
  tokenOf: (presented: string | undefined) => string | undefined,
  s: AuthServices,
): Actor | Promise<Actor> {
  if (presented === undefined) return authenticate(undefined, s);
  const known = s.credentials.recall(presented, s.clock.now().getTime());
  if (known) return known;
  return resolve(tokenOf(presented), s).then((r) => {
    s.credentials.note(presented, r);
    return r.actor;
  });
}

async function resolve(token: string | undefined, s: AuthServices): Promise<Recalled> {
  if (!token) throw unauthorized();
  if (looksLikeJwt(token)) return authenticateAccessToken(token, s);
  const lookup = s.credentials.lookup(s.sql);
  if (token.startsWith("tskey-client-")) {
    const client = await verifySecret(token, "client", lookup);
    if (client && !client.revokedAt) throw forbidden();
    throw unauthorized();
  }
  const row = await verifySecret(token, "api", lookup);
  const actor = apiKeyActor(row, s.clock.now());
  if (!actor || !row) throw unauthorized();
  return { actor, row, until: row.expiresAt?.getTime() ?? Infinity };
}

/**
 * The actor an API key's row stands for: its user, with the user's role;
 * undefined when the key is not usable now. A suspended user's keys (or one
 * still waiting for approval) work again once the user is restored (approved).
 */
function apiKeyActor(row: CredentialRow | undefined, now: Date): Actor | undefined {
  if (!row || row.keyType !== "api" || row.revokedAt || expired(row, now) || !row.userId || !row.role || !row.loginName) return undefined;
  if (!row.userActive) return undefined;
  const role = row.role as Role;
  return {
    tailnetId: row.tailnetId,
    tailnetName: row.tailnetName,
    kind: "api",
    keyId: row.keyId,
    user: { id: row.userId, loginName: row.loginName, role },
    scopes: ROLE_SCOPES[role],
    tags: [],
    ownDevicesOnly: ownDevicesOnly(role),
  };
}

/**
 * An OAuth client acting in the web console: as an access token minted with
 * every scope and tag the client holds now. Undefined when it is revoked.
 */
function clientActor(row: CredentialRow | undefined): Actor | undefined {
  if (!row || row.keyType !== "client" || row.revokedAt) return undefined;
  return {
    tailnetId: row.tailnetId,
    tailnetName: row.tailnetName,
    kind: "oauth",
    keyId: row.keyId,
    scopes: normalize(row.scopes),
    tags: row.tags,
    creatorUserId: row.userId ?? undefined,
    ownDevicesOnly: false,
  };
}

/** What a person signs in to the web console with. */
export type ConsoleCredentials = { apiKey: string } | { clientId: string; clientSecret: string };

/**
 * Signing in to the web console: an API key (acting with its user's role), or
 * an OAuth client's id and secret (acting with the client's scopes and tags).
 * Every failure is the same 401.
 */
export async function authenticateConsole(creds: ConsoleCredentials, s: AuthServices): Promise<Actor> {
  const lookup = s.credentials.lookup(s.sql);
  const actor =
    "apiKey" in creds
      ? apiKeyActor(await verifySecret(creds.apiKey.trim(), "api", lookup), s.clock.now())
      : clientActor(await verifySecret(creds.clientSecret.trim(), "client", lookup));
  if (!actor || ("clientId" in creds && creds.clientId.trim() !== actor.keyId)) throw unauthorized();
  return actor;
}

/**
 * The credential a console session was signed in with, checked again now (a
 * revoked or expired key, a deleted client or user ends the session; rows
 * come through the credential cache, so within CACHE_TTL_MS on every replica).
 */
export async function authenticateKey(keyId: string, s: AuthServices): Promise<Actor> {
  const row = await s.credentials.get(s.sql, keyId);
  const actor = row?.keyType === "client" ? clientActor(row) : apiKeyActor(row, s.clock.now());
  if (!actor) throw unauthorized();
  return actor;
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
async function authenticateAccessToken(token: string, s: AuthServices): Promise<Recalled> {
  const claims = await s.tokens.verify(s.sql, token, s.clock.now());
  if (!claims) throw unauthorized();
  const client = await s.credentials.get(s.sql, claims.clientId);
  if (!client || client.keyType !== "client" || client.revokedAt || client.tailnetId !== claims.tailnetId) throw unauthorized();
  const actor: Actor = {
    tailnetId: client.tailnetId,
    tailnetName: client.tailnetName,
    kind: "oauth",
    keyId: client.keyId,
    scopes: effectiveScopes(client, claims),
    tags: claims.tags.filter((t) => client.tags.includes(t)),
    creatorUserId: client.userId ?? undefined,
    ownDevicesOnly: false,
  };
  return { actor, row: client, until: claims.expiresAt };
}
