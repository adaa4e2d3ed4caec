import { mintSecret, type MintedSecret } from "../auth/credentials.js";
import { grants, isKnownScope, uncovered, type Scope } from "../auth/scopes.js";
import {
  expireKeyNow,
  getKey as getKeyRow,
  insertKey,
  listKeys as listKeyRows,
  streamKeys as streamKeyRows,
  revokeKey as revokeKeyRow,
  updateClient,
  type KeyRow,
  type KeyType,
} from "../db/keys.js";
import type { Queryable } from "../db/sql.js";
import { findUserByLogin, listUsers, type User } from "../db/users.js";
import type { Ids } from "../lib/ids.js";
import { forbidden, invalid, notFound } from "../lib/errors.js";
import { creatorOf, type Actor } from "./actor.js";
import { audit, type AuditTarget } from "./audit.js";
import type { Deps } from "./deps.js";
import { loadPolicy } from "./policies.js";
import { principalOf, requireOwnedTags } from "./policy.js";
import { resolveUserRef } from "./users.js";

export type { KeyRow as Key, KeyType };

export const DAY = 86_400;
/** Default and longest lifetime of API access tokens and auth keys (Tailscale: 90 days). */
export const MAX_KEY_EXPIRY_SECONDS = 90 * DAY;

/** Key types the keys API manages (node credentials are the devices' own). */
export type ManagedKeyType = Exclude<KeyType, "node">;

/** The scope that governs keys of a type, for reading or writing. */
export function scopeFor(type: ManagedKeyType, write: boolean): Scope {
  const base = type === "auth" ? "auth_keys" : type === "client" ? "oauth_keys" : "api_access_tokens";
  return (write ? base : `${base}:read`) as Scope;
}

export const KEY_READ_SCOPES = ["auth_keys:read", "oauth_keys:read", "api_access_tokens:read"] as const satisfies readonly Scope[];
export const KEY_WRITE_SCOPES = ["auth_keys", "oauth_keys", "api_access_tokens"] as const satisfies readonly Scope[];

/** Members see only their own keys; others' answer 404, like missing ones. Node credentials are never keys-API keys. */
function visibleTo(actor: Actor, k: KeyRow): boolean {
  return k.keyType !== "node" && (!actor.ownDevicesOnly || k.userId === actor.user?.id);
}

/** The key's type must be readable (or writable) by the actor's scopes, else 403. */
function requireKeyScope(actor: Actor, k: KeyRow, write: boolean): void {
  if (!grants(actor.scopes, scopeFor(k.keyType as ManagedKeyType, write))) throw forbidden();
}

/** Key types the actor may read. */
function readableTypes(actor: Actor): ManagedKeyType[] {
  return (["auth", "client", "api"] as const).filter((t) => grants(actor.scopes, scopeFor(t, false)));
}

/** A key as an audit target: every kind of key is Tailscale's API_KEY target; its name says which kind. */
export function keyTarget(k: Pick<KeyRow, "keyId" | "keyType" | "description">, property?: string): AuditTarget {
  const kind = k.keyType === "auth" ? "auth key" : k.keyType === "client" ? "OAuth client" : "API access token";
  return { type: "API_KEY", id: k.keyId, name: k.description ? `${kind}: ${k.description}` : kind, property };
}

/** What the audit log keeps of a new key: its settings, never its secret. */
export function keySummary(k: KeyRow): Record<string, unknown> {
  const s: Record<string, unknown> = { keyType: k.keyType, description: k.description, expires: k.expiresAt?.toISOString() ?? null };
  if (k.keyType === "auth") Object.assign(s, { reusable: k.reusable, ephemeral: k.ephemeral, preauthorized: k.preauthorized, tags: k.tags });
  if (k.keyType === "client") Object.assign(s, { scopes: k.scopes, tags: k.tags });
  if (k.userId) s.userId = k.userId;
  return s;
}

/** Inserts an API access token for a user; `secret` may be given (bootstrap keys), else one is minted. */
export async function insertApiKey(
  db: Queryable,
  ids: Ids,
  tailnetId: string,
  userId: string,
  o: { expirySeconds: number; description: string; secret?: MintedSecret },
  now: Date,
): Promise<{ row: KeyRow; secret: string }> {
  const m = o.secret ?? mintSecret("api", ids.keyId());
  const row = await insertKey(db, {
    tailnetId,
    keyId: m.keyId,
    keyType: "api",
    secretHash: m.hash,
    userId,
    description: o.description,
    createdAt: now,
    expiresAt: new Date(now.getTime() + o.expirySeconds * 1000),
  });
  return { row, secret: m.full };
}

