import { createRoute, z } from "@hono/zod-openapi";
import { pendingRegistration } from "../../domain/registration.js";
import { deps, publicBase } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { escapeHtml, htmlPage, PAGE_CSP } from "../../http/pages.js";
import { rfc3339 } from "../../lib/time.js";
import { notFound } from "../../lib/errors.js";
import { EXTENSION_NOTE, type App } from "../define.js";

export const route = createRoute({
  method: "get",
  path: "/register/{registrationKey}",
  operationId: "registrationPage",
  tags: ["node API"],
  summary: "A waiting machine's registration page (web authentication)",
  description:
    "The `authUrl` a node registering without an auth key is given: an HTML page (no scripts, no external assets) saying " +
    "how an admin completes the registration, with the exact command, `tailapi nodes register --user <USER> --key <KEY>`. " +
    "404 once the registration has expired (15 minutes) or was collected.\n\n" + EXTENSION_NOTE,
  "x-tailapi-extension": true,
  request: { params: z.object({ registrationKey: z.string().min(1).max(128).openapi({ param: { name: "registrationKey", in: "path" } }) }) },
  responses: {
    200: { description: "The page.", content: { "text/html": { schema: z.string() } } },
    404: errorResponses[404],
    500: errorResponses[500],
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const key = c.req.valid("param").registrationKey;
    const r = await pendingRegistration(deps(c), key);
    if (!r) throw notFound("no registration waits with this key: it expired (after 15 minutes) or was completed");
    const command = `tailapi nodes register --user <USER> --key ${key}`;
    const tags = r.advertiseTags.length ? r.advertiseTags.join(", ") : "";
    const body = [
      `<h1>Machine registration</h1>`,
      `<p>The machine <b>${escapeHtml(r.hostname)}</b>${r.os ? ` (${escapeHtml(r.os)})` : ""} asks to join the tailnet <b>${escapeHtml(r.tailnetName)}</b>.</p>`,
      r.approved
        ? `<p>An administrator has approved it: the machine completes its registration the next time it asks.</p>`
        : `<p>To complete the registration, an administrator of the tailnet runs this on the tailapi server:</p>
<pre><code>${escapeHtml(command)}</code></pre>
<p>where <code>&lt;USER&gt;</code> is the user who will own the machine (add <code>--tailnet ${escapeHtml(r.tailnetName)}</code> if it is not the CLI's default tailnet).</p>` +
          (tags
            ? `<p>The machine asks for the tags <b>${escapeHtml(tags)}</b>: the user must own them (tagOwners in the policy file), and the machine becomes a tagged device, owned by its tags (<code>tagged-devices</code>).</p>`
            : "") +
          `<p>Or in the web console: <a href="${escapeHtml(publicBase(c))}/admin/registrations?key=${escapeHtml(encodeURIComponent(key))}">approve it there</a>, choosing the user from a list.</p>` +
          `<p class="muted">Over the API (scope devices:core): <code>POST ${escapeHtml(publicBase(c))}/api/v2/tailnet/-/registrations/${escapeHtml(key)}/approve</code> with <code>{"user": "&lt;USER&gt;"}</code>.</p>`,
      `<p class="muted">Registration key <code>${escapeHtml(key)}</code>; it waits until ${escapeHtml(rfc3339(r.expiresAt))}.</p>`,
    ].join("\n");
    return c.html(htmlPage("tailapi: machine registration", body), 200, { "Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store" }) as never;
  });
}
