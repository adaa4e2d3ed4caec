/** @jsxImportSource hono/jsx */
import type { Actor } from "../../domain/actor.js";
import { listDevices, type Device } from "../../domain/devices.js";
import { listAuthKeys, expireAuthKey, listKeys } from "../../domain/keys.js";
import {
  approveUser,
  createUser,
  deleteUser,
  getUserWithDevices,
  listUsersWithDevices,
  renameUser,
  restoreUser,
  ROLES,
  setUserRoleOf,
  suspendUser,
  userStatus,
  type Role,
  type UserWithStats,
} from "../../domain/users.js";
import { forbidden, invalid } from "../../lib/errors.js";
import { assignableRoles, can, mayAdministerUsers } from "../abilities.js";
import { action, consoleDeps } from "../actions.js";
import { field, type CC, type ConsoleApp } from "../context.js";
import { Badge, Confirm, Csrf, Page, render, TableWrap, Time } from "../ui.js";
import { MachineTable } from "./machines.js";

function requireRead(actor: Actor): void {
  if (!can(actor, "users:read")) throw forbidden();
}

/** A user's own machines: untagged ones they registered (tagged machines belong to their tags). */
const personal = (devices: Device[], userId: string) => devices.filter((d) => d.userId === userId && !d.isExternal && d.tags.length === 0);

