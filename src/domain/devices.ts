import {
  deleteDeviceById,
  expireDeviceKey,
  getDevice as getDeviceRow,
  listDevices as listDeviceRows,
  streamDevices as streamDeviceRows,
  namesLike,
  setAuthorized,
  setDeviceName as setDeviceNameRow,
  setDeviceTags as setDeviceTagsRow,
  setEnabledRoutes,
  setIPv4,
  setKeyExpiryDisabled,
  type DeviceRow,
  type Narrow,
  type Target,
} from "../db/devices.js";
import { isUniqueViolation, type TxSql } from "../db/sql.js";
import { conflict, forbidden, invalid, notFound } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { isAssignableIPv4 } from "./addresses.js";
import { audit, type AuditEntry, type AuditTarget } from "./audit.js";
import { presenceNow, type Deps } from "./deps.js";
import { actorName, emit, nodeData } from "./events.js";
import { loadPolicy } from "./policies.js";
import { principalOf, tagsNotPermitted, unownedTags } from "./policy.js";
import { dnsLabel, uniqueName } from "./registration.js";
import { refuseExternal } from "./sharing.js";

export type { DeviceRow as Device, Narrow };

/**
 * What a device read carries beyond the default fields (with `all`, each
 * device's custom posture attributes), and for lists, conditions the database
 * narrows them by (with an index).
 */
export type DeviceReadOptions = { all?: boolean; narrow?: Narrow };

/**
 * A device of the actor's tailnet, or shared into it, by nodeId or numeric
 * id; another tailnet's device is 404 like a missing one.
 */
export async function getDevice(d: Deps, actor: Actor, id: string, o: DeviceReadOptions = {}): Promise<DeviceRow> {
  const row = await getDeviceRow(d.sql, actor.tailnetId, id, presenceNow(d), { shared: true, posture: o.all });
  if (!row) throw notFound();
  return row;
}

/** The tailnet's devices, then those shared into it (external, read-only). */
export function listDevices(d: Deps, actor: Actor, o: DeviceReadOptions = {}): Promise<DeviceRow[]> {
  return listDeviceRows(d.sql, actor.tailnetId, presenceNow(d), { shared: true, posture: o.all, narrow: o.narrow });
}

/** The same list, in batches from a cursor: what the API streams, so a large tailnet never sits in memory. */
export function streamDevices(d: Deps, actor: Actor, o: DeviceReadOptions = {}): AsyncIterable<DeviceRow[]> {
  return streamDeviceRows(d.sql, actor.tailnetId, presenceNow(d), { shared: true, posture: o.all, narrow: o.narrow });
}

// ---------------------------------------------------------------- writes
//
// Who may change a device: owners, admins, the CLI and OAuth tokens with the
// route's scope may change any device of the tailnet; a member only the
// untagged devices they registered, and only through the operations a member
// may do on Tailscale (rename, tags they own, expire, delete). Approving a
// device or its routes, key expiry and addresses are admin operations.

function target(d: Deps, actor: Actor, id: string): Target {
  return { tailnetId: actor.tailnetId, id, onlyUser: actor.ownDevicesOnly ? actor.user!.id : null, ephemeralSince: presenceNow(d).ephemeralSince };
}

/**
 * Nothing was changed: a device shared in from another tailnet (read-only
 * here), for a member someone else's device (403), or a missing one (404).
 */
async function refused(d: Deps, actor: Actor, id: string, what: "modify" | "delete" = "modify"): Promise<never> {
  await refuseExternal(d, actor, id, what);
  if (actor.ownDevicesOnly && (await getDeviceRow(d.sql, actor.tailnetId, id, presenceNow(d)))) throw forbidden();
  throw notFound();
}

function requireAdmin(actor: Actor): void {
  if (actor.ownDevicesOnly) throw forbidden();
}

/** Loads a device the actor is about to change (for changes that need its current state). */
async function deviceForWrite(d: Deps, actor: Actor, id: string): Promise<DeviceRow> {
  const row = await getDeviceRow(d.sql, actor.tailnetId, id, presenceNow(d));
  if (!row) return refused(d, actor, id);
  if (actor.ownDevicesOnly && (row.userId !== actor.user?.id || row.tags.length > 0)) throw forbidden();
  return row;
}

/** A device as an audit target: its nodeId and FQDN. */
export function nodeTarget(row: Pick<DeviceRow, "nodeId" | "name" | "dnsSuffix" | "isEphemeral">, property?: string): AuditTarget {
  return { type: "NODE", id: row.nodeId, name: `${row.name}.${row.dnsSuffix}`, property, isEphemeral: row.isEphemeral };
}

