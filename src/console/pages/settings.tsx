/** @jsxImportSource hono/jsx */
import { FIELD_SCOPES, getSettings, JOIN_ROLES, ROUTE_SELECTIONS, updateSettings, type SettingsPatch, type TailnetSettings } from "../../domain/settings.js";
import { formatZodError } from "../../http/errors.js";
import { forbidden, invalid } from "../../lib/errors.js";
import { TailnetSettingsPatch } from "../../routes/settings/wire.js";
import type { Actor } from "../../domain/actor.js";
import { can } from "../abilities.js";
import { action } from "../actions.js";
import { checked, field, type ConsoleApp } from "../context.js";
import { consoleDeps } from "../actions.js";
import { Csrf, Page, render } from "../ui.js";

type Key = keyof TailnetSettings;

/** The switches, with what each does; the others are chosen from lists or typed. */
const SWITCHES: [Key, string, string][] = [
  ["devicesApprovalOn", "Device approval", "New machines need an admin's approval, unless their auth key is pre-approved."],
  ["usersApprovalOn", "User approval", "New users need an admin's approval."],
  ["devicesAutoUpdatesOn", "Auto-updates", "Machines keep their Tailscale client up to date (stored only)."],
  ["postureIdentityCollectionOn", "Device identity collection", "Machines report serial numbers for posture checks."],
  ["httpsEnabled", "HTTPS certificates", "Machines may get TLS certificates for their names (stored only)."],
  ["networkFlowLoggingOn", "Network flow logs", "Stored only: tailapi collects no flow logs."],
  ["aclsExternallyManagedOn", "Policy file managed elsewhere", "Changes to the policy file through the API and this console are refused."],
];

const ROUTE_LABEL: Record<string, string> = {
  "active-passive-failover": "Active-passive failover",
  "regional-routing": "Regional routing",
  "regional-routing-failover": "Regional routing with failover",
  magicroute: "Magic route",
};

/** The fields the actor may change (each has its own scope). */
const writable = (actor: Actor, k: Key) => can(actor, FIELD_SCOPES[k]);

export function registerSettings(app: ConsoleApp): void {
  app.get("/settings", async (c) => {
    const actor = c.get("actor");
    if (!can(actor, "feature_settings:read")) throw forbidden();
    const s = await getSettings(consoleDeps(c), actor);
    const any = (Object.keys(FIELD_SCOPES) as Key[]).some((k) => writable(actor, k));
    return render(
      c,
      <Page c={c} title="Settings" active="settings">
        <p class="lead">Settings of the tailnet {actor.tailnetName}. Fields your credential may not change are shown but not editable.</p>
        <form method="post" action="/admin/settings" class="card stack">
          <Csrf token={c.get("session").csrfToken} />
          <fieldset>
            <legend>Features</legend>
            <div class="stack">
              {SWITCHES.map(([k, label, hint]) => (
                <div>
                  <label class="check" for={`s-${k}`}>
                    <input type="checkbox" id={`s-${k}`} name={k} value="1" checked={s[k] as boolean} disabled={!writable(actor, k)} aria-describedby={`s-${k}-hint`} />{" "}
                    {label}
                  </label>
                  <p class="hint" id={`s-${k}-hint`}>
                    {hint}
                  </p>
                </div>
              ))}
            </div>
          </fieldset>
          <div class="grid">
            <div class="field">
              <label for="s-link">Where the policy file is managed (link)</label>
              <input id="s-link" name="aclsExternalLink" value={s.aclsExternalLink} disabled={!writable(actor, "aclsExternalLink")} placeholder="https://…" autocomplete="off" />
            </div>
            <div class="field">
              <label for="s-days">Key expiry of new machines (days)</label>
              <input id="s-days" name="devicesKeyDurationDays" type="number" min={1} max={180} value={String(s.devicesKeyDurationDays)} disabled={!writable(actor, "devicesKeyDurationDays")} />
            </div>
            <div class="field">
              <label for="s-join">May join other tailnets</label>
              <select id="s-join" name="usersRoleAllowedToJoinExternalTailnets" disabled={!writable(actor, "usersRoleAllowedToJoinExternalTailnets")}>
                {JOIN_ROLES.map((r) => (
                  <option value={r} selected={s.usersRoleAllowedToJoinExternalTailnets === r}>
                    {r === "none" ? "Nobody" : r === "admin" ? "Admins" : "Members and admins"}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="s-route">Subnet route selection</label>
              <select id="s-route" name="routeSelection" disabled={!writable(actor, "routeSelection")}>
                {ROUTE_SELECTIONS.map((r) => (
                  <option value={r} selected={s.routeSelection === r}>
                    {ROUTE_LABEL[r] ?? r}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {any && (
            <div>
              <button type="submit" class="button">
                Save settings
              </button>
            </div>
          )}
        </form>
      </Page>,
    );
  });

  action(app, "/settings", {
    scope: [...new Set(Object.values(FIELD_SCOPES))],
    back: () => "/admin/settings",
    run: async (c, form, d) => {
      const actor = c.get("actor");
      const current = await getSettings(d, actor);
      const wanted: SettingsPatch = {
        aclsExternalLink: field(form, "aclsExternalLink"),
        devicesKeyDurationDays: Number(field(form, "devicesKeyDurationDays")),
        usersRoleAllowedToJoinExternalTailnets: field(form, "usersRoleAllowedToJoinExternalTailnets") as TailnetSettings["usersRoleAllowedToJoinExternalTailnets"],
        routeSelection: field(form, "routeSelection") as TailnetSettings["routeSelection"],
      };
      for (const [k] of SWITCHES) (wanted as Record<string, unknown>)[k] = checked(form, k);
      // Only what changed, and only what this credential may change (its disabled fields are not sent).
      const patch = Object.fromEntries(
        (Object.entries(wanted) as [Key, unknown][]).filter(([k, v]) => writable(actor, k) && v !== current[k]),
      ) as SettingsPatch;
      const parsed = TailnetSettingsPatch.safeParse(patch);
      if (!parsed.success) throw invalid(formatZodError(parsed.error));
      const changed = Object.keys(patch);
      if (changed.length) await updateSettings(d, actor, patch);
      return { to: "/admin/settings", text: changed.length ? `Settings saved (${changed.length} changed).` : "Nothing changed." };
    },
  });
}
