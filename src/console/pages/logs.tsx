/** @jsxImportSource hono/jsx */
import { listAuditLog, MAX_AUDIT_ENTRIES, type AuditRow } from "../../domain/audit.js";
import { DomainError, forbidden } from "../../lib/errors.js";
import { can } from "../abilities.js";
import { consoleDeps, humanMessage } from "../actions.js";
import type { ConsoleApp } from "../context.js";
import { Page, render, TableWrap, Time } from "../ui.js";

/** `2024-05-01T10:30` (what a datetime-local field holds), read as UTC. */
function parseLocal(text: string | undefined): Date | undefined {
  if (!text || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return undefined;
  const t = Date.parse(`${text}${text.length === 16 ? ":00" : ""}Z`);
  return Number.isNaN(t) ? undefined : new Date(t);
}

const toLocal = (d: Date) => d.toISOString().slice(0, 16);

const ORIGIN_LABEL: Record<string, string> = { api: "API", console: "Console", cli: "CLI", node: "Node API", system: "tailapi" };

/** A value as one short line of JSON. */
function brief(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}…` : s;
}

function who(r: AuditRow): string {
  if (r.actorLogin) return r.actorLogin;
  if (r.actorType === "OAUTH_CLIENT") return `OAuth client ${r.actorId}`;
  return `${r.actorType.toLowerCase().replace(/_/g, " ")} ${r.actorId}`;
}

export function registerLogs(app: ConsoleApp): void {
  app.get("/logs", async (c) => {
    const actor = c.get("actor");
    if (!can(actor, "logs:configuration:read")) throw forbidden();
    const d = consoleDeps(c);
    const now = d.clock.now();
    const end = parseLocal(c.req.query("end")) ?? new Date(now.getTime() + 60_000);
    const start = parseLocal(c.req.query("start")) ?? new Date(end.getTime() - 7 * 86_400_000);
    const f = { actor: c.req.query("actor")?.trim() ?? "", target: c.req.query("target")?.trim() ?? "", event: c.req.query("event")?.trim() ?? "" };
    let rows: AuditRow[] = [];
    let problem: string | undefined;
    try {
      rows = await listAuditLog(d, actor, {
        start,
        end,
        // A plain word finds actors by login or name (the API's ~text).
        actors: f.actor ? [/^\d+$|^k\w+CNTRL$|^~/.test(f.actor) ? f.actor : `~${f.actor}`] : [],
        targets: f.target ? [f.target] : [],
        events: f.event ? [f.event.toUpperCase()] : [],
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      problem = humanMessage(err);
    }
    return render(
      c,
      <Page c={c} title="Configuration log" active="logs" flash={problem ? { kind: "error", text: problem } : undefined} wide>
        <p class="lead">Every change to the tailnet's configuration: who made it, from where, and what it was. Times are UTC.</p>
        <form method="get" action="/admin/logs" class="filters" role="search" aria-label="Filter the log">
          <div class="field date">
            <label for="l-start">From</label>
            <input id="l-start" name="start" type="datetime-local" value={toLocal(start)} />
          </div>
          <div class="field date">
            <label for="l-end">Until</label>
            <input id="l-end" name="end" type="datetime-local" value={toLocal(end)} />
          </div>
          <div class="field">
            <label for="l-actor">Who</label>
            <input id="l-actor" name="actor" value={f.actor} placeholder="alice, or an id" autocomplete="off" />
          </div>
          <div class="field">
            <label for="l-target">Target</label>
            <input id="l-target" name="target" value={f.target} placeholder="web-1, tag:server…" autocomplete="off" />
          </div>
          <div class="field">
            <label for="l-event">Event</label>
            <input id="l-event" name="event" value={f.event} placeholder="NODE.UPDATE" autocomplete="off" class="mono" />
          </div>
          <div class="field actions-inline">
            <button type="submit" class="button">
              Filter
            </button>
          </div>
        </form>
        {!problem && (
          <p class="muted" role="status">
            {rows.length} entr{rows.length === 1 ? "y" : "ies"}, newest first{rows.length === MAX_AUDIT_ENTRIES ? " (the most one page shows)" : ""}.
          </p>
        )}
        {rows.length > 0 && (
          <TableWrap label="Configuration log">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Who</th>
                  <th scope="col">Event</th>
                  <th scope="col">Target</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {[...rows].reverse().map((r) => (
                  <tr>
                    <td>
                      <Time at={r.eventTime} now={now} exact />
                    </td>
                    <td>
                      {who(r)}
                      <div class="sub">{ORIGIN_LABEL[r.origin] ?? r.origin}</div>
                    </td>
                    <th scope="row" class="mono small">
                      {[r.targetType, r.action, r.targetProperty].filter(Boolean).join(".")}
                    </th>
                    <td class="break">{r.targetName || r.targetId}</td>
                    <td class="mono small break">
                      {r.oldValue !== null && r.oldValue !== undefined && <div>− {brief(r.oldValue)}</div>}
                      {r.newValue !== null && r.newValue !== undefined && <div>+ {brief(r.newValue)}</div>}
                      {r.details && <div class="sub">{r.details}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Page>,
    );
  });
}