/**
 * One device change, in one transaction: the device's row is locked and read
 * (the state the change replaces), `change` runs the statement, and `record`
 * writes its audit entry (and any webhook event) when it changed something.
 * Nothing changed: a missing device (404), or a member's refusal (403).
 */
async function changeDevice<T>(
  d: Deps,
  actor: Actor,
  id: string,
  change: (tx: TxSql) => Promise<T | undefined>,
  record: (tx: TxSql, before: DeviceRow, result: T) => AuditEntry | Promise<void>,
  what: "modify" | "delete" = "modify",
): Promise<T> {
  const done = await d.sql.begin(async (tx) => {
    const before = await getDeviceRow(tx, actor.tailnetId, id, presenceNow(d), { lock: true });
    const result = before && (await change(tx));
    if (result === undefined || !before) return undefined;
    const entry = await record(tx, before, result);
    // The audit entry is the transaction's last statement: it is sent (queued
    // first) and the COMMIT goes out right behind it on the same connection,
    // one round trip instead of two. Should the entry fail, PostgreSQL answers
    // that COMMIT with a rollback, and the failure is raised below.
    const recorded = entry ? audit(tx, d, actor, entry) : undefined;
    recorded?.catch(() => undefined);
    return { result, recorded };
  });
  if (!done) return refused(d, actor, id, what);
  await done.recorded;
  return done.result;
}

export async function deleteDevice(d: Deps, actor: Actor, id: string): Promise<void> {
  await changeDevice(
    d,
    actor,
    id,
    async (tx) => ((await deleteDeviceById(tx, target(d, actor, id))) ? true : undefined),
    async (tx, before) => {
      await audit(tx, d, actor, { action: "DELETE", target: nodeTarget(before) });
      await emit(tx, d, actor, "nodeDeleted", `Node ${before.name}.${before.dnsSuffix} deleted`, nodeData(before, actorName(actor)));
    },
    "delete",
  );
}

/** The node key expires now: `expires` shows it, and the node API refuses the device until it registers again. */
export async function expireDevice(d: Deps, actor: Actor, id: string): Promise<void> {
  const now = d.clock.now();
  await changeDevice(
    d,
    actor,
    id,
    (tx) => expireDeviceKey(tx, target(d, actor, id), now),
    (_tx, before) => ({ action: "EXPIRED", target: nodeTarget(before, "KEY_EXPIRY_TIME"), old: before.expires, new: now.toISOString().slice(0, 19) + "Z" }),
  );
}

export type DeviceRoutes = { advertisedRoutes: string[]; enabledRoutes: string[] };

export async function getDeviceRoutes(d: Deps, actor: Actor, id: string): Promise<DeviceRoutes> {
  const row = await getDevice(d, actor, id);
  return { advertisedRoutes: row.advertisedRoutes, enabledRoutes: row.enabledRoutes };
}

/**
 * Replaces the enabled (approved) routes; routes not (yet) advertised may be
 * approved in advance. `routes` are canonical prefixes; duplicates collapse.
 */
export async function setDeviceRoutes(d: Deps, actor: Actor, id: string, routes: string[]): Promise<DeviceRoutes> {
  requireAdmin(actor);
  const row = await changeDevice(
    d,
    actor,
    id,
    (tx) => setEnabledRoutes(tx, target(d, actor, id), [...new Set(routes)]),
    (_tx, before, r) => ({ action: "UPDATE", target: nodeTarget(before, "ALLOWED_IPS"), old: before.enabledRoutes, new: r.enabled_routes }),
  );
  return { advertisedRoutes: row.advertised_routes, enabledRoutes: row.enabled_routes };
}

