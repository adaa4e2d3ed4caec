import type { Actor } from "./actor.js";

/**
 * Which tags an actor may apply (to devices, auth keys, OAuth clients).
 * API access tokens of owners and admins may apply any tag; OAuth tokens only
 * the tags they carry. (When the policy file lands, tagOwners widens both:
 * a user or tag may apply the tags it owns.)
 */
export function unpermittedTags(actor: Actor, tags: readonly string[]): string[] {
  if (actor.kind === "api") return actor.user && actor.user.role !== "member" ? [] : [...tags];
  return tags.filter((t) => !actor.tags.includes(t));
}

export function tagsNotPermittedMessage(tags: readonly string[]): string {
  return `requested tags [${tags.join(" ")}] are invalid or not permitted`;
}
