import { deleteDevice as deleteDeviceRow, getDevice as getDeviceRow, listDevices as listDeviceRows, type DeviceRow } from "../db/devices.js";
import type { Queryable } from "../db/sql.js";
import { forbidden, notFound } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { audit, type AuditTarget } from "./audit.js";
import type { Deps } from "./deps.js";
import { actorName, emit, nodeData } from "./events.js";

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

/** A device as an audit target: its nodeId and FQDN. */
export function nodeTarget(row: DeviceRow, property?: string): AuditTarget {
  return { type: "NODE", id: row.nodeId, name: `${row.name}.${row.dnsSuffix}`, property, isEphemeral: row.isEphemeral };
}

export async function deleteDevice(d: Deps, actor: Actor, id: string): Promise<void> {
  await d.sql.begin(async (tx) => {
    const row = await deviceForWrite(tx, actor, id);
    if (!(await deleteDeviceRow(tx, row.tailnetId, row.deviceId))) throw notFound();
    await audit(tx, d, actor, { action: "DELETE", target: nodeTarget(row) });
    await emit(tx, d, actor, "nodeDeleted", `Node ${row.name}.${row.dnsSuffix} deleted`, nodeData(row, actorName(actor)));
  });
}
