/** @jsxImportSource hono/jsx */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { authenticateConsole, authenticateKey, type ConsoleCredentials } from "../../auth/authenticate.js";
import { endSession, findSession, signOut, startSession } from "../../domain/sessions.js";
import { DomainError } from "../../lib/errors.js";
import { sourceAddress } from "../../http/rate-limit.js";
import { randomBase62 } from "../../lib/ids.js";
import { consoleDeps, field, readForm, type ConsoleApp } from "../context.js";
import { clearSessionCookie, cookieOptions, csrfMatches, csrfRefused, safeNext, SESSION_COOKIE, setSessionCookie } from "../session.js";
import { BarePage, Csrf, FlashMessage, homeOf, Page, render } from "../ui.js";
import type { Flash } from "../../domain/sessions.js";

/**
 * Sign-in and sign-out. Before there is a session, the sign-in form is
 * protected by a double-submit token: a random value in a SameSite=Strict
 * cookie of its own and in the form, which must match.
 */
const LOGIN_COOKIE = "tailapi_login";
const LOGIN_COOKIE_MAX_AGE = 3600;

const REASONS: Record<string, Flash> = {
  expired: { kind: "error", text: "Your session ended: it expired, or the key it was signed in with is no longer valid. Sign in again." },
  "signed-out": { kind: "ok", text: "Signed out." },
};

function LoginPage(props: { token: string; next?: string; flash?: Flash | null; clientId?: string }) {
  return (
    <BarePage title="Sign in to the console">
      <FlashMessage flash={props.flash ?? null} />
      <section class="card" aria-labelledby="h-key">
        <h2 id="h-key">With an API access token</h2>
        <form method="post" action="/admin/login" class="stack">
          <input type="hidden" name="login_csrf" value={props.token} />
          <input type="hidden" name="method" value="apikey" />
          {props.next && <input type="hidden" name="next" value={props.next} />}
          <div class="field">
            <label for="apikey">API access token</label>
            <input id="apikey" name="apikey" type="password" required autocomplete="current-password" placeholder="tskey-api-…" spellcheck={false} />
          </div>
          <p class="hint">
            The server printed one on its first start (<code>TAILAPI_API_KEY=tskey-api-…</code>); <code>npx tailapi apikeys create</code> makes more.
          </p>
          <div>
            <button type="submit" class="button">
              Sign in
            </button>
          </div>
        </form>
      </section>
      <section class="card" aria-labelledby="h-oauth">
        <h2 id="h-oauth">With an OAuth client</h2>
        <form method="post" action="/admin/login" class="stack">
          <input type="hidden" name="login_csrf" value={props.token} />
          <input type="hidden" name="method" value="oauth" />
          {props.next && <input type="hidden" name="next" value={props.next} />}
          <div class="field">
            <label for="client-id">Client ID</label>
            <input id="client-id" name="client_id" required autocomplete="username" spellcheck={false} value={props.clientId ?? ""} placeholder="k…CNTRL" />
          </div>
          <div class="field">
            <label for="client-secret">Client secret</label>
            <input id="client-secret" name="client_secret" type="password" required autocomplete="current-password" spellcheck={false} placeholder="tskey-client-…" />
          </div>
          <p class="hint">The console then acts with the client's scopes and tags.</p>
          <div>
            <button type="submit" class="button">
              Sign in
            </button>
          </div>
        </form>
      </section>
    </BarePage>
  );
}

function loginToken(c: Context): string {
  const token = randomBase62(32);
  setCookie(c, LOGIN_COOKIE, token, { ...cookieOptions(c, LOGIN_COOKIE_MAX_AGE), path: "/admin/login" });
  return token;
}

