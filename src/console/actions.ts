import type { Scope } from "../auth/scopes.js";
import type { Deps } from "../domain/deps.js";
import { DomainError, forbidden, MESSAGES } from "../lib/errors.js";
import { can } from "./abilities.js";
import { consoleDeps, readForm, type CC, type ConsoleApp, type Form } from "./context.js";
import { redirectWith } from "./session.js";

export { consoleDeps };

/** A domain refusal as one sentence for a person. */
export function humanMessage(err: DomainError): string {
  if (err.message === MESSAGES.forbidden) return "Not allowed: the credential you signed in with does not have the permissions this needs.";
  if (err.kind === "not_found" && err.message === MESSAGES.notFound) return "Not found: it may have been deleted meanwhile.";
  return err.message.charAt(0).toUpperCase() + err.message.slice(1) + (/[.!?]$/.test(err.message) ? "" : ".");
}

export type Done = { to: string; text: string };

/**
 * A form post of the console: the scope the matching API endpoint needs
 * (checked here, as the API's middleware does), then one domain call. Success
 * and refusal both redirect (303) with a message; the domain's own checks
 * refuse whatever the page did not offer.
 */
export function action(
  app: ConsoleApp,
  path: string,
  o: { scope: Scope | readonly Scope[]; back: (c: CC) => string; run: (c: CC, form: Form, d: Deps) => Promise<Done> },
): void {
  const scopes: readonly Scope[] = typeof o.scope === "string" ? [o.scope] : o.scope;
  app.post(path, async (c) => {
    const form = await readForm(c);
    try {
      if (!scopes.some((s) => can(c.get("actor"), s))) throw forbidden();
      const done = await o.run(c, form, consoleDeps(c));
      return redirectWith(c, done.to, { kind: "ok", text: done.text });
    } catch (err) {
      if (err instanceof DomainError) return redirectWith(c, o.back(c), { kind: "error", text: humanMessage(err) });
      throw err;
    }
  });
}
