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
import { isUniqueViolation } from "../db/sql.js";
import { conflict, forbidden, invalid, notFound } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { isAssignableIPv4 } from "./addresses.js";
import { presenceNow, type Deps } from "./deps.js";
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

export async function deleteDevice(d: Deps, actor: Actor, id: string): Promise<void> {
  if (!(await deleteDeviceById(d.sql, target(d, actor, id)))) await refused(d, actor, id, "delete");
}

/** The node key expires now: `expires` shows it, and the node API refuses the device until it registers again. */
export async function expireDevice(d: Deps, actor: Actor, id: string): Promise<void> {
  if (!(await expireDeviceKey(d.sql, target(d, actor, id), d.clock.now()))) await refused(d, actor, id);
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
  const row = await setEnabledRoutes(d.sql, target(d, actor, id), [...new Set(routes)]);
  if (!row) return refused(d, actor, id);
  return { advertisedRoutes: row.advertised_routes, enabledRoutes: row.enabled_routes };
}

/** Authorizes or de-authorizes a device; a de-authorized device is refused by the node API. */
export async function setDeviceAuthorized(d: Deps, actor: Actor, id: string, authorized: boolean): Promise<void> {
  requireAdmin(actor);
  if (!(await setAuthorized(d.sql, target(d, actor, id), authorized))) await refused(d, actor, id);
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
    if (!(await setDeviceNameRow(d.sql, target(d, actor, id), label))) await refused(d, actor, id);
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
  const bad = unownedTags(await loadPolicy(d.sql, actor.tailnetId), principalOf(actor), wanted);
  if (bad.length) {
    // An unknown (or not-yours) device answers as such before the tags are judged, as for every other write.
    await deviceForWrite(d, actor, id);
    throw tagsNotPermitted(bad);
  }
  if (!(await setDeviceTagsRow(d.sql, target(d, actor, id), wanted))) await refused(d, actor, id);
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
  if (!(await setKeyExpiryDisabled(d.sql, target(d, actor, id), disabled))) await refused(d, actor, id);
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
    if (!(await setIPv4(d.sql, target(d, actor, id), ipv4))) await refused(d, actor, id);
  } catch (err) {
    if (isUniqueViolation(err, "devices_ipv4_key")) throw conflict(`address ${ipv4} is already used by another device in this tailnet`);
    throw err;
  }
}
