import type { Actor } from "../../auth/actor.js";
import { uncovered } from "../../auth/scopes.js";
import { tagsNotPermittedMessage, unpermittedTags } from "../../auth/tags.js";
import { clientSpecProblem } from "../../domain/keys.js";
import { ApiError, badRequest } from "../../lib/errors.js";

/** An actor may only give an OAuth client scopes and tags it could grant itself. */
export function checkClientGrant(actor: Actor, scopes: string[], tags: string[]): void {
  const problem = clientSpecProblem(scopes, tags);
  if (problem) throw badRequest(problem);
  const missing = uncovered(actor.scopes, scopes);
  if (missing.length) throw new ApiError(403, `calling actor cannot grant scopes "${missing.join(" ")}"`);
  const notPermitted = unpermittedTags(actor, tags);
  if (notPermitted.length) throw badRequest(tagsNotPermittedMessage(notPermitted));
}

/** Who a key made by this actor is attributed to. */
export function creatorOf(actor: Actor): { userId: string | null; clientId: string | null } {
  return actor.kind === "api" ? { userId: actor.user!.id, clientId: null } : { userId: actor.creatorUserId ?? null, clientId: actor.keyId };
}