/** Authorizes or de-authorizes a device; a de-authorized device is refused by the node API. */
export async function setDeviceAuthorized(d: Deps, actor: Actor, id: string, authorized: boolean): Promise<void> {
  requireAdmin(actor);
  await changeDevice(
    d,
    actor,
    id,
    (tx) => setAuthorized(tx, target(d, actor, id), authorized),
    async (tx, before) => {
      // Tailscale's NODE.APPROVE, and NODE.REVOKE for taking approval back.
      await audit(tx, d, actor, { action: authorized ? "APPROVE" : "REVOKE", target: nodeTarget(before, "MACHINE_AUTH_NEEDED"), old: before.authorized, new: authorized });
      if (authorized && !before.authorized) {
        await emit(tx, d, actor, "nodeApproved", `Node ${before.name}.${before.dnsSuffix} approved`, nodeData(before, actorName(actor)));
      }
    },
  );
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Renames a device. `name` is a DNS label or the tailnet FQDN of one (case
 * does not matter); empty or absent resets it to the name derived from the
 * hostname. A name another device of the tailnet holds is a conflict.
 */
export async function setDeviceName(d: Deps, actor: Actor, id: string, name: string | undefined): Promise<void> {
  const row = await deviceForWrite(d, actor, id);
  let label: string;
  if (!name || name.trim() === "") {
    const base = dnsLabel(row.hostname);
    label = uniqueName(base, (await namesLike(d.sql, actor.tailnetId, base)).filter((n) => n !== row.name.toLowerCase()));
  } else {
    const lower = name.trim().toLowerCase().replace(/\.$/, "");
    const suffix = `.${row.dnsSuffix.toLowerCase()}`;
    label = lower.endsWith(suffix) ? lower.slice(0, -suffix.length) : lower;
    if (!LABEL.test(label)) {
      throw invalid(`invalid name ${JSON.stringify(name)}: use a DNS label (letters, digits and '-', at most 63) or <label>${suffix}`);
    }
  }
  try {
    await changeDevice(
      d,
      actor,
      id,
      (tx) => setDeviceNameRow(tx, target(d, actor, id), label),
      (_tx, before) => ({ action: "UPDATE", target: nodeTarget(before, "MACHINE_NAME"), old: before.name, new: label }),
    );
  } catch (err) {
    if (isUniqueViolation(err, "devices_name_key")) throw conflict(`name ${JSON.stringify(label)} is already used by another device in this tailnet`);
    throw err;
  }
}

/**
 * Replaces a device's tags (full replacement; duplicates collapse). Every tag
 * must be defined in the policy's tagOwners and owned by the caller. A tagged
 * device belongs to its tags; removing every tag gives it back to the user who
 * registered it.
 */
export async function setDeviceTags(d: Deps, actor: Actor, id: string, tags: string[]): Promise<void> {
  const wanted = [...new Set(tags)].sort();
  if (wanted.length === 0 && !(await deviceForWrite(d, actor, id)).userId) {
    throw invalid("this device has no user: it is owned by its tags, and must keep at least one (delete it instead)");
  }
  const bad = unownedTags(await loadPolicy(d.sql, actor.tailnetId), principalOf(actor), wanted);
  if (bad.length) {
    // An unknown (or not-yours) device answers as such before the tags are judged, as for every other write.
    await deviceForWrite(d, actor, id);
    throw tagsNotPermitted(bad);
  }
  await changeDevice(
    d,
    actor,
    id,
    (tx) => setDeviceTagsRow(tx, target(d, actor, id), wanted),
    (_tx, before) => ({ action: "UPDATE", target: nodeTarget(before, "ACL_TAGS"), old: before.tags, new: wanted }),
  );
}

/**
 * Disables or re-enables key expiry. The original expiry is kept either way,
 * so re-enabling restores it (even if it has passed). Absent: no change.
 */
export async function setDeviceKeyExpiry(d: Deps, actor: Actor, id: string, disabled: boolean | undefined): Promise<void> {
  requireAdmin(actor);
  if (disabled === undefined) {
    if (!(await getDeviceRow(d.sql, actor.tailnetId, id, presenceNow(d)))) await refused(d, actor, id);
    return;
  }
  await changeDevice(
    d,
    actor,
    id,
    (tx) => setKeyExpiryDisabled(tx, target(d, actor, id), disabled),
    // Tailscale's NODE.DISABLE.KEY_EXPIRY / NODE.ENABLE.KEY_EXPIRY.
    (_tx, before) => ({ action: disabled ? "DISABLE" : "ENABLE", target: nodeTarget(before, "KEY_EXPIRY"), old: !before.keyExpiryDisabled, new: !disabled }),
  );
}

/**
 * Gives the device a new IPv4 address: inside 100.64.0.0/10, outside the
 * reserved ranges, and not held by another device of the tailnet (a
 * conflict; two racing requests get one success and one conflict).
 */
export async function setDeviceIPv4(d: Deps, actor: Actor, id: string, ipv4: string): Promise<void> {
  requireAdmin(actor);
  if (!isAssignableIPv4(ipv4)) {
    throw invalid(`invalid ipv4 ${JSON.stringify(ipv4)}: must be an address in 100.64.0.0/10 outside 100.100.100.0/24 and 100.115.92.0/23`);
  }
  try {
    await changeDevice(
      d,
      actor,
      id,
      (tx) => setIPv4(tx, target(d, actor, id), ipv4),
      (_tx, before) => ({ action: "UPDATE", target: nodeTarget(before, "ADDRESS"), old: before.ipv4, new: ipv4 }),
    );
  } catch (err) {
    if (isUniqueViolation(err, "devices_ipv4_key")) throw conflict(`address ${ipv4} is already used by another device in this tailnet`);
    throw err;
  }
}
