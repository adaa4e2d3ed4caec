/** @jsxImportSource hono/jsx */
import { timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { authenticateKey } from "../auth/authenticate.js";
import { endSession, findSession, setFlash, type Flash, type Session } from "../domain/sessions.js";
import type { AppEnv } from "../http/context.js";
import { DomainError } from "../lib/errors.js";
import { consoleDeps, field, readForm, type CC, type ConsoleEnv } from "./context.js";
import { BarePage, render } from "./ui.js";

/**
 * Sessions, CSRF and headers of the console. The session cookie holds
 * `<tailnet id>.<secret>` (only a hash of the secret is stored), is httpOnly,
 * SameSite=Strict, Secure when the request came over HTTPS, and scoped to
 * /admin. Every request checks the session and then the credential it was
 * signed in with; every POST must carry the session's CSRF token.
 */
export const SESSION_COOKIE = "tailapi_session";

/** No inline script or style, nothing from elsewhere; forms post only here; no framing. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Headers of every console answer: pages hold secrets and per-session tokens, so nothing is cached. */
export const consoleHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("Content-Security-Policy", CONSOLE_CSP);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "same-origin");
  c.header("X-Frame-Options", "DENY");
  if (!c.res.headers.has("cache-control")) c.header("Cache-Control", "no-store");
};

/** Whether the browser reached us over HTTPS (directly, or through a proxy that says so). */
export function isHttps(c: Context): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  return c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

export function cookieOptions(c: Context, maxAgeSeconds: number) {
  return { path: "/admin", httpOnly: true, sameSite: "Strict" as const, secure: isHttps(c), maxAge: maxAgeSeconds };
}

export function setSessionCookie(c: Context, token: string, expiresAt: Date, now: Date): void {
  setCookie(c, SESSION_COOKIE, token, cookieOptions(c, Math.max(1, Math.floor((expiresAt.getTime() - now.getTime()) / 1000))));
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/admin", secure: isHttps(c) });
}

/** Only paths of the console itself are followed after sign-in (no open redirect). */
export function safeNext(next: string | undefined): string | undefined {
  if (!next || !/^\/admin(\/|$|\?)/.test(next) || next.startsWith("//") || /[\\\s]/.test(next)) return undefined;
  return next;
}

function toSignIn(c: Context, reason?: "expired") {
  const here = c.req.method === "GET" ? safeNext(new URL(c.req.url).pathname + new URL(c.req.url).search) : undefined;
  const q = new URLSearchParams();
  if (here && here !== "/admin" && here !== "/admin/") q.set("next", here);
  if (reason) q.set("reason", reason);
  const qs = q.toString();
  return c.redirect(`/admin/login${qs ? `?${qs}` : ""}`, 303);
}

/**
 * A link followed from another site (a shared invite in a chat) arrives
 * without the SameSite=Strict cookie. Rather than ask a signed-in person to
 * sign in again, the page reloads itself once from this origin, which sends
 * the cookie; with no session, that reload goes to sign-in as usual.
 */
function reloadSameSite(c: Context) {
  const url = new URL(c.req.url);
  const here = url.pathname + url.search;
  return render(
    c,
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="refresh" content={`0; url=${here}`} />
        <title>Opening tailapi</title>
        <link rel="stylesheet" href="/admin/assets/console.css" />
      </head>
      <body class="bare">
        <main id="main">
          <h1>Opening the console</h1>
          <p>
            <a href={here}>Continue</a>
          </p>
        </main>
      </body>
    </html>,
  );
}

/** Constant-time comparison of the posted CSRF token with the session's. */
export function csrfMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The refusal of a form that did not come from a page of this session. Nothing was changed. */
export function csrfRefused(c: Context) {
  return render(
    c,
    <BarePage title="This form was not accepted">
      <p>
        It did not come from a page of your current console session (the page may be out of date, or another site sent it). Nothing was
        changed.
      </p>
      <p>
        <a href="/admin">Back to the console</a>, reload the page and try again.
      </p>
    </BarePage>,
    403,
  );
}

/**
 * Every console page but sign-in and assets: a live session whose credential
 * still works (else to sign-in), and for a POST a matching CSRF token and no
 * cross-site origin (else 403, nothing done).
 */
export const requireSession: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
  const d = consoleDeps(c);
  const token = getCookie(c, SESSION_COOKIE);
  const session = await findSession(d, token);
  if (!session) {
    if (token) clearSessionCookie(c);
    if (!token && c.req.method === "GET" && c.req.header("sec-fetch-site") === "cross-site") return reloadSameSite(c);
    return toSignIn(c, token ? "expired" : undefined);
  }
  let actor;
  try {
    actor = await authenticateKey(session.keyId, c.get("services"));
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    // The key was revoked or expired, the client or user deleted: the session ends with it.
    await endSession(d, session);
    clearSessionCookie(c);
    return toSignIn(c, "expired");
  }
  if (c.req.method === "POST") {
    if (c.req.header("sec-fetch-site") === "cross-site") return csrfRefused(c);
    const form = await readForm(c).catch(() => undefined);
    if (!form || !csrfMatches(field(form, "csrf"), session.csrfToken)) return csrfRefused(c);
  }
  if (session.flash) await setFlash(d, session, null);
  c.set("session", session);
  c.set("actor", actor);
  c.set("flash", session.flash);
  await next();
};

/** Leaves a message for the next page and redirects there (303: the browser follows with a GET). */
export async function redirectWith(c: CC, to: string, flash: Flash) {
  await setFlash(consoleDeps(c), c.get("session") as Session, flash);
  return c.redirect(to, 303);
}
