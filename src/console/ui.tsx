/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import type { Actor } from "../domain/actor.js";
import type { Flash } from "../domain/sessions.js";
import { can } from "./abilities.js";
import type { CC } from "./context.js";

/**
 * The console's page frame and small shared pieces. Everything is plain
 * server-rendered HTML: forms post and redirect, links are links; the one
 * script (assets/console.js) only adds copy buttons. No inline script or
 * style, so the Content-Security-Policy stays strict.
 */

export type Section = "machines" | "users" | "keys" | "acl" | "dns" | "settings" | "webhooks" | "logs";

type NavItem = { id: Section; label: string; href: string; visible: (a: Actor) => boolean };

const NAV: NavItem[] = [
  { id: "machines", label: "Machines", href: "/admin/machines", visible: (a) => can(a, "devices:core:read") },
  { id: "users", label: "Users", href: "/admin/users", visible: (a) => can(a, "users:read") },
  {
    id: "keys",
    label: "Keys",
    href: "/admin/keys",
    visible: (a) => can(a, "auth_keys:read") || can(a, "oauth_keys:read") || can(a, "api_access_tokens:read"),
  },
  { id: "acl", label: "Access controls", href: "/admin/acl", visible: (a) => can(a, "policy_file:read") },
  { id: "dns", label: "DNS", href: "/admin/dns", visible: (a) => can(a, "dns:read") },
  { id: "webhooks", label: "Webhooks", href: "/admin/webhooks", visible: (a) => can(a, "webhooks:read") },
  { id: "logs", label: "Logs", href: "/admin/logs", visible: (a) => can(a, "logs:configuration:read") },
  { id: "settings", label: "Settings", href: "/admin/settings", visible: (a) => can(a, "feature_settings:read") },
];

/** Where a signed-in credential lands: the first section it may read. */
export function homeOf(actor: Actor): string {
  return NAV.find((n) => n.visible(actor))?.href ?? "/admin/account";
}

export function who(actor: Actor): string {
  return actor.user ? `${actor.user.loginName} (${actor.user.role})` : `OAuth client ${actor.keyId}`;
}

function Head(props: { title: string }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      <title>{props.title} · tailapi</title>
      <link rel="icon" href="/admin/assets/favicon.svg" type="image/svg+xml" />
      <link rel="stylesheet" href="/admin/assets/console.css" />
      <script src="/admin/assets/console.js" defer></script>
    </head>
  );
}

export function FlashMessage(props: { flash: Flash | null }) {
  if (!props.flash) return null;
  const ok = props.flash.kind === "ok";
  return (
    <div class={`flash ${ok ? "flash-ok" : "flash-error"}`} role={ok ? "status" : "alert"}>
      {props.flash.text}
    </div>
  );
}

export function Csrf(props: { token: string }) {
  return <input type="hidden" name="csrf" value={props.token} />;
}

/** A page of a signed-in session. */
export function Page(props: { c: CC; title: string; active?: Section; children?: Child; flash?: Flash | null; wide?: boolean; crumbs?: Child }) {
  const actor = props.c.get("actor");
  const csrf = props.c.get("session").csrfToken;
  const flash = props.flash !== undefined ? props.flash : props.c.get("flash");
  return (
    <html lang="en">
      <Head title={props.title} />
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/admin">
              tailapi
            </a>
            <span class="tailnet" title="Tailnet">
              {actor.tailnetName}
            </span>
            <div class="who">
              <span class="who-name">{who(actor)}</span>
              <form method="post" action="/admin/logout" class="inline">
                <Csrf token={csrf} />
                <button type="submit" class="link">
                  Sign out
                </button>
              </form>
            </div>
          </div>
          <nav aria-label="Console sections">
            <ul>
              {NAV.filter((n) => n.visible(actor)).map((n) => (
                <li>
                  <a href={n.href} aria-current={props.active === n.id ? "page" : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </header>
        <main id="main" class={props.wide ? "wide" : undefined}>
          {props.crumbs && (
            <nav class="crumbs" aria-label="Breadcrumb">
              {props.crumbs}
            </nav>
          )}
          <h1>{props.title}</h1>
          <FlashMessage flash={flash} />
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** A page without a session (sign-in, errors before sign-in). */
export function BarePage(props: { title: string; children?: Child }) {
  return (
    <html lang="en">
      <Head title={props.title} />
      <body class="bare">
        <main id="main">
          <p class="brand-lone">tailapi</p>
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** Renders a page with the console's headers (set by its middleware). */
export function render(c: { html: (html: string, status?: any) => Response | Promise<Response> }, node: unknown, status = 200) {
  return c.html(`<!doctype html>\n${String(node)}`, status);
}

/** A table that scrolls sideways on a narrow screen, reachable by keyboard. */
export function TableWrap(props: { label: string; children?: Child }) {
  return (
    <div class="table-wrap" role="region" aria-label={props.label} tabindex={0}>
      {props.children}
    </div>
  );
}

export function Badge(props: { tone?: "ok" | "warn" | "muted" | "info"; children?: Child }) {
  return <span class={`badge badge-${props.tone ?? "muted"}`}>{props.children}</span>;
}

/**
 * A time as "3 minutes ago" (relative to `now`), with the exact UTC time for
 * machines and on hover; `exact` shows the UTC time first (logs).
 */
export function Time(props: { at: string | Date | null | undefined; now: Date; empty?: string; exact?: boolean }) {
  if (!props.at) return <span class="muted">{props.empty ?? "—"}</span>;
  const d = typeof props.at === "string" ? new Date(props.at) : props.at;
  const iso = d.toISOString().replace(/\.\d{3}Z$/, "Z");
  const utc = iso.replace("T", " ").replace("Z", " UTC");
  if (props.exact) {
    return (
      <>
        <time datetime={iso} class="nowrap">
          {utc}
        </time>
        <div class="sub">{relative(d, props.now)}</div>
      </>
    );
  }
  return (
    <time datetime={iso} title={utc}>
      {relative(d, props.now)}
    </time>
  );
}

export function relative(d: Date, now: Date): string {
  const s = Math.round((d.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(s);
  const [n, unit] =
    abs < 60 ? [abs, "second"] : abs < 3600 ? [Math.round(abs / 60), "minute"] : abs < 86400 ? [Math.round(abs / 3600), "hour"] : [Math.round(abs / 86400), "day"];
  if (abs < 10) return "just now";
  const text = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return s < 0 ? `${text} ago` : `in ${text}`;
}

/** A secret shown once: selectable text, and a copy button that the script reveals. */
export function Secret(props: { id: string; label: string; value: string }) {
  return (
    <div class="secret">
      <label for={props.id}>{props.label}</label>
      <div class="secret-row">
        <input id={props.id} type="text" readonly value={props.value} class="mono" spellcheck={false} autocomplete="off" />
        <button type="button" class="button" data-copy={props.id} hidden>
          Copy
        </button>
      </div>
      <p class="hint">This is the only time it is shown. Store it somewhere safe now.</p>
    </div>
  );
}

/** A confirmation page's body: what will happen, a form that does it, and a way back. */
export function Confirm(props: { csrf: string; action: string; button: string; back: string; children?: Child }) {
  return (
    <section class="card confirm">
      {props.children}
      <form method="post" action={props.action} class="actions">
        <Csrf token={props.csrf} />
        <button type="submit" class="button danger">
          {props.button}
        </button>
        <a class="button secondary" href={props.back}>
          Cancel
        </a>
      </form>
    </section>
  );
}
