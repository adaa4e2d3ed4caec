/** @jsxImportSource hono/jsx */
import { acceptDeviceInvite } from "../../domain/sharing.js";
import { can } from "../abilities.js";
import { action } from "../actions.js";
import type { ConsoleApp } from "../context.js";
import { Csrf, Page, render } from "../ui.js";

/**
 * Where a device invite's link points (`<origin>/admin/invite/<code>`): the
 * signed-in person accepts it, and the machine appears in their tailnet as a
 * shared, read-only machine.
 */
export function registerInvite(app: ConsoleApp): void {
  app.get("/invite/:code", (c) => {
    const actor = c.get("actor");
    const code = c.req.param("code");
    const able = actor.user !== undefined && can(actor, "device_invites");
    return render(
      c,
      <Page c={c} title="Accept a shared machine">
        <section class="card">
          <p>
            Someone shared a machine of their tailnet with you. Accepting adds it to <strong>{actor.tailnetName}</strong> as a shared machine: it
            shows up in Machines, and you can read it but not change it.
          </p>
          {able ? (
            <form method="post" action={`/admin/invite/${encodeURIComponent(code)}`} class="actions">
              <Csrf token={c.get("session").csrfToken} />
              <button type="submit" class="button">
                Accept invite
              </button>
              <a href="/admin/machines" class="button secondary">
                Not now
              </a>
            </form>
          ) : (
            <p role="alert" class="flash flash-error">
              Accepting an invite needs a person: sign in with a user's API access token{actor.user ? " that may share machines" : ", not an OAuth client"}.
            </p>
          )}
        </section>
      </Page>,
    );
  });

  action(app, "/invite/:code", {
    scope: "device_invites",
    back: (c) => `/admin/invite/${encodeURIComponent(c.req.param("code")!)}`,
    run: async (c, _form, d) => {
      const a = await acceptDeviceInvite(d, c.get("actor"), c.req.param("code")!);
      return { to: `/admin/machines/${encodeURIComponent(a.device.nodeId)}`, text: `${a.device.name}, shared by ${a.sharer.loginName}, is now in your tailnet.` };
    },
  });
}