/**
 * An API access token for a user of the actor's tailnet (the actor's own user
 * when none is named). Only the CLI makes them, as Tailscale keeps them in its
 * admin console.
 */
export async function createApiKey(
  d: Deps,
  actor: Actor,
  o: { userLogin?: string; expirySeconds: number; description: string },
): Promise<{ row: KeyRow; secret: string; loginName: string }> {
  if (!grants(actor.scopes, "api_access_tokens")) throw forbidden();
  const user = o.userLogin ? await findUserByLogin(d.sql, actor.tailnetId, o.userLogin) : undefined;
  if (o.userLogin && !user) throw notFound(`no user ${o.userLogin} in tailnet ${actor.tailnetName}`);
  const userId = user?.userId ?? actor.user?.id;
  if (!userId) throw invalid("an API access token needs a user");
  const r = await d.sql.begin(async (tx) => {
    const r = await insertApiKey(tx, d.ids, actor.tailnetId, userId, o, d.clock.now());
    await audit(tx, d, actor, { action: "CREATE", target: keyTarget(r.row), new: keySummary(r.row) });
    return r;
  });
  return { ...r, loginName: user?.loginName ?? actor.user!.loginName };
}

export type AuthKeyOptions = {
  reusable: boolean;
  ephemeral: boolean;
  preauthorized: boolean;
  tags: string[];
  expirySeconds: number;
  description: string;
};

/** An auth key, attributed to the actor; its tags must be the actor's to give. */
export async function createAuthKey(d: Deps, actor: Actor, o: AuthKeyOptions): Promise<{ row: KeyRow; secret: string }> {
  if (!grants(actor.scopes, "auth_keys")) throw forbidden();
  if (actor.kind === "oauth" && o.tags.length === 0) throw invalid("auth keys created with an OAuth access token must have tags");
  if (o.tags.length) requireOwnedTags(await loadPolicy(d.sql, actor.tailnetId), principalOf(actor), o.tags);
  const creator = creatorOf(actor);
  const m = mintSecret("auth", d.ids.keyId());
  const now = d.clock.now();
  const row = await d.sql.begin(async (tx) => {
   const row = await insertKey(tx, {
    tailnetId: actor.tailnetId,
    keyId: m.keyId,
    keyType: "auth",
    secretHash: m.hash,
    userId: creator.userId,
    createdByClient: creator.clientId,
    description: o.description,
    createdAt: now,
    expiresAt: new Date(now.getTime() + o.expirySeconds * 1000),
    reusable: o.reusable,
    ephemeral: o.ephemeral,
    preauthorized: o.preauthorized,
    tags: [...new Set(o.tags)].sort(),
   });
    await audit(tx, d, actor, { action: "CREATE", target: keyTarget(row), new: keySummary(row) });
    return row;
  });
  return { row, secret: m.full };
}

/** Scopes that, as on Tailscale, require an OAuth client to carry tags. */
const TAGGED_SCOPES = new Set(["devices:core", "auth_keys", "devices"]);

export type ClientSpec = { scopes: string[]; tags: string[]; description: string };

/** An actor may only give an OAuth client scopes and tags it could grant itself. */
async function checkClientGrant(d: Deps, actor: Actor, spec: ClientSpec): Promise<void> {
  if (spec.scopes.length === 0) throw invalid("an OAuth client needs at least one scope");
  const unknown = spec.scopes.filter((s) => !isKnownScope(s));
  if (unknown.length) throw invalid(`unknown scopes: ${unknown.join(" ")}`);
  const needTags = spec.scopes.filter((s) => TAGGED_SCOPES.has(s));
  if (needTags.length && spec.tags.length === 0) throw invalid(`OAuth clients with scopes ${needTags.join(", ")} must have tags`);
  const missing = uncovered(actor.scopes, spec.scopes);
  if (missing.length) throw forbidden(`calling actor cannot grant scopes "${missing.join(" ")}"`);
  if (spec.tags.length) requireOwnedTags(await loadPolicy(d.sql, actor.tailnetId), principalOf(actor), spec.tags);
}

export async function createOAuthClient(d: Deps, actor: Actor, spec: ClientSpec): Promise<{ row: KeyRow; secret: string }> {
  if (!grants(actor.scopes, "oauth_keys")) throw forbidden();
  await checkClientGrant(d, actor, spec);
  const creator = creatorOf(actor);
  const m = mintSecret("client", d.ids.keyId());
  const row = await d.sql.begin(async (tx) => {
    const row = await insertKey(tx, {
      tailnetId: actor.tailnetId,
      keyId: m.keyId,
      keyType: "client",
      secretHash: m.hash,
      userId: creator.userId,
      createdByClient: creator.clientId,
      description: spec.description,
      createdAt: d.clock.now(),
      expiresAt: null,
      tags: [...new Set(spec.tags)].sort(),
      scopes: [...new Set(spec.scopes)],
    });
    await audit(tx, d, actor, { action: "CREATE", target: keyTarget(row), new: keySummary(row) });
    return row;
  });
  return { row, secret: m.full };
}

