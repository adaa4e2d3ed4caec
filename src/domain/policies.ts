import { parse as parseJsonc, type ParseError } from "jsonc-parser";
import { listDeviceIdentities } from "../db/devices.js";
import { lockUntilCommit } from "../db/locks.js";
import { deletePolicyRow, getPolicyRow, putPolicyRow } from "../db/policies.js";
import type { Queryable } from "../db/sql.js";
import { listUsers } from "../db/users.js";
import { DomainError, invalid, preconditionFailed } from "../lib/errors.js";
import { Evaluator, parseIpPort, type Directory } from "./acl.js";
import type { Actor } from "./actor.js";
import { audit, tailnetTarget } from "./audit.js";
import { presenceNow, type Deps } from "./deps.js";
import { actorName, emit } from "./events.js";
import { DEFAULT_POLICY_TEXT, parsePolicy, policyEtag, principalOf, unownedTags, type Policy } from "./policy.js";

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
    // The policy's tests run against the tailnet as it is; a failing test keeps the policy from being saved.
    requireTestsPass(policy, await loadDirectory(tx, d, actor.tailnetId));
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

/** The tailnet's users and devices, as rule evaluation sees them. */
export async function loadDirectory(db: Queryable, d: Pick<Deps, "clock" | "presence">, tailnetId: string): Promise<Directory> {
  const [users, devices] = [await listUsers(db, tailnetId), await listDeviceIdentities(db, tailnetId, presenceNow(d).ephemeralSince)];
  return { users: users.map((u) => ({ loginName: u.loginName, role: u.role, type: u.type })), devices };
}

/** Tailscale's answer for failing policy tests: "test(s) failed", with what failed per source. */
function testsFailed(failures: { user: string; errors: string[] }[]): DomainError {
  return invalid("test(s) failed", failures);
}

/** Runs the policy's tests; throws Tailscale's 400 "test(s) failed" (with `data`) if one fails. */
export function requireTestsPass(policy: Policy, dir: Directory): void {
  const failures = new Evaluator(policy, dir).runTests(policy.tests);
  if (failures.length) throw testsFailed(failures);
}

export type ValidationResult = { message: string; data: unknown[] } | undefined;

/**
 * `POST /acl/validate`: a JSON array is a list of tests run against the
 * stored policy; anything else is a whole policy file, checked and its tests
 * run, without saving it. Undefined when all is well; otherwise Tailscale's
 * `{message, data}` (the route answers it with a 200). An empty body, or a
 * list of tests that is itself malformed, is a 400.
 */
export async function validatePolicy(d: Deps, actor: Actor, text: string): Promise<ValidationResult> {
  if (text.trim() === "") throw invalid("the policy file is empty");
  const dir = await loadDirectory(d.sql, d, actor.tailnetId);
  let policy: Policy;
  if (/^\s*\[/.test(text)) {
    const errors: ParseError[] = [];
    const tests = parseJsonc(text, errors, { allowTrailingComma: true });
    if (errors.length || !Array.isArray(tests)) throw invalid("invalid tests: expected a JSON array of tests");
    // The tests are checked as the stored policy's own `tests` would be (its groups, tags and hosts).
    const stored = await loadPolicy(d.sql, actor.tailnetId);
    policy = parsePolicy(JSON.stringify({ ...stored.json, tests }));
  } else {
    try {
      policy = parsePolicy(text);
    } catch (err) {
      if (err instanceof DomainError) return { message: err.message, data: [] };
      throw err;
    }
  }
  const failures = new Evaluator(policy, dir).runTests(policy.tests);
  return failures.length ? { message: "test(s) failed", data: failures } : undefined;
}

export type PreviewMatch = { users: string[]; ports: string[]; lineNumber: number };

/**
 * `POST /acl/preview`: which rules of the posted policy apply to a user
 * (`type=user`: rules whose sources name them) or to an address and port
 * (`type=ipport`: rules whose destinations take it). Nothing is saved.
 */
export async function previewPolicy(d: Deps, actor: Actor, text: string, type: "user" | "ipport", previewFor: string): Promise<PreviewMatch[]> {
  if (text.trim() === "") throw invalid("the policy file is empty");
  const policy = parsePolicy(text);
  const evaluator = new Evaluator(policy, await loadDirectory(d.sql, d, actor.tailnetId));
  if (type === "user") return evaluator.previewUser(previewFor);
  const target = parseIpPort(previewFor);
  if (!target) throw invalid(`invalid previewFor ${JSON.stringify(previewFor)}: expected an IP address and port, such as 100.64.0.1:22 or [fd7a:115c:a1e0::1]:22`);
  return evaluator.previewAddress(target.address, target.port);
}

/** The tags the actor may apply (defined in tagOwners and owned by it), sorted: what a form offers. */
export async function applicableTags(d: Deps, actor: Actor): Promise<string[]> {
  const policy = await loadPolicy(d.sql, actor.tailnetId);
  const defined = Object.keys(policy.tagOwners).sort();
  const unowned = new Set(unownedTags(policy, principalOf(actor), defined));
  return defined.filter((t) => !unowned.has(t));
}
