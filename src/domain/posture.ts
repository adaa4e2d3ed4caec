import { getDevice as getDeviceRow, type DeviceRow, type PostureColumn } from "../db/devices.js";
import {
  claimPostureKey,
  deletePostureAttribute as deleteRow,
  dropPostureKeyIfUnused,
  listPostureAttributes,
  lockPostureKey,
  upsertPostureAttribute,
  type PostureType,
} from "../db/posture.js";
import { forbidden, invalid, notFound } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { audit, type AuditEntry } from "./audit.js";
import { presenceNow, type Deps } from "./deps.js";
import { nodeTarget } from "./devices.js";
import { refuseExternal } from "./sharing.js";

/**
 * Device posture attributes: the read-only `node:` attributes derived from
 * the device, and `custom:` ones that admins (or OAuth tokens with the scope)
 * write. Rules as Tailscale documents them: keys of at most 50 characters of
 * letters, digits, `_` and `:`, unique within the tailnet without regard to
 * case; the first value written for a key fixes its type for the tailnet;
 * strings of at most 50 letters, digits, `_` and `.`; integers within
 * ±(2^53−1); an optional expiry after which the attribute is gone.
 */
export type PostureValue = string | number | boolean;
export type PostureAttributes = { attributes: Record<string, PostureValue>; expiries: Record<string, string> };

const KEY = /^custom:[A-Za-z0-9_:]+$/;
const STRING_VALUE = /^[A-Za-z0-9_.]{1,50}$/;
/** What Go's zero time.Time encodes to: the official client sends it when the user set no expiry. */
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

/** A client version's `node:tsVersion` and `node:tsReleaseTrack`. */
function release(clientVersion: string): { version: string; track: string } {
  const version = clientVersion.split("-")[0] ?? "";
  const minor = Number(version.split(".")[1]);
  // Tailscale's release tracks: even minor versions are stable, odd ones unstable.
  return { version, track: Number.isInteger(minor) ? (minor % 2 === 0 ? "stable" : "unstable") : "" };
}

/**
 * release() by client version, for lists (a tailnet runs a handful of
 * versions): a pure function's memo, at most 256 entries (cleared when full).
 */
const releases = new Map<string, { version: string; track: string }>();
function releaseOf(clientVersion: string): { version: string; track: string } {
  let r = releases.get(clientVersion);
  if (r === undefined) {
    if (releases.size >= 256) releases.clear();
    releases.set(clientVersion, (r = release(clientVersion)));
  }
  return r;
}

/** The `node:` attributes a device reports about itself (read-only). */
export function nodeAttributes(d: Pick<DeviceRow, "os" | "osVersion" | "clientVersion">): Record<string, PostureValue> {
  const { version, track } = releaseOf(d.clientVersion);
  return {
    "node:os": d.os,
    "node:osVersion": d.osVersion,
    "node:tsVersion": version,
    "node:tsReleaseTrack": track,
    "node:tsAutoUpdate": false,
  };
}

/** The attributes object of a device: its node attributes and live custom ones, with the custom ones' expiries. */
export function postureOf(d: Pick<DeviceRow, "os" | "osVersion" | "clientVersion">, custom: PostureColumn): PostureAttributes {
  const attributes: Record<string, PostureValue> = nodeAttributes(d);
  const expiries: Record<string, string> = {};
  for (const k in custom) {
    const { value, expiry } = custom[k]!;
    attributes[k] = value;
    if (expiry) expiries[k] = expiry;
  }
  return { attributes, expiries };
}

export function checkKey(key: string): void {
  if (key.startsWith("node:")) throw invalid(`attribute ${key} is read-only: only custom: attributes can be written`);
  if (!KEY.test(key)) throw invalid(`invalid attribute key ${JSON.stringify(key)}: keys start with custom: and hold letters, digits, '_' and ':'`);
  if (key.length > 50) throw invalid(`invalid attribute key ${JSON.stringify(key)}: at most 50 characters`);
}

function typeOf(key: string, value: unknown): PostureType {
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw invalid(`invalid value for ${key}: numbers must be whole and within ±(2^53−1)`);
    return "number";
  }
  if (typeof value === "string") {
    if (!STRING_VALUE.test(value)) throw invalid(`invalid value for ${key}: strings hold 1 to 50 letters, digits, '_' and '.'`);
    return "string";
  }
  throw invalid(`invalid value for ${key}: must be a string, a number or a boolean`);
}

export type AttributeWrite = { value: unknown; expiry?: string | null; comment?: string };

/** The expiry as a date, or null for none (absent, empty, or Go's zero time); a past or malformed one is refused. */
function expiryOf(key: string, expiry: string | null | undefined, now: Date): Date | null {
  if (expiry === undefined || expiry === null || expiry === "" || expiry === GO_ZERO_TIME) return null;
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(expiry) ? Date.parse(expiry) : NaN;
  if (Number.isNaN(t)) throw invalid(`invalid expiry for ${key}: must be an RFC 3339 time such as 2030-01-02T03:04:05Z`);
  if (t <= now.getTime()) throw invalid(`invalid expiry for ${key}: ${expiry} has passed`);
  return new Date(t);
}

function checkComment(comment: string | undefined): string {
  if (comment !== undefined && comment.length > 200) throw invalid("invalid comment: at most 200 characters");
  return comment ?? "";
}

