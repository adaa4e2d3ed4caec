/** @jsxImportSource hono/jsx */
import { readFileSync } from "node:fs";
import { Hono, type Context } from "hono";
import type { AppEnv } from "../http/context.js";
import { requestLog } from "../http/context.js";
import { statusOf } from "../http/errors.js";
import { DomainError } from "../lib/errors.js";
import { humanMessage } from "./actions.js";
import type { CC, ConsoleEnv } from "./context.js";
import { registerAcl } from "./pages/acl.js";
import { registerDns } from "./pages/dns.js";
import { registerLogs } from "./pages/logs.js";
import { registerRegistrations } from "./pages/registrations.js";
import { registerSettings } from "./pages/settings.js";
import { registerWebhooks } from "./pages/webhooks.js";
import { registerInvite } from "./pages/invite.js";
import { registerKeys } from "./pages/keys.js";
import { registerLogin, registerLogout } from "./pages/login.js";
import { registerMachines } from "./pages/machines.js";
import { registerUsers } from "./pages/users.js";
import { consoleHeaders, requireSession } from "./session.js";
import { BarePage, homeOf, Page, render, who } from "./ui.js";

/**
 * The web console at /admin: server-rendered pages (hono/jsx) on the same
 * server, calling the domain layer as the API routes and the CLI do. It works
 * without JavaScript; its one script and its stylesheet are files served from
 * here (no CDN), so it also works with no internet.
 */
const ASSETS: Record<string, { body: string; type: string }> = {
  "console.css": { body: readFileSync(new URL("./assets/console.css", import.meta.url), "utf8"), type: "text/css; charset=utf-8" },
  "favicon.svg": { body: readFileSync(new URL("./assets/favicon.svg", import.meta.url), "utf8"), type: "image/svg+xml" },
  "console.js": { body: readFileSync(new URL("./assets/console.js", import.meta.url), "utf8"), type: "text/javascript; charset=utf-8" },
};

function errorPage(c: CC, status: number, title: string, text: string) {
  // A signed-in request gets the console's frame; before sign-in, a bare page.
  if (c.get("session") && c.get("actor")) {
    return render(
      c,
      <Page c={c} title={title}>
        <p>{text}</p>
        <p>
          <a href={homeOf(c.get("actor"))}>Back to the console</a>
        </p>
      </Page>,
      status,
    );
  }
  return render(
    c,
    <BarePage title={title}>
      <p>{text}</p>
      <p>
        <a href="/admin">Back to the console</a>
      </p>
    </BarePage>,
    status,
  );
}

export function createConsole(): Hono<ConsoleEnv> {
  const admin = new Hono<ConsoleEnv>();
  admin.use("*", consoleHeaders as never);

  admin.get("/assets/:file", (c) => {
    const asset = ASSETS[c.req.param("file")];
    if (!asset) return errorPage(c, 404, "Not found", "There is no such file.");
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "public, max-age=3600" });
  });
  registerLogin(admin);

  // Everything below needs a live session whose credential still works.
  admin.use("*", requireSession);
  admin.get("/", (c) => c.redirect(homeOf(c.get("actor")), 303));
  registerLogout(admin);
  registerMachines(admin);
  registerUsers(admin);
  registerKeys(admin);
  registerAcl(admin);
  registerInvite(admin);
  registerDns(admin);
  registerSettings(admin);
  registerWebhooks(admin);
  registerLogs(admin);
  registerRegistrations(admin);
  admin.get("/account", (c) => {
    const actor = c.get("actor");
    const session = c.get("session");
    return render(
      c,
      <Page c={c} title="Signed in">
        <section class="card">
          <dl class="details">
            <dt>Tailnet</dt>
            <dd>{actor.tailnetName}</dd>
            <dt>Signed in as</dt>
            <dd>{who(actor)}</dd>
            <dt>Credential</dt>
            <dd class="mono">{actor.keyId}</dd>
            <dt>Scopes</dt>
            <dd class="mono">{[...actor.scopes].sort().join(" ")}</dd>
            {actor.tags.length > 0 && (
              <>
                <dt>Tags</dt>
                <dd>{actor.tags.join(", ")}</dd>
              </>
            )}
            <dt>Session ends</dt>
            <dd>{session.expiresAt.toISOString().replace(/\.\d{3}Z$/, " UTC").replace("T", " ")}</dd>
          </dl>
        </section>
      </Page>,
    );
  });

  admin.all("*", (c) => errorPage(c, 404, "Not found", "There is no such page in the console."));

  admin.onError((err, c) => {
    if (err instanceof DomainError) {
      const status = statusOf(err.kind);
      const title = status === 404 ? "Not found" : status === 403 ? "Not allowed" : "Not possible";
      return errorPage(c, status, title, humanMessage(err));
    }
    requestLog(c as unknown as Context<AppEnv>).error({ err }, "unhandled error in the console");
    return errorPage(c, 500, "Something went wrong", "The server could not show this page. The error is in its log.");
  });
  return admin;
}
