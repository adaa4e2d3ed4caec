import { invalid } from "../lib/errors.js";
import type { Actor } from "./actor.js";

/** Tag names: `tag:` and letters, digits and '-'. */
export const TAG_PATTERN = /^tag:[A-Za-z0-9-]+$/;

/**
 * The tag-ownership rule: which tags an actor may apply (to devices, auth
 * keys, OAuth clients). Owners' and admins' API keys (and the CLI) may apply
 * any tag; OAuth tokens only the tags they carry. The one place this is
 * decided.
 */
export function unownedTags(actor: Actor, tags: readonly string[]): string[] {
  if (actor.kind !== "oauth") return actor.user && actor.user.role !== "member" ? [] : [...tags];
  return tags.filter((t) => !actor.tags.includes(t));
}

/** Tailscale's answer for tags that are not allowed (Go `%v` of the list). */
export function tagsNotPermitted(tags: readonly string[]) {
  return invalid(`requested tags [${tags.join(" ")}] are invalid or not permitted`);
}

export function requireOwnedTags(actor: Actor, tags: readonly string[]): void {
  const bad = unownedTags(actor, tags);
  if (bad.length) throw tagsNotPermitted(bad);
}
