import type { Narrow } from "../../domain/devices.js";
import { invalid } from "../../lib/errors.js";
import type { WireDevice } from "./wire.js";

/**
 * Device-list filters (notes a.3): any top-level scalar or list field of the
 * Device object as a query key, matched exactly against its wire value. Keys
 * are ANDed; a repeated key means all of its values (a list must contain each
 * one). Object fields (clientConnectivity, distro, postureIdentity) are not
 * filterable; an unknown key is a 400.
 */
const BOOLEAN = new Set([
  "updateAvailable", "connectedToControl", "keyExpiryDisabled", "authorized", "isExternal",
  "multipleConnections", "blocksIncomingConnections", "isEphemeral", "sshEnabled",
]);
const STRING = new Set([
  "id", "nodeId", "user", "name", "hostname", "clientVersion", "os", "created", "lastSeen", "expires",
  "machineKey", "nodeKey", "tailnetLockError", "tailnetLockKey",
]);
const LIST = new Set(["addresses", "tags", "enabledRoutes", "advertisedRoutes"]);

export const FILTER_KEYS = [...STRING, ...BOOLEAN, ...LIST].sort();
const RESERVED = new Set(["fields"]);

export type Filter = { key: string; values: string[] };

/** Reads and validates filters from the query (all keys but `fields`). */
export function parseFilters(queries: Record<string, string[]>): Filter[] {
  const filters: Filter[] = [];
  for (const [key, values] of Object.entries(queries)) {
    if (RESERVED.has(key)) continue;
    if (!STRING.has(key) && !BOOLEAN.has(key) && !LIST.has(key)) {
      throw invalid(`unknown filter "${key}": filterable fields are ${FILTER_KEYS.join(", ")}`);
    }
    if (BOOLEAN.has(key)) {
      for (const v of values) {
        if (v !== "true" && v !== "false") throw invalid(`invalid value for filter "${key}": must be true or false`);
      }
    }
    filters.push({ key, values });
  }
  return filters;
}

export function matches(d: WireDevice, filters: Filter[]): boolean {
  const rec = d as Record<string, unknown>;
  for (const { key, values } of filters) {
    const v = rec[key];
    if (LIST.has(key)) {
      const list = (v as string[] | undefined) ?? [];
      if (!values.every((want) => list.includes(want))) return false;
    } else if (BOOLEAN.has(key)) {
      const b = String((v as boolean | undefined) ?? false);
      if (!values.every((want) => want === b)) return false;
    } else {
      if (typeof v !== "string" || !values.every((want) => want === v)) return false;
    }
  }
  return true;
}

/**
 * What of the filters the database can apply with an index (a superset of
 * the exact matches, which `matches` then checks): all of `tags`, `hostname`,
 * the label of `name`, `nodeId`, `id`. A repeated scalar key with different
 * values matches nothing; narrowing by its first value keeps that true.
 */
export function narrowFor(filters: Filter[]): Narrow | undefined {
  const n: Narrow = {};
  for (const { key, values } of filters) {
    const first = values[0]!;
    if (key === "tags") n.tags = [...new Set(values)];
    else if (key === "hostname") n.hostname = first;
    else if (key === "name") n.nameLabel = first.split(".")[0]!;
    else if (key === "nodeId") n.nodeId = first;
    else if (key === "id" && /^\d{1,15}$/.test(first)) n.deviceId = first;
  }
  return Object.keys(n).length ? n : undefined;
}
