/** @jsxImportSource hono/jsx */
import { getPolicyFile, previewPolicy, setPolicyFile, validatePolicy, type PreviewMatch } from "../../domain/policies.js";
import type { Flash } from "../../domain/sessions.js";
import { policyManagedExternally } from "../../domain/settings.js";
import { DomainError, forbidden, invalid } from "../../lib/errors.js";
import { can } from "../abilities.js";
import { consoleDeps, humanMessage } from "../actions.js";
import { field, rawField, readForm, type CC, type ConsoleApp } from "../context.js";
import { redirectWith } from "../session.js";
import { Csrf, Page, render, TableWrap } from "../ui.js";

/**
 * The policy file in a plain textarea: the text is kept exactly as written
 * (HuJSON comments and all), validated on demand (its tests run), previewed
 * for a user or an address, and saved only while nobody else has saved since
 * the page was opened (its ETag rides along).
 */
type External = { on: boolean; link: string };
type Failure = { user: string; errors: string[] };
type Preview = { type: "user" | "ipport"; for: string; matches: PreviewMatch[] };

type Props = {
  c: CC;
  text: string;
  etag: string;
  isDefault: boolean;
  external: External;
  flash?: Flash | null;
  current?: string;
  failures?: Failure[];
  preview?: Preview;
  previewType?: string;
  previewFor?: string;
};

function AclPage(props: Props) {
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
      {props.failures && props.failures.length > 0 && (
        <section class="card" aria-labelledby="h-failures">
          <h2 id="h-failures">Failing tests</h2>
          <ul>
            {props.failures.map((f) => (
              <li>
                <strong>{f.user}</strong>
                <ul>
                  {f.errors.map((e) => (
                    <li class="mono small">{e}</li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </section>
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
        <fieldset>
          <legend>Preview the rules of this text</legend>
          <div class="row">
            <div class="field">
              <label for="preview-type">For</label>
              <select id="preview-type" name="previewType">
                <option value="user" selected={props.previewType !== "ipport"}>
                  A user
                </option>
                <option value="ipport" selected={props.previewType === "ipport"}>
                  An address and port
                </option>
              </select>
            </div>
            <div class="field grow">
              <label for="preview-for">User or address:port</label>
              <input id="preview-for" name="previewFor" value={props.previewFor ?? ""} placeholder="alice@example.com, or 100.64.0.1:22" autocomplete="off" spellcheck={false} />
            </div>
            <button type="submit" name="do" value="preview" class="button secondary">
              Preview
            </button>
          </div>
        </fieldset>
      </form>
      {props.preview && (
        <section class="card" aria-labelledby="h-preview" id="preview">
          <h2 id="h-preview">
            Rules for {props.preview.for} ({props.preview.type === "user" ? "as a source" : "as a destination"})
          </h2>
          {props.preview.matches.length === 0 ? (
            <p class="empty">No rule applies.</p>
          ) : (
            <TableWrap label="Matching rules">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Line</th>
                    <th scope="col">Sources</th>
                    <th scope="col">Destinations</th>
                  </tr>
                </thead>
                <tbody>
                  {props.preview.matches.map((m) => (
                    <tr>
                      <th scope="row">{m.lineNumber}</th>
                      <td class="mono small">{m.users.join(", ")}</td>
                      <td class="mono small">{m.ports.join(", ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </section>
      )}
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
    const previewType = field(form, "previewType") === "ipport" ? "ipport" : "user";
    const previewFor = field(form, "previewFor");
    const external = await policyManagedExternally(d.sql, actor.tailnetId);
    const again = (status: number, o: { flash?: Flash; current?: { text: string; etag: string }; failures?: Failure[]; preview?: Preview }) =>
      render(
        c,
        <AclPage
          c={c}
          text={text}
          etag={o.current?.etag ?? etag}
          isDefault={false}
          external={external}
          flash={o.flash ?? null}
          current={o.current?.text}
          failures={o.failures}
          preview={o.preview}
          previewType={previewType}
          previewFor={previewFor}
        />,
        status,
      );
    const refused = (err: DomainError) => again(err.kind === "forbidden" ? 403 : 400, { flash: { kind: "error", text: humanMessage(err) } });

    const what = field(form, "do");
    if (what === "validate") {
      try {
        const result = await validatePolicy(d, actor, text);
        if (!result) return again(200, { flash: { kind: "ok", text: "The policy file is valid, and its tests pass." } });
        return again(400, { flash: { kind: "error", text: humanMessage(invalid(result.message)) }, failures: result.data as Failure[] });
      } catch (err) {
        if (err instanceof DomainError) return refused(err);
        throw err;
      }
    }
    if (what === "preview") {
      try {
        if (!previewFor) throw invalid("name a user, or an address and port, to preview the rules for");
        const matches = await previewPolicy(d, actor, text, previewType, previewFor);
        return again(200, { preview: { type: previewType, for: previewFor, matches } });
      } catch (err) {
        if (err instanceof DomainError) return refused(err);
        throw err;
      }
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
        return again(412, {
          flash: {
            kind: "error",
            text:
              "Not saved: someone else saved the policy file after you opened it. Your text is kept in the editor; the saved version is shown below. " +
              "Merge the changes, then save again (saving now replaces theirs).",
          },
          current,
        });
      }
      if (err.message === "test(s) failed") return again(400, { flash: { kind: "error", text: "Not saved: the policy's tests failed." }, failures: err.data as Failure[] });
      return refused(err);
    }
  });
}
