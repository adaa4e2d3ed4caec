import { lockUntilCommit } from "../db/locks.js";
import { deletePolicyRow, getPolicyRow, putPolicyRow } from "../db/policies.js";
import type { Queryable } from "../db/sql.js";
import { invalid, preconditionFailed } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { audit, tailnetTarget } from "./audit.js";
import type { Deps } from "./deps.js";
import { actorName, emit } from "./events.js";
import { DEFAULT_POLICY_TEXT, parsePolicy, policyEtag, policyProblem, principalOf, unownedTags, type Policy } from "./policy.js";

/**
 * The stored policy file and its ETag protocol. A tailnet with no stored
 * policy has the default one (allow all), whose ETag is also matched by the
 * special `If-Match: "ts-default"`.
 */
export type StoredPolicy = { text: string; etag: string; isDefault: boolean };

/** `If-Match: "ts-default"`: "only if the policy is still the default". */
export const DEFAULT_ETAG = '"ts-default"';

const DEFAULT: StoredPolicy = { text: DEFAULT_POLICY_TEXT, etag: policyEtag(DEFAULT_POLICY_TEXT), isDefault: true };

/**
 * Parsed policies by ETag (a hash of the text): content-addressed, so never
 * stale on any replica; at most PARSED_MAX entries.
 */
const PARSED_MAX = 256;
const parsed = new Map<string, Policy>();

function parsedOf(stored: StoredPolicy): Policy {
  let p = parsed.get(stored.etag);
  if (!p) {
    p = parsePolicy(stored.text);
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(stored.etag, p);
  }
  return p;
}

async function stored(db: Queryable, tailnetId: string, forUpdate = false): Promise<StoredPolicy> {
  const row = await getPolicyRow(db, tailnetId, forUpdate);
  return row ? { text: row.text, etag: row.etag, isDefault: false } : DEFAULT;
}

/** The tailnet's policy, parsed: what tag ownership and auto-approval are decided by. */
export async function loadPolicy(db: Queryable, tailnetId: string): Promise<Policy> {
  return parsedOf(await stored(db, tailnetId));
}

/** The policy file as stored (HuJSON, byte for byte), its JSON form, and its ETag. */
export async function getPolicyFile(d: Deps, actor: Actor): Promise<StoredPolicy & { json: Record<string, unknown> }> {
  const s = await stored(d.sql, actor.tailnetId);
  return { ...s, json: parsedOf(s).json };
}

function unquote(etag: string): string {
  return etag.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

/**
 * Replaces the policy file. An empty text resets it to the default (what
 * Terraform's delete sends). With `ifMatch`, the write happens only while the
 * current ETag is that one (or, for "ts-default", while the policy is the
 * default); otherwise 412. A policy that does not validate is not saved.
 */
export async function setPolicyFile(d: Deps, actor: Actor, text: string, ifMatch: string | undefined): Promise<StoredPolicy & { json: Record<string, unknown> }> {
  const reset = text.trim() === "";
  const next: StoredPolicy = reset ? DEFAULT : { text, etag: policyEtag(text), isDefault: false };
  const policy = parsedOf(next); // throws invalid before anything is written
  await d.sql.begin(async (tx) => {
    await lockUntilCommit(tx, "policy", actor.tailnetId);
    const current = await stored(tx, actor.tailnetId, true);
    if (ifMatch !== undefined) {
      const wanted = unquote(ifMatch);
      const ok = wanted === unquote(DEFAULT_ETAG) ? current.isDefault : wanted === unquote(current.etag);
      if (!ok) throw preconditionFailed("precondition failed, invalid old hash");
    }
    if (reset) await deletePolicyRow(tx, actor.tailnetId);
    else await putPolicyRow(tx, actor.tailnetId, text, next.etag, d.clock.now());
    // The policy text is configuration, not a secret: the log keeps both versions.
    await audit(tx, d, actor, { action: "UPDATE", target: tailnetTarget(actor, "ACL"), old: current.text, new: next.text, details: reset ? "reset to the default policy" : undefined });
    if (current.etag !== next.etag) {
      await emit(tx, d, actor, "policyUpdate", "Tailnet policy file updated", {
        newPolicy: next.text,
        oldPolicy: current.text,
        actor: actorName(actor),
        url: "/api/v2/tailnet/-/acl",
      });
    }
  });
  return { ...next, json: policy.json };
}

/** Why a policy text would be refused, or undefined when it would be saved. */
export function validatePolicyFile(text: string): string | undefined {
  if (text.trim() === "") return invalid("the policy file is empty").message;
  return policyProblem(text);
}

/** The tags the actor may apply (defined in tagOwners and owned by it), sorted: what a form offers. */
export async function applicableTags(d: Deps, actor: Actor): Promise<string[]> {
  const policy = await loadPolicy(d.sql, actor.tailnetId);
  const defined = Object.keys(policy.tagOwners).sort();
  const unowned = new Set(unownedTags(policy, principalOf(actor), defined));
  return defined.filter((t) => !unowned.has(t));
}
