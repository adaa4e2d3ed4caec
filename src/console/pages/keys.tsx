/** @jsxImportSource hono/jsx */
import { ALL_SCOPE_NAMES, isLegacyScope, RESOURCES, uncovered, type Scope } from "../../auth/scopes.js";
import type { Actor } from "../../domain/actor.js";
import {
  createApiKey,
  createUserAuthKey,
  createOAuthClient,
  DAY,
  getKey,
  listKeys,
  MAX_KEY_EXPIRY_SECONDS,
  revokeKey,
  scopeFor,
  type Key,
  type ManagedKeyType,
} from "../../domain/keys.js";
import { applicableTags } from "../../domain/policies.js";
import { listUsers, type User } from "../../domain/users.js";
import { DomainError, forbidden, invalid } from "../../lib/errors.js";
import { can } from "../abilities.js";
import { action, consoleDeps, humanMessage } from "../actions.js";
import { checked, field, fields, readForm, type CC, type ConsoleApp, type Form } from "../context.js";
import { redirectWith } from "../session.js";
import { Badge, Confirm, Csrf, Page, render, Secret, TableWrap, Time } from "../ui.js";

const TYPE_LABEL: Record<ManagedKeyType, string> = { auth: "Auth key", api: "API access token", client: "OAuth client" };

const EXPIRIES: [number, string][] = [
  [3600, "1 hour"],
  [DAY, "1 day"],
  [7 * DAY, "7 days"],
  [30 * DAY, "30 days"],
  [MAX_KEY_EXPIRY_SECONDS, "90 days"],
];

function expiryOf(form: Form): number {
  const n = Number(field(form, "expiry"));
  if (!EXPIRIES.some(([s]) => s === n)) throw invalid("choose an expiry from the list");
  return n;
}

