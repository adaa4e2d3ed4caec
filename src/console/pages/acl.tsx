/** @jsxImportSource hono/jsx */
import { getPolicyFile, setPolicyFile, validatePolicyFile } from "../../domain/policies.js";
import { policyManagedExternally } from "../../domain/settings.js";
import { DomainError, forbidden, invalid } from "../../lib/errors.js";
import { can } from "../abilities.js";
import { consoleDeps, humanMessage } from "../actions.js";
import { field, rawField, readForm, type CC, type ConsoleApp } from "../context.js";
import type { Flash } from "../../domain/sessions.js";
import { redirectWith } from "../session.js";
import { Csrf, Page, render } from "../ui.js";

/**
 * The policy file in a plain textarea: the text is kept exactly as written
 * (HuJSON comments and all), validated on demand, and saved only while
 * nobody else has saved since the page was opened (its ETag rides along).
 */
type External = { on: boolean; link: string };

function AclPage(props: { c: CC; text: string; etag: string; isDefault: boolean; external: External; flash?: Flash | null; current?: string }) {
  const { c } = props;
  const actor = c.get("actor");
  const write = can(actor, "policy_file") && !props.external.on;
  return (
    <Page c={c} title="Access controls" active="acl" flash={props.flash} wide>
      <p class="lead">
        The tailnet policy file: <code>tagOwners</code> (who may apply which tag), <code>autoApprovers</code>, <code>groups</code>, <code>acls</code>{" "}
        and <code>tests</code>, in HuJSON (JSON with comments and trailing commas).
        {props.isDefault && " This tailnet still has the default policy, which allows every connection."}
      </p>
      {props.external.on && (
        <p class="flash flash-error" role="note">
          This tailnet's policy file is managed elsewhere
          {props.external.link && (
            <>
              {" "}
              (
              <a href={props.external.link} rel="noopener noreferrer">
                {props.external.link}
              </a>
              )
            </>
          )}
          , so this editor is locked; the API keeps accepting the file from there. <a href="/admin/settings">Settings</a> turns this off.
        </p>
      )}
      <form method="post" action="/admin/acl" class="stack">
        <Csrf token={c.get("session").csrfToken} />
        <input type="hidden" name="etag" value={props.etag} />
        <div class="field">
          <label for="policy">Policy file</label>
          <textarea id="policy" name="policy" class="editor mono" rows={28} spellcheck={false} autocomplete="off" readonly={!write}>
            {"\n" + props.text}
          </textarea>
        </div>
        <div class="button-row">
          <button type="submit" name="do" value="validate" class="button secondary">
            Validate
          </button>
          {write && (
            <button type="submit" name="do" value="save" class="button">
              Save
            </button>
          )}
        </div>
      </form>
      {props.current !== undefined && (
        <section class="card" aria-labelledby="h-current">
          <h2 id="h-current">The policy file as saved now</h2>
          <pre class="mono code" tabindex={0} aria-label="Current policy file">
            {"\n" + props.current}
          </pre>
        </section>
      )}
    </Page>
  );
}

export function registerAcl(app: ConsoleApp): void {
  app.get("/acl", async (c) => {
    const actor = c.get("actor");
    if (!can(actor, "policy_file:read")) throw forbidden();
    const d = consoleDeps(c);
    const [p, external] = await Promise.all([getPolicyFile(d, actor), policyManagedExternally(d.sql, actor.tailnetId)]);
    return render(c, <AclPage c={c} text={p.text} etag={p.etag} isDefault={p.isDefault} external={external} />);
  });

  app.post("/acl", async (c) => {
    const actor = c.get("actor");
    if (!can(actor, "policy_file:read")) throw forbidden();
    const d = consoleDeps(c);
    const form = await readForm(c);
    // Browsers send a textarea's lines with CRLF; the file keeps the LF it was written with.
    const text = rawField(form, "policy").replace(/\r\n?/g, "\n");
    const etag = field(form, "etag");
    const external = await policyManagedExternally(d.sql, actor.tailnetId);
    const again = (flash: Flash, status: number, current?: { text: string; etag: string; isDefault: boolean }) =>
      render(c, <AclPage c={c} text={text} etag={current?.etag ?? etag} isDefault={false} external={external} flash={flash} current={current?.text} />, status);

    if (field(form, "do") !== "save") {
      const problem = validatePolicyFile(text);
      return problem ? again({ kind: "error", text: humanMessage(new DomainError("invalid", problem)) }, 400) : again({ kind: "ok", text: "The policy file is valid." }, 200);
    }
    try {
      if (!can(actor, "policy_file")) throw forbidden();
      if (external.on) throw invalid("the policy file is managed elsewhere (Settings: policy file managed elsewhere): the console's editor is locked");
      await setPolicyFile(d, actor, text, etag || undefined);
      return redirectWith(c, "/admin/acl", { kind: "ok", text: "Policy file saved." });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.kind === "precondition_failed") {
        const current = await getPolicyFile(d, actor);
        return again(
          {
            kind: "error",
            text:
              "Not saved: someone else saved the policy file after you opened it. Your text is kept in the editor; the saved version is shown below. " +
              "Merge the changes, then save again (saving now replaces theirs).",
          },
          412,
          current,
        );
      }
      return again({ kind: "error", text: humanMessage(err) }, err.kind === "forbidden" ? 403 : 400);
    }
  });
}
