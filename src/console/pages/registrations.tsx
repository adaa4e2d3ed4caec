/** @jsxImportSource hono/jsx */
import { approveRegistration, pendingRegistration } from "../../domain/registration.js";
import { listUsers } from "../../domain/users.js";
import { forbidden, invalid } from "../../lib/errors.js";
import { can } from "../abilities.js";
import { action, consoleDeps } from "../actions.js";
import { field, type ConsoleApp } from "../context.js";
import { Badge, Csrf, Page, render, Time } from "../ui.js";

/**
 * Machines that registered without an auth key wait (web authentication) for
 * an admin to approve them for a user, as `tailapi nodes register --user U
 * --key K` does. The machine's authUrl names the key; this page takes it.
 */
export function registerRegistrations(app: ConsoleApp): void {
  app.get("/registrations", async (c) => {
    const actor = c.get("actor");
    if (!can(actor, "devices:core")) throw forbidden();
    const d = consoleDeps(c);
    const key = c.req.query("key")?.trim() ?? "";
    const found = key ? await pendingRegistration(d, key) : undefined;
    // Another tailnet's registration reads as a missing one.
    const pending = found && found.tailnetName.toLowerCase() === actor.tailnetName.toLowerCase() ? found : undefined;
    const users = (await listUsers(d, actor)).filter((u) => u.approved && !u.suspendedAt && (!actor.ownDevicesOnly || u.userId === actor.user?.id));
    const now = d.clock.now();
    return render(
      c,
      <Page c={c} title="Register a machine" active="machines" crumbs={<a href="/admin/machines">Machines</a>}>
        <p class="lead">
          A machine that joins without an auth key shows a registration link (<code>…/register/&lt;key&gt;</code>) and waits up to 15 minutes for an
          admin to approve it for a user.
        </p>
        <form method="get" action="/admin/registrations" class="card row">
          <div class="field grow">
            <label for="reg-key">Registration key</label>
            <input id="reg-key" name="key" value={key} required autocomplete="off" spellcheck={false} class="mono" />
          </div>
          <button type="submit" class="button secondary">
            Look up
          </button>
        </form>
        {key && !pending && (
          <p class="flash flash-error" role="alert">
            No machine waits with that key in this tailnet: it expired (after 15 minutes), was completed, or the key is mistyped.
          </p>
        )}
        {pending && (
          <section class="card" aria-labelledby="h-pending">
            <h2 id="h-pending">{pending.hostname}</h2>
            <dl class="details">
              <dt>OS</dt>
              <dd>{pending.os || "—"}</dd>
              <dt>Asks for tags</dt>
              <dd>{pending.advertiseTags.length ? pending.advertiseTags.map((t) => <Badge tone="info">{t}</Badge>) : "None"}</dd>
              <dt>Waits until</dt>
              <dd>
                <Time at={pending.expiresAt} now={now} />
              </dd>
            </dl>
            {pending.approved ? (
              <p>
                <Badge tone="ok">Approved</Badge> The machine completes its registration the next time it asks.
              </p>
            ) : (
              <form method="post" action={`/admin/registrations/approve?key=${encodeURIComponent(key)}`} class="row">
                <Csrf token={c.get("session").csrfToken} />
                <input type="hidden" name="key" value={key} />
                <div class="field grow">
                  <label for="reg-user">User who will own it</label>
                  <select id="reg-user" name="user">
                    {users.map((u) => (
                      <option value={u.loginName} selected={u.userId === actor.user?.id}>
                        {u.loginName}
                      </option>
                    ))}
                  </select>
                </div>
                <button type="submit" class="button">
                  Approve machine
                </button>
              </form>
            )}
            {pending.advertiseTags.length > 0 && !pending.approved && (
              <p class="hint">The user must own the tags it asks for; it then becomes a tagged machine, owned by its tags.</p>
            )}
          </section>
        )}
      </Page>,
    );
  });

  action(app, "/registrations/approve", {
    scope: "devices:core",
    back: (c) => `/admin/registrations?key=${encodeURIComponent(c.req.query("key") ?? "")}`,
    run: async (c, form, d) => {
      const key = field(form, "key");
      const user = field(form, "user");
      if (!key || !user) throw invalid("give the registration key and the user who will own the machine");
      const device = await approveRegistration(d, c.get("actor"), key, user);
      return { to: `/admin/machines/${encodeURIComponent(device.nodeId)}`, text: `${device.name} registered for ${user}.` };
    },
  });
}
