import { createRoute, z } from "@hono/zod-openapi";
import { inviteByCode } from "../../domain/user-invites.js";
import { deps, publicBase } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { escapeHtml, htmlPage, PAGE_CSP } from "../../http/pages.js";
import { notFound } from "../../lib/errors.js";
import { EXTENSION_NOTE, type App } from "../define.js";

export const route = createRoute({
  method: "get",
  path: "/uinv/{code}",
  operationId: "userInvitePage",
  tags: ["user invites"],
  summary: "A user invite's page",
  description:
    "The `inviteUrl` of a user invite: an HTML page (no scripts, no external assets) saying how to accept it. 404 for a used, " +
    "deleted or wrong code.\n\n" +
    EXTENSION_NOTE,
  "x-tailapi-extension": true,
  request: { params: z.object({ code: z.string().min(1).max(256).openapi({ param: { name: "code", in: "path" } }) }) },
  responses: {
    200: { description: "The page.", content: { "text/html": { schema: z.string() } } },
    404: errorResponses[404],
    500: errorResponses[500],
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const code = c.req.valid("param").code;
    const invite = await inviteByCode(deps(c), code);
    if (!invite) throw notFound("no such invite: it was accepted, deleted, or the code is wrong");
    const base = publicBase(c);
    const url = `${base}/uinv/${code}`;
    const login = invite.email || "you@example.com";
    const body = [
      `<h1>You are invited</h1>`,
      `<p>This invite joins a tailnet served by tailapi as <b>${escapeHtml(invite.role)}</b>. To accept it, run:</p>`,
      `<pre><code>${escapeHtml(`TAILAPI_URL=${base} tailapi invites accept ${url} --login-name ${login}`)}</code></pre>`,
      `<p>It prints your new user and your first API key (shown once). Anyone holding this link can accept it, once.</p>`,
      `<p class="muted">Over the API: <code>POST ${escapeHtml(base)}/api/v2/user-invites/-/accept</code> with <code>{"invite": "&lt;this URL&gt;", "loginName": "${escapeHtml(login)}"}</code>.</p>`,
    ].join("\n");
    return c.html(htmlPage("tailapi: user invite", body), 200, { "Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" }) as never;
  });
}