function ExpirySelect(props: { id: string }) {
  return (
    <div class="field">
      <label for={props.id}>Expires after</label>
      <select id={props.id} name="expiry">
        {EXPIRIES.map(([s, label]) => (
          <option value={String(s)} selected={s === MAX_KEY_EXPIRY_SECONDS}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

function TagChecks(props: { tags: string[]; prefix: string; legend: string }) {
  if (props.tags.length === 0) {
    return (
      <p class="hint">
        No tags are yours to apply (tags are defined in the policy file's <code>tagOwners</code>).
      </p>
    );
  }
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      <div class="checks">
        {props.tags.map((t, i) => (
          <label class="check" for={`${props.prefix}-${i}`}>
            <input type="checkbox" id={`${props.prefix}-${i}`} name="tags" value={t} /> {t}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Scopes offered for a new OAuth client: per resource none, read or write, limited to what the actor can grant. */
function grantable(actor: Actor): { resource: string; read: boolean; write: boolean }[] {
  const held = actor.scopes;
  const canGive = (s: string) => uncovered(held, [s]).length === 0;
  const rows: { resource: string; read: boolean; write: boolean }[] = [];
  rows.push({ resource: "all", read: canGive("all:read"), write: canGive("all") });
  for (const r of RESOURCES) rows.push({ resource: r, read: canGive(`${r}:read`), write: canGive(r) });
  const readOnly = ALL_SCOPE_NAMES.filter((s) => s.endsWith(":read") && !isLegacyScope(s) && !RESOURCES.some((r) => `${r}:read` === s) && s !== "all:read");
  for (const s of readOnly) rows.push({ resource: s.slice(0, -":read".length), read: canGive(s), write: false });
  return rows.filter((r) => r.read || r.write);
}

function scopesOf(form: Form): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(form)) {
    if (!k.startsWith("scope:") || typeof v !== "string" || v === "") continue;
    const resource = k.slice("scope:".length);
    if (v === "write") out.push(resource);
    else if (v === "read") out.push(`${resource}:read`);
    else throw invalid(`invalid access ${JSON.stringify(v)} for ${resource}`);
  }
  return out;
}

function KeyDetails(props: { k: Key }) {
  const k = props.k;
  if (k.keyType === "auth") {
    return (
      <>
        {k.reusable ? <Badge tone="info">Reusable</Badge> : <Badge>Single use</Badge>}
        {k.ephemeral && <Badge>Ephemeral</Badge>}
        {k.preauthorized && <Badge tone="ok">Pre-approved</Badge>}
        {k.tags.map((t) => (
          <Badge tone="info">{t}</Badge>
        ))}
        {k.uses > 0 && <div class="sub">Used {k.uses} time{k.uses === 1 ? "" : "s"}</div>}
      </>
    );
  }
  if (k.keyType === "client") {
    return (
      <>
        <div class="mono small">{k.scopes.join(" ")}</div>
        {k.tags.map((t) => (
          <Badge tone="info">{t}</Badge>
        ))}
      </>
    );
  }
  return null;
}

function KeyTable(props: { keys: Key[]; type: ManagedKeyType; users: Map<string, User>; now: Date; actor: Actor }) {
  const keys = props.keys.filter((k) => k.keyType === props.type);
  if (keys.length === 0) return <p class="empty">None active.</p>;
  const mayRevoke = can(props.actor, scopeFor(props.type, true));
  return (
    <TableWrap label={`${TYPE_LABEL[props.type]}s`}>
      <table>
        <thead>
          <tr>
            <th scope="col">{props.type === "client" ? "Client ID" : "Key ID"}</th>
            <th scope="col">{props.type === "api" ? "User" : "Created by"}</th>
            <th scope="col">Details</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            {mayRevoke && (
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr>
              <th scope="row">
                <span class="mono">{k.keyId}</span>
                {k.description && <div class="sub">{k.description}</div>}
                {props.actor.keyId === k.keyId && <Badge tone="info">Signed in with this</Badge>}
              </th>
              <td>{k.userId ? (props.users.get(k.userId)?.loginName ?? k.userId) : k.createdByClient ? `OAuth client ${k.createdByClient}` : "—"}</td>
              <td>
                <KeyDetails k={k} />
              </td>
              <td>
                <Time at={k.createdAt} now={props.now} />
              </td>
              <td>
                <Time at={k.expiresAt} now={props.now} empty="Never" />
              </td>
              {mayRevoke && (
                <td>
                  <a href={`/admin/keys/${encodeURIComponent(k.keyId)}/revoke`} class="link danger" aria-label={`Revoke ${k.keyId}`}>
                    {k.keyType === "client" ? "Delete" : "Revoke"}
                  </a>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** A creation answered with its secret, shown once (not a redirect: the secret must not be stored anywhere). */
function Created(props: { c: CC; title: string; id: string; idLabel: string; secret: string; secretLabel: string; children?: unknown }) {
  return (
    <Page c={props.c} title={props.title} active="keys" flash={null}>
      <section class="card">
        <p>
          {props.idLabel}: <span class="mono">{props.id}</span>
        </p>
        <Secret id="secret" label={props.secretLabel} value={props.secret} />
        {props.children}
        <p>
          <a href="/admin/keys" class="button">
            Done
          </a>
        </p>
      </section>
    </Page>
  );
}

/** A POST that creates a key and shows its secret, or goes back to the Keys page with the refusal. */
function creation(app: ConsoleApp, path: string, scope: Scope, run: (c: CC, form: Form) => Promise<Response>): void {
  app.post(path, async (c) => {
    const form = await readForm(c);
    try {
      if (!can(c.get("actor"), scope)) throw forbidden();
      return await run(c, form);
    } catch (err) {
      if (err instanceof DomainError) return redirectWith(c, "/admin/keys", { kind: "error", text: humanMessage(err) });
      throw err;
    }
  });
}

export function registerKeys(app: ConsoleApp): void {
  app.get("/keys", async (c) => {
    const actor = c.get("actor");
    const readable = (["auth", "api", "client"] as const).filter((t) => can(actor, scopeFor(t, false)));
    if (readable.length === 0) throw forbidden();
    const d = consoleDeps(c);
    const [keys, users, tags] = await Promise.all([
      listKeys(d, actor, { withApiKeys: true }),
      can(actor, "users:read") ? listUsers(d, actor) : Promise.resolve([] as User[]),
      applicableTags(d, actor),
    ]);
    const byId = new Map(users.map((u) => [u.userId, u]));
    const preselect = c.req.query("user");
    const now = d.clock.now();
    const csrf = c.get("session").csrfToken;
    const scopes = grantable(actor);
    return render(
      c,
      <Page c={c} title="Keys" active="keys" wide>
        <p class="lead">Auth keys register machines; API access tokens and OAuth clients use the API (and this console).</p>

        {readable.includes("auth") && (
          <section class="card" aria-labelledby="h-auth" id="auth-keys">
            <h2 id="h-auth">Auth keys</h2>
            <KeyTable keys={keys} type="auth" users={byId} now={now} actor={actor} />
            {can(actor, "auth_keys") && (
              <details class="create">
                <summary>Generate auth key</summary>
                <form method="post" action="/admin/keys/auth" class="grid">
                  <Csrf token={csrf} />
                  <div class="field">
                    <label for="ak-user">User (owns the machines it registers)</label>
                    <select id="ak-user" name="user">
                      {actor.kind === "oauth" && <option value="">Nobody: a tagged key</option>}
                      {users
                        .filter((u) => u.approved && !u.suspendedAt && (!actor.ownDevicesOnly || u.userId === actor.user?.id))
                        .map((u) => (
                          <option value={u.loginName} selected={preselect ? u.loginName.toLowerCase() === preselect.toLowerCase() : u.userId === actor.user?.id}>
                            {u.loginName}
                          </option>
                        ))}
                    </select>
                  </div>
                  <div class="field">
                    <label for="ak-desc">Description</label>
                    <input id="ak-desc" name="description" maxlength={50} autocomplete="off" />
                  </div>
                  <ExpirySelect id="ak-expiry" />
                  <fieldset class="span">
                    <legend>Options</legend>
                    <div class="checks">
                      <label class="check" for="ak-reusable">
                        <input type="checkbox" id="ak-reusable" name="reusable" value="1" /> Reusable: registers any number of machines
                      </label>
                      <label class="check" for="ak-ephemeral">
                        <input type="checkbox" id="ak-ephemeral" name="ephemeral" value="1" /> Ephemeral: machines are removed once offline
                      </label>
                      <label class="check" for="ak-pre">
                        <input type="checkbox" id="ak-pre" name="preauthorized" value="1" checked /> Pre-approved: machines need no approval
                      </label>
                    </div>
                  </fieldset>
                  <div class="span">
                    <TagChecks tags={tags} prefix="ak-tag" legend="Tags (machines registered with the key get them)" />
                  </div>
                  <p class="hint span">Machines registered with it belong to its user, or to its tags when it has tags.</p>
                  <div class="field actions-inline">
                    <button type="submit" class="button">
                      Generate key
                    </button>
                  </div>
                </form>
              </details>
            )}
          </section>
        )}

        {readable.includes("api") && (
          <section class="card" aria-labelledby="h-api" id="api-keys">
            <h2 id="h-api">API access tokens</h2>
            <KeyTable keys={keys} type="api" users={byId} now={now} actor={actor} />
            {can(actor, "api_access_tokens") && (
              <details class="create">
                <summary>Generate API access token</summary>
                <form method="post" action="/admin/keys/api" class="grid">
                  <Csrf token={csrf} />
                  <div class="field">
                    <label for="api-desc">Description</label>
                    <input id="api-desc" name="description" maxlength={50} autocomplete="off" />
                  </div>
                  {users.length > 0 && (
                    <div class="field">
                      <label for="api-user">Acts as user</label>
                      <select id="api-user" name="user">
                        {users.map((u) => (
                          <option value={u.loginName} selected={u.userId === actor.user?.id}>
                            {u.loginName} ({u.role})
                          </option>
                        ))}
                      </select>
                    </div>
                  )}
                  <ExpirySelect id="api-expiry" />
                  <div class="field actions-inline">
                    <button type="submit" class="button">
                      Generate token
                    </button>
                  </div>
                </form>
              </details>
            )}
          </section>
        )}

        {readable.includes("client") && (
          <section class="card" aria-labelledby="h-oauth" id="oauth-clients">
            <h2 id="h-oauth">OAuth clients</h2>
            <KeyTable keys={keys} type="client" users={byId} now={now} actor={actor} />
            {can(actor, "oauth_keys") && (
              <details class="create">
                <summary>Generate OAuth client</summary>
                <form method="post" action="/admin/keys/oauth" class="stack">
                  <Csrf token={csrf} />
                  <div class="field">
                    <label for="oc-desc">Description</label>
                    <input id="oc-desc" name="description" maxlength={50} autocomplete="off" />
                  </div>
                  <fieldset>
                    <legend>Scopes</legend>
                    <p class="hint">Write access includes read access. Clients with devices:core or auth_keys must have tags.</p>
                    <div class="scopes">
                      {scopes.map((s) => (
                        <div class="field scope">
                          <label for={`sc-${s.resource}`} class="mono">
                            {s.resource}
                          </label>
                          <select id={`sc-${s.resource}`} name={`scope:${s.resource}`}>
                            <option value="">No access</option>
                            {s.read && <option value="read">Read</option>}
                            {s.write && <option value="write">Write</option>}
                          </select>
                        </div>
                      ))}
                    </div>
                  </fieldset>
                  <TagChecks tags={tags} prefix="oc-tag" legend="Tags (the client may apply them)" />
                  <div>
                    <button type="submit" class="button">
                      Generate client
                    </button>
                  </div>
                </form>
              </details>
            )}
          </section>
        )}
      </Page>,
    );
  });

  creation(app, "/keys/auth", "auth_keys", async (c, form) => {
    const user = field(form, "user");
    const { row, secret, user: owner } = await createUserAuthKey(consoleDeps(c), c.get("actor"), {
      ...(user ? { user } : {}),
      reusable: checked(form, "reusable"),
      ephemeral: checked(form, "ephemeral"),
      preauthorized: checked(form, "preauthorized"),
      tags: fields(form, "tags"),
      expirySeconds: expiryOf(form),
      description: field(form, "description").slice(0, 50),
    });
    return render(
      c,
      <Created c={c} title="Auth key generated" id={row.keyId} idLabel="Key ID" secret={secret} secretLabel="Auth key">
        <p>{row.tags.length ? `Machines registered with it are tagged ${row.tags.join(", ")}.` : `Machines registered with it belong to ${owner?.loginName}.`}</p>
        <p class="hint">
          Register a machine with it: <code>POST /machine/register</code> with <code>"authKey"</code> set to this key (see the README).
        </p>
      </Created>,
    );
  });

  creation(app, "/keys/api", "api_access_tokens", async (c, form) => {
    const user = field(form, "user");
    const { row, secret, loginName } = await createApiKey(consoleDeps(c), c.get("actor"), {
      ...(user ? { userLogin: user } : {}),
      expirySeconds: expiryOf(form),
      description: field(form, "description").slice(0, 50),
    });
    return render(
      c,
      <Created c={c} title="API access token generated" id={row.keyId} idLabel="Key ID" secret={secret} secretLabel="API access token">
        <p class="hint">It acts as {loginName}, with that user's role. Use it as the username of HTTP Basic or as a bearer token.</p>
      </Created>,
    );
  });

  creation(app, "/keys/oauth", "oauth_keys", async (c, form) => {
    const { row, secret } = await createOAuthClient(consoleDeps(c), c.get("actor"), {
      scopes: scopesOf(form),
      tags: fields(form, "tags"),
      description: field(form, "description").slice(0, 50),
    });
    return render(
      c,
      <Created c={c} title="OAuth client generated" id={row.keyId} idLabel="Client ID" secret={secret} secretLabel="Client secret">
        <p class="hint">Scopes: {row.scopes.join(" ")}</p>
      </Created>,
    );
  });

  app.get("/keys/:id/revoke", async (c) => {
    const actor = c.get("actor");
    const key = await getKey(consoleDeps(c), actor, c.req.param("id"));
    const verb = key.keyType === "client" ? "Delete" : "Revoke";
    const type = key.keyType as ManagedKeyType;
    return render(
      c,
      <Page c={c} title={`${verb} ${TYPE_LABEL[type].toLowerCase()} ${key.keyId}?`} active="keys">
        <Confirm csrf={c.get("session").csrfToken} action={`/admin/keys/${encodeURIComponent(key.keyId)}/revoke`} button={verb} back="/admin/keys">
          <p>
            {type === "auth" && "Machines can no longer register with it; machines already registered stay."}
            {type === "api" && "Everything using this token (scripts, Terraform, console sessions) stops working at once."}
            {type === "client" && "Its access tokens stop working at once, and console sessions signed in with it end."}
            {key.keyId === actor.keyId && " You are signed in with it: your session ends too."} This cannot be undone.
          </p>
        </Confirm>
      </Page>,
    );
  });

  action(app, "/keys/:id/revoke", {
    scope: ["auth_keys", "oauth_keys", "api_access_tokens"],
    back: () => "/admin/keys",
    run: async (c, _form, d) => {
      const key = await revokeKey(d, c.get("actor"), c.req.param("id")!);
      return { to: "/admin/keys", text: `${TYPE_LABEL[key.keyType as ManagedKeyType]} ${key.keyId} ${key.keyType === "client" ? "deleted" : "revoked"}.` };
    },
  });
}
