import type { Context } from "hono";
import { getDevice, type DeviceRow } from "../../db/devices.js";
import type { AppEnv } from "../../lib/context.js";
import { forbidden, notFound } from "../../lib/errors.js";

/**
 * Loads a device a route is about to change. Another tailnet's device is 404
 * like a missing one; a member may change only devices they registered.
 */
export async function deviceForWrite(c: Context<AppEnv>, id: string): Promise<DeviceRow> {
  const actor = c.get("actor");
  const row = await getDevice(c.get("services").sql, actor.tailnetId, id);
  if (!row) throw notFound();
  if (actor.ownDevicesOnly && (row.userId !== actor.user?.id || row.tags.length > 0)) throw forbidden();
  return row;
}