/** A device of the actor's own tailnet, for posture reads and writes. */
async function ownDevice(d: Deps, actor: Actor, id: string): Promise<DeviceRow> {
  const row = await getDeviceRow(d.sql, actor.tailnetId, id, presenceNow(d));
  if (row) return row;
  await refuseExternal(d, actor, id, "modify");
  throw notFound();
}

/** Writing posture is an admin's (or an OAuth integration's) job: a member could otherwise vouch for their own device. */
function requireWriter(actor: Actor): void {
  if (actor.ownDevicesOnly) throw forbidden();
}

export async function getPostureAttributes(d: Deps, actor: Actor, id: string): Promise<PostureAttributes> {
  const row = await getDeviceRow(d.sql, actor.tailnetId, id, presenceNow(d));
  if (!row) throw notFound();
  return postureOf(row, await listPostureAttributes(d.sql, actor.tailnetId, row.deviceId, d.clock.now()));
}

type Op = { device: DeviceRow; key: string; write: AttributeWrite | null };

/**
 * Applies attribute writes and deletes in one transaction: everything is
 * checked first, then each key involved is claimed (or locked) once, in sorted
 * order, so concurrent batches cannot deadlock and racing first writes of a
 * key agree on its type. Returns whether each delete removed a live attribute.
 */
async function apply(d: Deps, actor: Actor, ops: Op[], comment: string): Promise<boolean[]> {
  const tailnetId = actor.tailnetId;
  const now = d.clock.now();
  const checked = ops.map((op) => {
    checkKey(op.key);
    if (!op.write) return { ...op, type: undefined, expiresAt: null };
    return { ...op, type: typeOf(op.key, op.write.value), expiresAt: expiryOf(op.key, op.write.expiry, now) };
  });
  return d.sql.begin(async (tx) => {
    const keys = [...new Set(checked.map((o) => o.key))].sort();
    for (const key of keys) {
      const typed = checked.filter((o) => o.key === key && o.type);
      const type = typed[0]?.type;
      if (typed.some((o) => o.type !== type)) throw invalid(`attribute ${key} is given values of different types`);
      const registered = type ? await claimPostureKey(tx, tailnetId, key, type) : await lockPostureKey(tx, tailnetId, key);
      if (!registered || !type) continue;
      if (registered.key !== key) throw invalid(`attribute key ${key} clashes with ${registered.key}: keys are unique within a tailnet regardless of case`);
      if (registered.valueType !== type) throw invalid(`attribute ${key} holds ${registered.valueType} values in this tailnet; got a ${type}`);
    }
    const results: boolean[] = [];
    for (const o of checked) {
      if (o.write) {
        await upsertPostureAttribute(tx, { tailnetId, deviceId: o.device.deviceId, key: o.key, value: o.write.value as PostureValue, expiresAt: o.expiresAt, comment, now });
        results.push(true);
      } else {
        results.push(await deleteRow(tx, tailnetId, o.device.deviceId, o.key, now));
      }
    }
    // One entry per attribute written or removed; the caller's comment is Tailscale's actionDetails.
    const entries: AuditEntry[] = checked.flatMap((o, i): AuditEntry[] => {
      if (!o.write) return results[i] ? [{ action: "DELETE", target: nodeTarget(o.device, "ATTRIBUTES"), old: o.key, details: comment || undefined }] : [];
      const value = o.expiresAt ? { [o.key]: o.write.value, expiry: o.expiresAt.toISOString() } : { [o.key]: o.write.value };
      return [{ action: "UPDATE", target: nodeTarget(o.device, "ATTRIBUTES"), new: value as Record<string, unknown>, details: comment || undefined }];
    });
    if (entries.length) await audit(tx, d, actor, ...entries);
    for (const key of new Set(checked.filter((o) => !o.write).map((o) => o.key))) await dropPostureKeyIfUnused(tx, tailnetId, key);
    return results;
  });
}

/** Sets a custom attribute; answers the device's attributes after the change. */
export async function setPostureAttribute(d: Deps, actor: Actor, id: string, key: string, w: AttributeWrite): Promise<PostureAttributes> {
  requireWriter(actor);
  const comment = checkComment(w.comment);
  const row = await ownDevice(d, actor, id);
  await apply(d, actor, [{ device: row, key, write: w }], comment);
  return postureOf(row, await listPostureAttributes(d.sql, actor.tailnetId, row.deviceId, d.clock.now()));
}

/** Deletes a custom attribute; a key the device does not hold is a 404. */
export async function deletePostureAttribute(d: Deps, actor: Actor, id: string, key: string): Promise<void> {
  requireWriter(actor);
  const row = await ownDevice(d, actor, id);
  const [deleted] = await apply(d, actor, [{ device: row, key, write: null }], "");
  if (!deleted) throw notFound(`device has no attribute ${key}`);
}

export type PostureBatch = { nodes: Record<string, Record<string, AttributeWrite | null>>; comment?: string };

/**
 * JSON Merge Patch over several devices' custom attributes (`null` deletes):
 * all or nothing, in one transaction. An unknown device is a 404 naming it.
 */
export async function patchPostureAttributes(d: Deps, actor: Actor, batch: PostureBatch): Promise<void> {
  requireWriter(actor);
  const comment = checkComment(batch.comment);
  const ops: Op[] = [];
  for (const [id, attrs] of Object.entries(batch.nodes)) {
    const row = await getDeviceRow(d.sql, actor.tailnetId, id, presenceNow(d));
    if (!row) throw notFound(`device ${id} not found`);
    for (const [key, w] of Object.entries(attrs)) ops.push({ device: row, key, write: w ?? null });
  }
  await apply(d, actor, ops, comment);
}
