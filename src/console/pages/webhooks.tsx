/** @jsxImportSource hono/jsx */
import { CATEGORIES } from "../../domain/events.js";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  PROVIDER_TYPES,
  rotateWebhookSecret,
  testWebhook,
  updateWebhook,
  type ProviderType,
  type Webhook,
} from "../../domain/webhooks.js";
import { DomainError, forbidden, invalid } from "../../lib/errors.js";
import { can } from "../abilities.js";
import { action, consoleDeps, humanMessage } from "../actions.js";
import { field, fields, readForm, type CC, type ConsoleApp, type Form } from "../context.js";
import { redirectWith } from "../session.js";
import { Badge, Confirm, Csrf, Page, render, Secret, TableWrap, Time } from "../ui.js";

const PROVIDER_LABEL: Record<string, string> = { "": "Generic (JSON)", slack: "Slack", mattermost: "Mattermost", googlechat: "Google Chat", discord: "Discord" };

const hookPath = (id: string) => `/admin/webhooks/${encodeURIComponent(id)}`;

function Subscriptions(props: { selected: readonly string[]; prefix: string }) {
  const groups: [string, string, readonly string[]][] = [
    ["categoryTailnetManagement", "Tailnet management", CATEGORIES.categoryTailnetManagement],
    ["categoryDeviceMisconfigurations", "Device misconfigurations", CATEGORIES.categoryDeviceMisconfigurations],
  ];
  return (
    <>
      {groups.map(([category, label, events]) => (
        <fieldset>
          <legend>{label}</legend>
          <label class="check" for={`${props.prefix}-${category}`}>
            <input type="checkbox" id={`${props.prefix}-${category}`} name="subscriptions" value={category} checked={props.selected.includes(category)} /> Every{" "}
            {label.toLowerCase()} event, including ones added later
          </label>
          <div class="checks">
            {events.map((e) => (
              <label class="check mono small" for={`${props.prefix}-${e}`}>
                <input type="checkbox" id={`${props.prefix}-${e}`} name="subscriptions" value={e} checked={props.selected.includes(e)} /> {e}
              </label>
            ))}
          </div>
        </fieldset>
      ))}
    </>
  );
}

function requireRead(c: CC): void {
  if (!can(c.get("actor"), "webhooks:read")) throw forbidden();
}

function SecretShown(props: { c: CC; title: string; hook: Webhook; secret: string }) {
  return (
    <Page c={props.c} title={props.title} active="webhooks" flash={null}>
      <section class="card">
        <p>
          Endpoint: <span class="mono break">{props.hook.endpointUrl}</span>
        </p>
        <Secret id="secret" label="Signing secret" value={props.secret} />
        <p class="hint">Every delivery carries a Tailscale-Webhook-Signature header made with it; check it on your side.</p>
        <p>
          <a class="button" href={hookPath(props.hook.endpointId)}>
            Done
          </a>
        </p>
      </section>
    </Page>
  );
}

/** A POST that answers with a secret shown once, or goes back with the refusal. */
function withSecret(app: ConsoleApp, path: string, back: (c: CC) => string, run: (c: CC, form: Form) => Promise<Response>): void {
  app.post(path, async (c) => {
    const form = await readForm(c);
    try {
      if (!can(c.get("actor"), "webhooks")) throw forbidden();
      return await run(c, form);
    } catch (err) {
      if (err instanceof DomainError) return redirectWith(c, back(c), { kind: "error", text: humanMessage(err) });
      throw err;
    }
  });
}