/** Replaces an OAuth client's scopes, tags and description. */
export async function updateOAuthClient(d: Deps, actor: Actor, keyId: string, spec: ClientSpec): Promise<KeyRow> {
  const key = await getKeyRow(d.sql, actor.tailnetId, keyId);
  if (!key || !visibleTo(actor, key)) throw notFound();
  if (key.keyType !== "client") throw invalid(`only OAuth clients can be updated; this key is of type ${key.keyType}`);
  await checkClientGrant(d, actor, spec);
  return d.sql.begin(async (tx) => {
    const row = await updateClient(
      tx,
      actor.tailnetId,
      keyId,
      { scopes: [...new Set(spec.scopes)], tags: [...new Set(spec.tags)].sort(), description: spec.description },
      d.clock.now(),
    );
    if (!row) throw notFound();
    await audit(tx, d, actor, {
      action: "UPDATE",
      target: keyTarget(row),
      old: { scopes: key.scopes, tags: key.tags, description: key.description },
      new: { scopes: row.scopes, tags: row.tags, description: row.description },
    });
    return row;
  });
}

/** One key (never its secret). Any credential may read the key it is itself. */
export async function getKey(d: Deps, actor: Actor, keyId: string): Promise<KeyRow> {
  const key = await getKeyRow(d.sql, actor.tailnetId, keyId);
  if (!key || !visibleTo(actor, key)) throw notFound();
  if (key.keyId !== actor.keyId) requireKeyScope(actor, key, false);
  return key;
}

/**
 * The active keys the actor may read: auth keys and OAuth clients, plus API
 * access tokens when `withApiKeys` (Tailscale's `?all=true`). Revoked and
 * expired keys stay readable one by one, but are not listed.
 */
export async function listKeys(d: Deps, actor: Actor, o: { withApiKeys: boolean }): Promise<KeyRow[]> {
  const types = listedTypes(actor, o);
  if (types.length === 0) return [];
  return (await listKeyRows(d.sql, actor.tailnetId, types, d.clock.now())).filter((k) => visibleTo(actor, k));
}

/** The same list as listKeys, in batches from a cursor: what the API streams, so a tailnet with many keys never sits in memory. */
export async function* streamKeys(d: Deps, actor: Actor, o: { withApiKeys: boolean }): AsyncGenerator<KeyRow[]> {
  const types = listedTypes(actor, o);
  if (types.length === 0) return;
  for await (const rows of streamKeyRows(d.sql, actor.tailnetId, types, d.clock.now())) yield rows.filter((k) => visibleTo(actor, k));
}

/** The key types a list shows the actor: those it may read, API access tokens only `withApiKeys`. */
const listedTypes = (actor: Actor, o: { withApiKeys: boolean }) => readableTypes(actor).filter((t) => o.withApiKeys || t !== "api");

/** Every key of one type, in every state (the CLI's listings). */
export async function listKeysOfType(d: Deps, actor: Actor, type: ManagedKeyType): Promise<KeyRow[]> {
  if (!grants(actor.scopes, scopeFor(type, false))) throw forbidden();
  return (await listKeyRows(d.sql, actor.tailnetId, [type])).filter((k) => visibleTo(actor, k));
}

/** Revokes a key (it stays readable with `invalid: true`). `type` narrows which keys may be named. */
export async function revokeKey(d: Deps, actor: Actor, keyId: string, type?: ManagedKeyType): Promise<KeyRow> {
  const key = await getKeyRow(d.sql, actor.tailnetId, keyId);
  if (!key || !visibleTo(actor, key) || (type && key.keyType !== type)) throw notFound();
  requireKeyScope(actor, key, true);
  return d.sql.begin(async (tx) => {
    const row = (await revokeKeyRow(tx, actor.tailnetId, keyId, d.clock.now()))!;
    // Tailscale's name is API_KEY.REVOKE; deleting an OAuth client is a DELETE of it.
    await audit(tx, d, actor, { action: key.keyType === "client" ? "DELETE" : "REVOKE", target: keyTarget(row) });
    return row;
  });
}

// ---------------------------------------------------------------- headscale's pre-auth keys (tailapi extension)

