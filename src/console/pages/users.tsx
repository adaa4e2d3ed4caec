/** @jsxImportSource hono/jsx */
import type { Actor } from "../../domain/actor.js";
import { listDevices, type Device } from "../../domain/devices.js";
import { createUser, listUsers, type Role, type User } from "../../domain/users.js";
import { forbidden, invalid, notFound } from "../../lib/errors.js";
import { assignableRoles, can, mayCreateUsers } from "../abilities.js";
import { action, consoleDeps } from "../actions.js";
import { field, type ConsoleApp } from "../context.js";
import { Badge, Csrf, Page, render, TableWrap, Time } from "../ui.js";
import { MachineTable } from "./machines.js";

function requireRead(actor: Actor): void {
  if (!can(actor, "users:read")) throw forbidden();
}

/** A user's own machines: untagged ones they registered (tagged machines belong to their tags). */
const personal = (devices: Device[], u: User) => devices.filter((d) => d.userId === u.userId && !d.isExternal && d.tags.length === 0);

const userPath = (u: User) => `/admin/users/${encodeURIComponent(u.userId)}`;

const ROLE_LABEL: Record<string, string> = { owner: "Owner", admin: "Admin", member: "Member" };

export function registerUsers(app: ConsoleApp): void {
  app.get("/users", async (c) => {
    const actor = c.get("actor");
    requireRead(actor);
    const d = consoleDeps(c);
    const [users, devices] = await Promise.all([listUsers(d, actor), can(actor, "devices:core:read") ? listDevices(d, actor) : Promise.resolve(undefined)]);
    const now = d.clock.now();
    const csrf = c.get("session").csrfToken;
    return render(
      c,
      <Page c={c} title="Users" active="users">
        <p class="lead">
          {users.length} user{users.length === 1 ? "" : "s"}. Each user owns the machines they register; tagged machines belong to their tags.
        </p>
        <TableWrap label="Users">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                {devices && <th scope="col">Machines</th>}
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr>
                  <th scope="row">
                    <a href={userPath(u)}>{u.displayName}</a>
                    <div class="sub">{u.loginName}</div>
                  </th>
                  <td>
                    <Badge tone={u.role === "member" ? "muted" : "info"}>{ROLE_LABEL[u.role] ?? u.role}</Badge>
                  </td>
                  {devices && <td>{personal(devices, u).length}</td>}
                  <td>
                    <Time at={u.createdAt} now={now} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {mayCreateUsers(actor) && (
          <section class="card" aria-labelledby="h-create" id="create">
            <h2 id="h-create">Create user</h2>
            <form method="post" action="/admin/users" class="grid">
              <Csrf token={csrf} />
              <div class="field">
                <label for="login">Username or email</label>
                <input id="login" name="loginName" required autocomplete="off" spellcheck={false} maxlength={255} placeholder="alice or alice@example.com" />
              </div>
              <div class="field">
                <label for="display">Display name (optional)</label>
                <input id="display" name="displayName" autocomplete="off" maxlength={128} />
              </div>
              <div class="field">
                <label for="role">Role</label>
                <select id="role" name="role">
                  {assignableRoles(actor).map((r) => (
                    <option value={r}>{ROLE_LABEL[r]}</option>
                  ))}
                </select>
              </div>
              <div class="field actions-inline">
                <button type="submit" class="button">
                  Save
                </button>
              </div>
            </form>
            <p class="hint">Lower case, no spaces: alice, home-servers, guest-wifi. A user then needs an auth key to register machines.</p>
          </section>
        )}
      </Page>,
    );
  });

  app.get("/users/:id", async (c) => {
    const actor = c.get("actor");
    requireRead(actor);
    const d = consoleDeps(c);
    const users = await listUsers(d, actor);
    const u = users.find((x) => x.userId === c.req.param("id"));
    if (!u) throw notFound();
    const devices = can(actor, "devices:core:read") ? await listDevices(d, actor) : undefined;
    const now = d.clock.now();
    const tagged = devices?.filter((x) => x.userId === u.userId && !x.isExternal && x.tags.length > 0) ?? [];
    return render(
      c,
      <Page c={c} title={u.displayName} active="users" wide crumbs={<a href="/admin/users">Users</a>}>
        <section class="card" aria-labelledby="h-details">
          <h2 id="h-details">Details</h2>
          <dl class="details">
            <dt>Login name</dt>
            <dd>{u.loginName}</dd>
            <dt>Role</dt>
            <dd>{ROLE_LABEL[u.role] ?? u.role}</dd>
            <dt>Created</dt>
            <dd>
              <Time at={u.createdAt} now={now} />
            </dd>
            <dt>User ID</dt>
            <dd class="mono">{u.userId}</dd>
          </dl>
        </section>
        {devices && (
          <section class="card" aria-labelledby="h-machines">
            <h2 id="h-machines">Machines</h2>
            <MachineTable devices={personal(devices, u)} now={now} label={`Machines of ${u.loginName}`} />
            {tagged.length > 0 && (
              <>
                <h3>Tagged machines {u.loginName} registered</h3>
                <MachineTable devices={tagged} now={now} label={`Tagged machines registered by ${u.loginName}`} />
              </>
            )}
          </section>
        )}
      </Page>,
    );
  });

  action(app, "/users", {
    scope: "users",
    back: () => "/admin/users",
    run: async (c, form, d) => {
      const loginName = field(form, "loginName");
      const role = field(form, "role") as Role;
      if (!["member", "admin", "owner"].includes(role)) throw invalid("choose a role: member, admin or owner");
      const displayName = field(form, "displayName");
      const u = await createUser(d, c.get("actor"), { loginName, role, ...(displayName ? { displayName } : {}) });
      return { to: "/admin/users", text: `User ${u.loginName} created.` };
    },
  });
}