const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`;

export const ROLE_LABEL: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  "it-admin": "IT admin",
  "network-admin": "Network admin",
  "billing-admin": "Billing admin",
  auditor: "Auditor",
  member: "Member",
};

const STATUS: Record<ReturnType<typeof userStatus>, [string, "ok" | "warn" | "muted" | "info"]> = {
  active: ["Active", "ok"],
  idle: ["Idle", "muted"],
  suspended: ["Suspended", "warn"],
  "needs-approval": ["Needs approval", "warn"],
};

function Status(props: { u: UserWithStats; now: Date }) {
  const [label, tone] = STATUS[userStatus(props.u, props.now)];
  return <Badge tone={tone}>{label}</Badge>;
}

/** May the actor act on this user (administer users, and touch their role)? */
const mayManage = (actor: Actor, u: { role: Role }) => mayAdministerUsers(actor) && assignableRoles(actor).includes(u.role);

export function registerUsers(app: ConsoleApp): void {
  app.get("/users", async (c) => {
    const actor = c.get("actor");
    requireRead(actor);
    const d = consoleDeps(c);
    const users = await listUsersWithDevices(d, actor);
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
                <th scope="col">Machines</th>
                <th scope="col">Status</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr>
                  <th scope="row">
                    <a href={userPath(u.userId)}>{u.displayName}</a>
                    <div class="sub">{u.loginName}</div>
                  </th>
                  <td>{ROLE_LABEL[u.role] ?? u.role}</td>
                  <td>{u.deviceCount}</td>
                  <td>
                    <Status u={u} now={now} />
                  </td>
                  <td>{u.currentlyConnected ? <Badge tone="ok">Connected</Badge> : <Time at={u.lastSeen} now={now} empty="Never" />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {mayAdministerUsers(actor) && (
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
                    <option value={r} selected={r === "member"}>
                      {ROLE_LABEL[r]}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field actions-inline">
                <button type="submit" class="button">
                  Save
                </button>
              </div>
            </form>
            <p class="hint">Lower case, no spaces: alice, home-servers, guest-wifi. A user then needs a pre-auth key to register machines.</p>
          </section>
        )}
      </Page>,
    );
  });

  app.get("/users/:id", async (c) => {
    const actor = c.get("actor");
    requireRead(actor);
    const d = consoleDeps(c);
    const u = await getUserWithDevices(d, actor, c.req.param("id"));
    const [devices, keys] = await Promise.all([
      can(actor, "devices:core:read") ? listDevices(d, actor) : Promise.resolve(undefined),
      can(actor, "auth_keys:read") ? listAuthKeys(d, actor, u.userId) : Promise.resolve(undefined),
    ]);
    const now = d.clock.now();
    const csrf = c.get("session").csrfToken;
    const path = userPath(u.userId);
    const manage = mayManage(actor, u);
    const tagged = devices?.filter((x) => x.userId === u.userId && !x.isExternal && x.tags.length > 0) ?? [];
    const liveKeys = keys?.filter(({ key }) => !key.revokedAt && (!key.expiresAt || key.expiresAt > now)) ?? [];
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
            <dt>Status</dt>
            <dd>
              <Status u={u} now={now} />
            </dd>
            <dt>Machines</dt>
            <dd>{u.deviceCount}</dd>
            <dt>Last seen</dt>
            <dd>{u.currentlyConnected ? <Badge tone="ok">Connected</Badge> : <Time at={u.lastSeen} now={now} empty="Never" />}</dd>
            <dt>Created</dt>
            <dd>
              <Time at={u.createdAt} now={now} />
            </dd>
            <dt>User ID</dt>
            <dd class="mono">{u.userId}</dd>
          </dl>
        </section>
        {devices && (
          <section class="card" aria-labelledby="h-machines" id="machines">
            <h2 id="h-machines">Machines</h2>
            <MachineTable devices={personal(devices, u.userId)} now={now} label={`Machines of ${u.loginName}`} />
            {tagged.length > 0 && (
              <>
                <h3>Tagged machines {u.loginName} registered</h3>
                <MachineTable devices={tagged} now={now} label={`Tagged machines registered by ${u.loginName}`} />
              </>
            )}
          </section>
        )}
        {keys && (
          <section class="card" aria-labelledby="h-keys" id="keys">
            <h2 id="h-keys">Pre-auth keys</h2>
            {liveKeys.length === 0 ? (
              <p class="empty">No active pre-auth keys.</p>
            ) : (
              <TableWrap label={`Pre-auth keys of ${u.loginName}`}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Key ID</th>
                      <th scope="col">Options</th>
                      <th scope="col">Expires</th>
                      {can(actor, "auth_keys") && (
                        <th scope="col">
                          <span class="visually-hidden">Actions</span>
                        </th>
                      )}
                    </tr>
                  </thead>
                  <tbody>
                    {liveKeys.map(({ key }) => (
                      <tr>
                        <th scope="row" class="mono">
                          {key.keyId}
                          {key.description && <div class="sub">{key.description}</div>}
                        </th>
                        <td>
                          {key.reusable ? "Reusable" : "Single use"}
                          {key.ephemeral && ", ephemeral"}
                          {key.tags.length > 0 && `, ${key.tags.join(" ")}`}
                        </td>
                        <td>
                          <Time at={key.expiresAt} now={now} />
                        </td>
                        {can(actor, "auth_keys") && (
                          <td>
                            <form method="post" action={`${path}/keys/${encodeURIComponent(key.keyId)}/expire`} class="inline">
                              <Csrf token={csrf} />
                              <button type="submit" class="link danger" aria-label={`Expire ${key.keyId}`}>
                                Expire
                              </button>
                            </form>
                          </td>
                        )}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
            {can(actor, "auth_keys") && (
              <p>
                <a href={`/admin/keys?user=${encodeURIComponent(u.loginName)}#auth-keys`}>Create a pre-auth key for {u.loginName}</a>
              </p>
            )}
          </section>
        )}
        {manage && (
          <section class="card" aria-labelledby="h-manage" id="manage">
            <h2 id="h-manage">Manage</h2>
            <form method="post" action={`${path}/rename`} class="row">
              <Csrf token={csrf} />
              <div class="field grow">
                <label for="u-login">Login name</label>
                <input id="u-login" name="loginName" value={u.loginName} required autocomplete="off" spellcheck={false} maxlength={255} />
              </div>
              <div class="field grow">
                <label for="u-display">Display name</label>
                <input id="u-display" name="displayName" value={u.displayName} autocomplete="off" maxlength={128} />
              </div>
              <button type="submit" class="button secondary">
                Rename
              </button>
            </form>
            <form method="post" action={`${path}/role`} class="row">
              <Csrf token={csrf} />
              <div class="field grow">
                <label for="u-role">Role</label>
                <select id="u-role" name="role">
                  {assignableRoles(actor).map((r) => (
                    <option value={r} selected={r === u.role}>
                      {ROLE_LABEL[r]}
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" class="button secondary">
                Change role
              </button>
            </form>
            <div class="button-row">
              {!u.approved && (
                <form method="post" action={`${path}/approve`} class="inline">
                  <Csrf token={csrf} />
                  <button type="submit" class="button">
                    Approve user
                  </button>
                </form>
              )}
              <form method="post" action={`${path}/${u.suspendedAt ? "restore" : "suspend"}`} class="inline">
                <Csrf token={csrf} />
                <button type="submit" class="button secondary">
                  {u.suspendedAt ? "Restore user" : "Suspend user"}
                </button>
              </form>
              <a class="button danger" href={`${path}/delete`}>
                Delete user…
              </a>
            </div>
          </section>
        )}
      </Page>,
    );
  });

  app.get("/users/:id/delete", async (c) => {
    const actor = c.get("actor");
    requireRead(actor);
    const d = consoleDeps(c);
    const u = await getUserWithDevices(d, actor, c.req.param("id"));
    const [devices, keys] = await Promise.all([
      can(actor, "devices:core:read") ? listDevices(d, actor) : Promise.resolve([] as Device[]),
      listKeys(d, actor, { withApiKeys: true }),
    ]);
    const machines = personal(devices, u.userId);
    const tagged = devices.filter((x) => x.userId === u.userId && !x.isExternal && x.tags.length > 0);
    const theirKeys = keys.filter((k) => k.userId === u.userId && (k.keyType === "api" || k.keyType === "auth"));
    const path = userPath(u.userId);
    return render(
      c,
      <Page c={c} title={`Delete ${u.loginName}?`} active="users">
        <Confirm csrf={c.get("session").csrfToken} action={`${path}/delete`} button="Delete user" back={path}>
          <p>
            Deleting <strong>{u.loginName}</strong> also deletes:
          </p>
          <ul>
            <li>
              {machines.length === 0 ? "no machines (they have none)" : `${machines.length} machine${machines.length === 1 ? "" : "s"}: ${machines.map((m) => m.name).join(", ")}`}
            </li>
            <li>
              {theirKeys.length === 0
                ? "no keys"
                : `${theirKeys.length} active key${theirKeys.length === 1 ? "" : "s"} (API access tokens and pre-auth keys): ${theirKeys.map((k) => k.keyId).join(", ")}`}
            </li>
          </ul>
          {tagged.length > 0 && <p>The tagged machines they registered stay ({tagged.map((m) => m.name).join(", ")}): they belong to their tags.</p>}
          <p>This cannot be undone.</p>
        </Confirm>
      </Page>,
    );
  });

  action(app, "/users", {
    scope: "users",
    back: () => "/admin/users",
    run: async (c, form, d) => {
      const loginName = field(form, "loginName");
      const role = field(form, "role") as Role;
      if (!ROLES.includes(role)) throw invalid(`choose a role: ${ROLES.join(", ")}`);
      const displayName = field(form, "displayName");
      const u = await createUser(d, c.get("actor"), { loginName, role, ...(displayName ? { displayName } : {}) });
      return { to: "/admin/users", text: `User ${u.loginName} created.` };
    },
  });

  const id = (c: CC) => c.req.param("id")!;
  const back = (c: CC) => userPath(id(c));

  action(app, "/users/:id/rename", {
    scope: "users",
    back,
    run: async (c, form, d) => {
      const displayName = field(form, "displayName");
      const u = await renameUser(d, c.get("actor"), id(c), field(form, "loginName"), displayName || undefined);
      return { to: back(c), text: `Renamed to ${u.loginName}.` };
    },
  });

  action(app, "/users/:id/role", {
    scope: "users",
    back,
    run: async (c, form, d) => {
      const role = field(form, "role") as Role;
      if (!ROLES.includes(role)) throw invalid(`choose a role: ${ROLES.join(", ")}`);
      await setUserRoleOf(d, c.get("actor"), id(c), role);
      return { to: back(c), text: `Role set to ${ROLE_LABEL[role]}.` };
    },
  });

  action(app, "/users/:id/approve", {
    scope: "users",
    back,
    run: async (c, _form, d) => {
      await approveUser(d, c.get("actor"), id(c));
      return { to: back(c), text: "User approved." };
    },
  });

  action(app, "/users/:id/suspend", {
    scope: "users",
    back,
    run: async (c, _form, d) => {
      await suspendUser(d, c.get("actor"), id(c));
      return { to: back(c), text: "User suspended: their keys and machines stop working until restored." };
    },
  });

  action(app, "/users/:id/restore", {
    scope: "users",
    back,
    run: async (c, _form, d) => {
      await restoreUser(d, c.get("actor"), id(c));
      return { to: back(c), text: "User restored." };
    },
  });

  action(app, "/users/:id/delete", {
    scope: "users",
    back,
    run: async (c, _form, d) => {
      const r = await deleteUser(d, c.get("actor"), id(c));
      const what = [`${r.devices} machine${r.devices === 1 ? "" : "s"}`, `${r.keys} key${r.keys === 1 ? "" : "s"}`].join(" and ");
      return { to: "/admin/users", text: `User ${r.user.loginName} deleted, with ${what}.` };
    },
  });

  action(app, "/users/:id/keys/:keyId/expire", {
    scope: "auth_keys",
    back: (c) => `${back(c)}#keys`,
    run: async (c, _form, d) => {
      const { key } = await expireAuthKey(d, c.get("actor"), c.req.param("keyId")!, id(c));
      return { to: `${back(c)}#keys`, text: `Pre-auth key ${key.keyId} expired.` };
    },
  });
}