export function registerLogin(app: ConsoleApp): void {
  app.get("/login", async (c) => {
    const d = consoleDeps(c);
    // Already signed in (with a credential that still works): straight in.
    const session = await findSession(d, getCookie(c, SESSION_COOKIE));
    if (session) {
      const actor = await authenticateKey(session.keyId, c.get("services")).catch(() => undefined);
      if (actor) return c.redirect(safeNext(c.req.query("next")) ?? homeOf(actor), 303);
    }
    const reason = REASONS[c.req.query("reason") ?? ""];
    return render(c, <LoginPage token={loginToken(c)} next={safeNext(c.req.query("next"))} flash={reason} />);
  });

  app.post("/login", async (c) => {
    const form = await readForm(c);
    const cookie = getCookie(c, LOGIN_COOKIE);
    if (c.req.header("sec-fetch-site") === "cross-site") return csrfRefused(c);
    const next = safeNext(field(form, "next"));
    if (!cookie || !csrfMatches(field(form, "login_csrf"), cookie)) {
      return render(
        c,
        <LoginPage
          token={loginToken(c)}
          next={next}
          flash={{ kind: "error", text: "The sign-in form was out of date (or your browser refuses cookies, which the console needs). Try again." }}
        />,
        403,
      );
    }
    // Sign-in attempts count per source address, like the token endpoint's (TAILAPI_TOKEN_RATE_LIMIT):
    // once exhausted, no credential is even checked until the window ends.
    const s = c.get("services");
    if (s.limits.tokenPerAddress > 0) {
      const decision = s.limiter.take(`console-login:${sourceAddress(c)}`, "0", s.limits.tokenPerAddress);
      if (!decision.ok) {
        c.header("Retry-After", String(decision.resetSeconds));
        const text = `Too many sign-in attempts from this address: at most ${decision.limit} per ${decision.windowSeconds} s. Try again in ${decision.resetSeconds} s.`;
        return render(c, <LoginPage token={loginToken(c)} next={next} flash={{ kind: "error", text }} />, 429);
      }
    }
    const method = field(form, "method");
    const creds: ConsoleCredentials =
      method === "oauth" ? { clientId: field(form, "client_id"), clientSecret: field(form, "client_secret") } : { apiKey: field(form, "apikey") };
    const d = consoleDeps(c);
    try {
      const actor = await authenticateConsole(creds, c.get("services"));
      // A new session each time (never one a cookie already named): the previous one ends here.
      const previous = await findSession(d, getCookie(c, SESSION_COOKIE));
      if (previous) await endSession(d, previous);
      const { token, expiresAt } = await startSession(d, actor);
      setSessionCookie(c, token, expiresAt, d.clock.now());
      deleteCookie(c, LOGIN_COOKIE, { path: "/admin/login", secure: cookieOptions(c, 0).secure });
      d.log.info({ keyId: actor.keyId, tailnetId: actor.tailnetId }, "console sign-in");
      return c.redirect(next ?? homeOf(actor), 303);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const text =
        method === "oauth"
          ? "Not signed in: that client ID and secret do not match an OAuth client."
          : "Not signed in: that API access token is unknown, revoked or expired.";
      return render(
        c,
        <LoginPage token={loginToken(c)} next={next} flash={{ kind: "error", text }} clientId={method === "oauth" ? field(form, "client_id") : undefined} />,
        401,
      );
    }
  });
}

/** Sign-out (behind the session check: a valid session and CSRF token). */
export function registerLogout(app: ConsoleApp): void {
  // Typed into the address bar: a page with the button (a GET never changes anything).
  app.get("/logout", (c) =>
    render(
      c,
      <Page c={c} title="Sign out?">
        <form method="post" action="/admin/logout" class="actions">
          <Csrf token={c.get("session").csrfToken} />
          <button type="submit" class="button">
            Sign out
          </button>
          <a class="button secondary" href="/admin">
            Stay signed in
          </a>
        </form>
      </Page>,
    ),
  );
  app.post("/logout", async (c) => {
    await signOut(consoleDeps(c), c.get("actor"), c.get("session"));
    clearSessionCookie(c);
    return c.redirect("/admin/login?reason=signed-out", 303);
  });
}