export function registerWebhooks(app: ConsoleApp): void {
  app.get("/webhooks", async (c) => {
    requireRead(c);
    const actor = c.get("actor");
    const d = consoleDeps(c);
    const hooks = await listWebhooks(d, actor);
    const now = d.clock.now();
    return render(
      c,
      <Page c={c} title="Webhooks" active="webhooks">
        <p class="lead">Endpoints that receive the tailnet's events, signed with their own secret.</p>
        {hooks.length === 0 ? (
          <p class="empty">No webhook endpoints.</p>
        ) : (
          <TableWrap label="Webhook endpoints">
            <table>
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Events</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {hooks.map((h) => (
                  <tr>
                    <th scope="row" class="break">
                      <a href={hookPath(h.endpointId)}>{h.endpointUrl}</a>
                    </th>
                    <td>{PROVIDER_LABEL[h.providerType] ?? h.providerType}</td>
                    <td>{h.subscriptions.length}</td>
                    <td>
                      <Time at={h.createdAt} now={now} />
                      {h.creatorLogin && <div class="sub">by {h.creatorLogin}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        {can(actor, "webhooks") && (
          <section class="card" aria-labelledby="h-new">
            <h2 id="h-new">Add endpoint</h2>
            <form method="post" action="/admin/webhooks" class="stack">
              <Csrf token={c.get("session").csrfToken} />
              <div class="grid">
                <div class="field">
                  <label for="wh-url">Endpoint URL</label>
                  <input id="wh-url" name="endpointUrl" type="url" required placeholder="https://example.com/tailscale-events" autocomplete="off" />
                </div>
                <div class="field">
                  <label for="wh-kind">Kind</label>
                  <select id="wh-kind" name="providerType">
                    {PROVIDER_TYPES.map((p) => (
                      <option value={p}>{PROVIDER_LABEL[p]}</option>
                    ))}
                  </select>
                </div>
              </div>
              <Subscriptions selected={[]} prefix="new" />
              <div>
                <button type="submit" class="button">
                  Add endpoint
                </button>
              </div>
            </form>
          </section>
        )}
      </Page>,
    );
  });

  app.get("/webhooks/:id", async (c) => {
    requireRead(c);
    const actor = c.get("actor");
    const d = consoleDeps(c);
    const hook = await getWebhook(d, actor, c.req.param("id"));
    const deliveries = await listWebhookDeliveries(d, actor, hook.endpointId);
    const now = d.clock.now();
    const write = can(actor, "webhooks");
    const csrf = c.get("session").csrfToken;
    const path = hookPath(hook.endpointId);
    return render(
      c,
      <Page c={c} title="Webhook endpoint" active="webhooks" crumbs={<a href="/admin/webhooks">Webhooks</a>} wide>
        <section class="card" aria-labelledby="h-details">
          <h2 id="h-details">Details</h2>
          <dl class="details">
            <dt>URL</dt>
            <dd class="mono break">{hook.endpointUrl}</dd>
            <dt>Kind</dt>
            <dd>{PROVIDER_LABEL[hook.providerType] ?? hook.providerType}</dd>
            <dt>Created</dt>
            <dd>
              <Time at={hook.createdAt} now={now} />
              {hook.creatorLogin && ` by ${hook.creatorLogin}`}
            </dd>
            <dt>Endpoint ID</dt>
            <dd class="mono">{hook.endpointId}</dd>
          </dl>
          {write && (
            <div class="button-row">
              <form method="post" action={`${path}/test`} class="inline">
                <Csrf token={csrf} />
                <button type="submit" class="button secondary">
                  Send test event
                </button>
              </form>
              <form method="post" action={`${path}/rotate`} class="inline">
                <Csrf token={csrf} />
                <button type="submit" class="button secondary">
                  New signing secret
                </button>
              </form>
              <a class="button danger" href={`${path}/delete`}>
                Delete endpoint…
              </a>
            </div>
          )}
        </section>

        <section class="card" aria-labelledby="h-deliveries" id="deliveries">
          <h2 id="h-deliveries">Recent deliveries</h2>
          {deliveries.length === 0 ? (
            <p class="empty">Nothing sent yet.</p>
          ) : (
            <TableWrap label="Recent deliveries">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">State</th>
                    <th scope="col">Attempts</th>
                    <th scope="col">Last answer</th>
                    <th scope="col">Queued</th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((j) => (
                    <tr>
                      <th scope="row" class="mono small">
                        {j.eventType}
                      </th>
                      <td>
                        <Badge tone={j.state === "delivered" ? "ok" : j.state === "failed" ? "warn" : "info"}>
                          {j.state === "delivered" ? "Delivered" : j.state === "failed" ? "Failed" : "Pending"}
                        </Badge>
                      </td>
                      <td>{j.attempts}</td>
                      <td>
                        {j.last ? (
                          <>
                            {j.last.statusCode !== null ? `HTTP ${j.last.statusCode}` : "No answer"}
                            {j.last.error && <div class="sub">{j.last.error}</div>}
                            <div class="sub">{j.last.durationMs} ms</div>
                          </>
                        ) : (
                          <span class="muted">—</span>
                        )}
                      </td>
                      <td>
                        <Time at={j.createdAt} now={now} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </section>

        <section class="card" aria-labelledby="h-events">
          <h2 id="h-events">Events</h2>
          {write ? (
            <form method="post" action={`${path}/subscriptions`} class="stack">
              <Csrf token={csrf} />
              <Subscriptions selected={hook.subscriptions} prefix="edit" />
              <div>
                <button type="submit" class="button">
                  Save events
                </button>
              </div>
            </form>
          ) : (
            <ul class="plain mono small">
              {hook.subscriptions.map((s) => (
                <li>{s}</li>
              ))}
            </ul>
          )}
        </section>
      </Page>,
    );
  });

  app.get("/webhooks/:id/delete", async (c) => {
    requireRead(c);
    const hook = await getWebhook(consoleDeps(c), c.get("actor"), c.req.param("id"));
    const path = hookPath(hook.endpointId);
    return render(
      c,
      <Page c={c} title="Delete this webhook endpoint?" active="webhooks">
        <Confirm csrf={c.get("session").csrfToken} action={`${path}/delete`} button="Delete endpoint" back={path}>
          <p>
            <span class="mono break">{hook.endpointUrl}</span> receives no more events, and its queued deliveries are dropped. This cannot be undone.
          </p>
        </Confirm>
      </Page>,
    );
  });

  withSecret(app, "/webhooks", () => "/admin/webhooks", async (c, form) => {
    const providerType = field(form, "providerType") as ProviderType;
    if (!PROVIDER_TYPES.includes(providerType)) throw invalid("choose a kind from the list");
    const { row, secret } = await createWebhook(consoleDeps(c), c.get("actor"), {
      endpointUrl: field(form, "endpointUrl"),
      providerType,
      subscriptions: fields(form, "subscriptions"),
    });
    return render(c, <SecretShown c={c} title="Webhook endpoint added" hook={row} secret={secret} />);
  });

  withSecret(app, "/webhooks/:id/rotate", (c) => hookPath(c.req.param("id")!), async (c) => {
    const { row, secret } = await rotateWebhookSecret(consoleDeps(c), c.get("actor"), c.req.param("id")!);
    return render(c, <SecretShown c={c} title="New signing secret" hook={row} secret={secret} />);
  });

  const back = (c: CC) => hookPath(c.req.param("id")!);

  action(app, "/webhooks/:id/subscriptions", {
    scope: "webhooks",
    back,
    run: async (c, form, d) => {
      const row = await updateWebhook(d, c.get("actor"), c.req.param("id")!, fields(form, "subscriptions"));
      return { to: back(c), text: `Events saved (${row.subscriptions.length}).` };
    },
  });

  action(app, "/webhooks/:id/test", {
    scope: "webhooks",
    back,
    run: async (c, _form, d) => {
      await testWebhook(d, c.get("actor"), c.req.param("id")!);
      return { to: `${back(c)}#deliveries`, text: "Test event queued: it shows under Recent deliveries once sent." };
    },
  });

  action(app, "/webhooks/:id/delete", {
    scope: "webhooks",
    back,
    run: async (c, _form, d) => {
      await deleteWebhook(d, c.get("actor"), c.req.param("id")!);
      return { to: "/admin/webhooks", text: "Webhook endpoint deleted." };
    },
  });
}

