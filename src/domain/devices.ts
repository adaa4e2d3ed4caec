import { deleteDevice as deleteDeviceRow, getDevice as getDeviceRow, listDevices as listDeviceRows, type DeviceRow } from "../db/devices.js";
import type { Queryable } from "../db/sql.js";
import { forbidden, notFound } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import type { Deps } from "./deps.js";

export type { DeviceRow as Device };

/** A device of the actor's tailnet by nodeId or numeric id; another tailnet's device is 404 like a missing one. */
export async function getDevice(d: Deps, actor: Actor, id: string): Promise<DeviceRow> {
  const row = await getDeviceRow(d.sql, actor.tailnetId, id);
  if (!row) throw notFound();
  return row;
}

export function listDevices(d: Deps, actor: Actor): Promise<DeviceRow[]> {
  return listDeviceRows(d.sql, actor.tailnetId);
}

/**
 * Loads a device the actor is about to change. Another tailnet's device is
 * 404 like a missing one; a member may change only the untagged devices they
 * registered.
 */
export async function deviceForWrite(db: Queryable, actor: Actor, id: string): Promise<DeviceRow> {
  const row = await getDeviceRow(db, actor.tailnetId, id);
  if (!row) throw notFound();
  if (actor.ownDevicesOnly && (row.userId !== actor.user?.id || row.tags.length > 0)) throw forbidden();
  return row;
}

export async function deleteDevice(d: Deps, actor: Actor, id: string): Promise<void> {
  const row = await deviceForWrite(d.sql, actor, id);
  if (!(await deleteDeviceRow(d.sql, row.tailnetId, row.deviceId))) throw notFound();
}
