import { hashSecret } from "../auth/credentials.js";
import { deleteExpiredSessions, deleteSession, getSession, insertSession, setSessionFlash } from "../db/sessions.js";
import { randomBase62 } from "../lib/ids.js";
import { invalid } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { audit, type AuditTarget } from "./audit.js";
import type { Deps } from "./deps.js";

/**
 * Web console sessions. A session stands for the credential it was signed in
 * with (an API key or an OAuth client) and never outlives SESSION_TTL_MS; the
 * caller checks that credential again on every request. The token the browser
 * holds is `<tailnet id>.<secret>`: the tailnet id scopes the lookup, only a
 * SHA-256 of the secret is stored.
 */
export const SESSION_TTL_MS = 12 * 3600_000;

/** A one-time message for the next page: what a form post did, or why it was refused. */
export type Flash = { kind: "ok" | "error"; text: string };

export type Session = { tailnetId: string; keyId: string; csrfToken: string; flash: Flash | null; expiresAt: Date; tokenHash: Buffer };

const TOKEN = /^(\d{1,16})\.([A-Za-z0-9]{32})$/;

function parseToken(token: string): { tailnetId: string; hash: Buffer } | undefined {
  const m = TOKEN.exec(token);
  return m ? { tailnetId: m[1]!, hash: hashSecret(m[2]!) } : undefined;
}

/** Who signed in or out, as the audit log names it: the user, or the OAuth client. */
function whoTarget(actor: Actor): AuditTarget {
  return actor.user ? { type: "USER", id: actor.user.id, name: actor.user.loginName } : { type: "API_KEY", id: actor.keyId, name: "OAuth client" };
}

/**
 * Opens a session for a signed-in credential (recorded in the audit log as a
 * LOGIN); returns the token for the cookie (shown to nobody else).
 */
export async function startSession(d: Deps, actor: Actor): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  if (actor.kind === "cli") throw invalid("the CLI does not sign in to the console");
  const secret = randomBase62(32);
  const csrfToken = d.ids.token();
  const now = d.clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await d.sql.begin(async (tx) => {
    await deleteExpiredSessions(tx, actor.tailnetId, now);
    await insertSession(tx, { tailnetId: actor.tailnetId, tokenHash: hashSecret(secret), keyId: actor.keyId, csrfToken, createdAt: now, expiresAt });
    await audit(tx, d, actor, { action: "LOGIN", target: whoTarget(actor), details: "signed in to the web console" });
  });
  return { token: `${actor.tailnetId}.${secret}`, csrfToken, expiresAt };
}

/** The live session a token names, or undefined (malformed, unknown, expired or ended). */
export async function findSession(d: Deps, token: string | undefined): Promise<Session | undefined> {
  const t = token ? parseToken(token) : undefined;
  if (!t) return undefined;
  const row = await getSession(d.sql, t.tailnetId, t.hash, d.clock.now());
  if (!row) return undefined;
  return { tailnetId: row.tailnetId, keyId: row.keyId, csrfToken: row.csrfToken, flash: (row.flash as Flash | null) ?? null, expiresAt: row.expiresAt, tokenHash: t.hash };
}

/** Ends a session quietly (it expired, or its credential stopped working). */
export async function endSession(d: Deps, session: Pick<Session, "tailnetId" | "tokenHash">): Promise<void> {
  await deleteSession(d.sql, session.tailnetId, session.tokenHash);
}

/** Sign-out: ends the session, recorded in the audit log as a LOGOUT. */
export async function signOut(d: Deps, actor: Actor, session: Pick<Session, "tailnetId" | "tokenHash">): Promise<void> {
  await d.sql.begin(async (tx) => {
    await deleteSession(tx, session.tailnetId, session.tokenHash);
    await audit(tx, d, actor, { action: "LOGOUT", target: whoTarget(actor), details: "signed out of the web console" });
  });
}

/** Leaves a message for the session's next page (null clears it, once shown). */
export async function setFlash(d: Deps, session: Pick<Session, "tailnetId" | "tokenHash">, flash: Flash | null): Promise<void> {
  await setSessionFlash(d.sql, session.tailnetId, session.tokenHash, flash);
}