/** headscale's default lifetime of a pre-auth key: one hour. */
export const PREAUTH_DEFAULT_SECONDS = 3600;

export type UserAuthKeyOptions = AuthKeyOptions & { user?: string };

/**
 * An auth key for a user (headscale's `preauthkeys create --user U`): the
 * devices it registers are that user's (or, with tags, tagged devices). With
 * tags and no user (`preauthkeys create --tags tag:x`), the key belongs to no
 * user and its devices are owned by their tags alone; with neither, it is the
 * actor's, as Tailscale's POST /keys makes it. Members make keys for
 * themselves only. Tags are checked as for every key: defined in tagOwners
 * and owned by the actor.
 */
export async function createUserAuthKey(d: Deps, actor: Actor, o: UserAuthKeyOptions): Promise<{ row: KeyRow; secret: string; user: User | undefined }> {
  if (!grants(actor.scopes, "auth_keys")) throw forbidden();
  if (actor.kind === "oauth" && o.tags.length === 0) throw invalid("auth keys created with an OAuth access token must have tags");
  const tags = [...new Set(o.tags)].sort();
  if (tags.length) requireOwnedTags(await loadPolicy(d.sql, actor.tailnetId), principalOf(actor), tags);
  const users = await listUsers(d.sql, actor.tailnetId);
  let user: User | undefined;
  if (o.user !== undefined) user = resolveUserRef(users, o.user);
  else if (actor.ownDevicesOnly || tags.length === 0) user = users.find((u) => u.userId === creatorOf(actor).userId);
  if (actor.ownDevicesOnly && user?.userId !== actor.user?.id) throw forbidden();
  if (user && (user.suspendedAt || !user.approved)) throw invalid(`user ${user.loginName} is suspended or not approved`);
  if (!user && tags.length === 0) throw invalid("an auth key without tags needs a user");
  const m = mintSecret("auth", d.ids.keyId());
  const now = d.clock.now();
  const row = await d.sql.begin(async (tx) => {
   const row = await insertKey(tx, {
    tailnetId: actor.tailnetId,
    keyId: m.keyId,
    keyType: "auth",
    secretHash: m.hash,
    userId: user?.userId ?? null,
    createdByClient: actor.kind === "oauth" ? actor.keyId : null,
    description: o.description,
    createdAt: now,
    expiresAt: new Date(now.getTime() + o.expirySeconds * 1000),
    reusable: o.reusable,
    ephemeral: o.ephemeral,
    preauthorized: o.preauthorized,
    tags,
   });
    await audit(tx, d, actor, { action: "CREATE", target: keyTarget(row), new: keySummary(row) });
    return row;
  });
  return { row, secret: m.full, user };
}

/** Every auth key the actor may read, in every state (headscale's `preauthkeys list`), optionally of one user only. */
export async function listAuthKeys(d: Deps, actor: Actor, userRef?: string): Promise<{ key: KeyRow; user: User | undefined }[]> {
  if (!grants(actor.scopes, "auth_keys:read")) throw forbidden();
  const users = await listUsers(d.sql, actor.tailnetId);
  const only = userRef !== undefined ? resolveUserRef(users, userRef) : undefined;
  const byId = new Map(users.map((u) => [u.userId, u]));
  return (await listKeyRows(d.sql, actor.tailnetId, ["auth"]))
    .filter((k) => visibleTo(actor, k) && (!only || k.userId === only.userId))
    .map((key) => ({ key, user: key.userId ? byId.get(key.userId) : undefined }));
}

/**
 * Expires an auth key now (headscale's `preauthkeys expire`): it registers
 * nothing more, and lists as expired. With `userRef`, the key must be that
 * user's (else 404).
 */
export async function expireAuthKey(d: Deps, actor: Actor, keyId: string, userRef?: string): Promise<{ key: KeyRow; user: User | undefined }> {
  const key = await getKeyRow(d.sql, actor.tailnetId, keyId);
  if (!key || key.keyType !== "auth" || !visibleTo(actor, key)) throw notFound();
  requireKeyScope(actor, key, true);
  const users = await listUsers(d.sql, actor.tailnetId);
  if (userRef !== undefined && resolveUserRef(users, userRef).userId !== key.userId) throw notFound();
  const row = await d.sql.begin(async (tx) => {
    const row = (await expireKeyNow(tx, actor.tailnetId, keyId, d.clock.now()))!;
    await audit(tx, d, actor, { action: "UPDATE", target: keyTarget(row, "EXPIRY"), old: key.expiresAt?.toISOString() ?? null, new: row.expiresAt!.toISOString() });
    return row;
  });
  return { key: row, user: users.find((u) => u.userId === row.userId) };
}
