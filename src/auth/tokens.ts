import { createHash, randomBytes } from "node:crypto";
import {
  compactDecrypt,
  CompactEncrypt,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
} from "jose";
import { findSigningKey, getVerificationKey, insertSigningKey, pruneSigningKeys } from "../db/signing-keys.js";
import { lockUntilCommit } from "../db/locks.js";
import type { Sql } from "../db/sql.js";

/** OAuth access tokens live one hour, as Tailscale's do. */
export const TOKEN_LIFETIME_S = 3600;
/** A signing key signs for 30 days, then verifies for one more token lifetime (plus clock skew) and is dropped. */
const SIGN_WINDOW_S = 30 * 86400;
const SKEW_S = 300;
const ALG = "Ed25519";
const ISSUER = "tailapi";
const TYP = "at+jwt";
const CACHE_MAX = 10_000;

export type TokenClaims = { tailnetId: string; clientId: string; scopes: string[]; tags: string[]; expiresAt: number };

/**
 * Mints and verifies OAuth access tokens: JWTs signed with a per-tailnet
 * Ed25519 key kept in the database. Private keys are stored as JWEs (dir +
 * A256GCM) under the master key; public keys in clear, so every replica
 * verifies every token. A replica whose master key cannot open the current
 * key makes its own signing key: tokens stay verifiable everywhere.
 *
 * In-process state is only caches of immutable things: decrypted signing keys
 * (re-read after 60 s), public keys by kid, and tokens already verified (kept
 * until they expire; the exact token bytes are the cache key).
 */
export class TokenService {
  readonly masterKeyId: string;
  private signers = new Map<string, { kid: string; key: CryptoKey; signUntil: number; at: number }>();
  private publicKeys = new Map<string, { key: CryptoKey; verifyUntil: number }>();
  private verified = new Map<string, TokenClaims>();

  constructor(private readonly masterKey: Uint8Array) {
    if (masterKey.length !== 32) throw new Error("the master key must be 32 bytes");
    this.masterKeyId = createHash("sha256").update(masterKey).digest("hex").slice(0, 16);
  }

  async mint(sql: Sql, c: { tailnetId: string; clientId: string; scopes: string[]; tags: string[] }, now: Date): Promise<{ token: string; expiresIn: number }> {
    const signer = await this.signer(sql, c.tailnetId, now);
    const iat = Math.floor(now.getTime() / 1000);
    const token = await new SignJWT({ tid: c.tailnetId, scp: c.scopes, tags: c.tags })
      .setProtectedHeader({ alg: ALG, kid: signer.kid, typ: TYP })
      .setIssuer(ISSUER)
      .setSubject(c.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + TOKEN_LIFETIME_S)
      .setJti(randomBytes(12).toString("base64url"))
      .sign(signer.key);
    return { token, expiresIn: TOKEN_LIFETIME_S };
  }

  /** The token's claims if it is a well-formed, correctly signed, unexpired token of ours; else undefined. */
  async verify(sql: Sql, token: string, now: Date): Promise<TokenClaims | undefined> {
    const nowMs = now.getTime();
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.expiresAt > nowMs) return hit;
      this.verified.delete(token);
      return undefined;
    }
    let tid: unknown;
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== ALG || header.typ !== TYP || typeof header.kid !== "string") return undefined;
      kid = header.kid;
      tid = decodeJwt(token).tid;
    } catch {
      return undefined;
    }
    // Nothing in the token is trusted before its signature verifies: tid and
    // kid only pick the key that must have signed it, and must look like the
    // values we mint (a bigint tailnet id, a base64url key id) first.
    if (typeof tid !== "string" || !isBigintText(tid) || !KID.test(kid)) return undefined;
    const key = await this.publicKey(sql, tid, kid, nowMs);
    if (!key) return undefined;
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: [ALG], issuer: ISSUER, typ: TYP, currentDate: now });
      const { sub, scp, tags, exp } = payload as { sub?: unknown; scp?: unknown; tags?: unknown; exp?: unknown };
      if (typeof sub !== "string" || !isStringArray(scp) || !isStringArray(tags) || typeof exp !== "number") return undefined;
      const claims: TokenClaims = { tailnetId: tid, clientId: sub, scopes: scp, tags, expiresAt: exp * 1000 };
      if (this.verified.size >= CACHE_MAX) this.verified.clear();
      this.verified.set(token, claims);
      return claims;
    } catch {
      return undefined;
    }
  }

  private async publicKey(sql: Sql, tailnetId: string, kid: string, nowMs: number): Promise<CryptoKey | undefined> {
    const id = `${tailnetId}:${kid}`;
    let entry = this.publicKeys.get(id);
    if (!entry) {
      const row = await getVerificationKey(sql, tailnetId, kid);
      if (!row) return undefined;
      entry = { key: (await importJWK(row.publicJwk, ALG)) as CryptoKey, verifyUntil: row.verifyUntil.getTime() };
      if (this.publicKeys.size >= CACHE_MAX) this.publicKeys.clear();
      this.publicKeys.set(id, entry);
    }
    return entry.verifyUntil > nowMs ? entry.key : undefined;
  }

  private async signer(sql: Sql, tailnetId: string, now: Date) {
    const nowMs = now.getTime();
    const cached = this.signers.get(tailnetId);
    // Stop signing with a key one token lifetime before it retires, so no token outlives its key.
    if (cached && cached.signUntil > nowMs && nowMs - cached.at < 60_000) return cached;
    const loaded = await sql.begin(async (tx) => {
      await lockUntilCommit(tx, "signingKeys", tailnetId);
      const row = await findSigningKey(tx, tailnetId, this.masterKeyId, now);
      if (row) {
        const jwk = JSON.parse(new TextDecoder().decode((await compactDecrypt(row.privateJwe, this.masterKey)).plaintext));
        return { kid: row.kid, key: (await importJWK(jwk, ALG)) as CryptoKey, signUntil: row.signUntil.getTime() };
      }
      await pruneSigningKeys(tx, tailnetId, now);
      const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
      const kid = randomBytes(9).toString("base64url");
      const privateJwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(await exportJWK(privateKey))))
        .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid })
        .encrypt(this.masterKey);
      const signUntil = new Date(nowMs + SIGN_WINDOW_S * 1000);
      await insertSigningKey(tx, {
        tailnetId,
        kid,
        alg: ALG,
        publicJwk: (await exportJWK(publicKey)) as Record<string, unknown>,
        privateJwe,
        masterKeyId: this.masterKeyId,
        createdAt: now,
        signUntil,
        verifyUntil: new Date(signUntil.getTime() + (TOKEN_LIFETIME_S + SKEW_S) * 1000),
      });
      return { kid, key: privateKey, signUntil: signUntil.getTime() };
    });
    const entry = { ...loaded, at: nowMs };
    this.signers.set(tailnetId, entry);
    return entry;
  }
}

const KID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_BIGINT = 9223372036854775807n;

/** A canonical decimal that fits PostgreSQL's bigint (tailnet ids are positive). */
function isBigintText(s: string): boolean {
  return /^[1-9]\d{0,18}$/.test(s) && BigInt(s) <= MAX_BIGINT;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/** Whether a bearer value looks like a JWT (three base64url parts) rather than a tskey. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}
