import { mintSecret, newNodeId, parseSecret, secretMatches } from "../auth/credentials.js";
import {
  deviceValueTaken,
  findDeviceIdByMachineKey,
  getDevice,
  insertDevice,
  namesLike,
  updateRegistration,
  type DeviceRow,
  type UniqueDeviceColumn,
} from "../db/devices.js";
import { lockUntilCommit } from "../db/locks.js";
import { claimAuthKey, findCredential, getKey } from "../db/keys.js";
import type { Sql, TxSql } from "../db/sql.js";
import { getTailnet } from "../db/tailnets.js";
import { ApiError } from "../lib/errors.js";
import { randomNumericId } from "../lib/ids.js";
import { randomIPv4, randomIPv6 } from "./addresses.js";

export type RegistrationRequest = {
  authKey: string;
  nodeKey: string;
  machineKey: string;
  hostname: string;
  os: string;
  osVersion: string;
  clientVersion: string;
  advertiseRoutes: string[];
  advertiseTags: string[];
};

export type RegistrationResult = { device: DeviceRow; nodeToken: string; created: boolean };

const invalidKey = (why: string) => new ApiError(401, why);

/** A DNS label from a hostname: lower case, [a-z0-9-], at most 63 characters. */
export function dnsLabel(hostname: string): string {
  const label = hostname
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return label || "device";
}

/** `web`, else `web-1`, `web-2`, … whichever is free first. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const set = new Set(taken);
  if (!set.has(base)) return base;
  for (let i = 1; ; i++) {
    const suffix = `-${i}`;
    const candidate = base.slice(0, 63 - suffix.length) + suffix;
    if (!set.has(candidate)) return candidate;
  }
}

/**
 * Registers a node with an auth key (the simulated client's join). The auth
 * key decides tailnet, owner and flags. Registrations in one tailnet are
 * serialised by a transaction-scoped advisory lock, so names and addresses
 * are picked without races on any number of replicas, and a single-use key is
 * claimed by exactly one registration.
 */
export async function registerNode(sql: Sql, req: RegistrationRequest, now: Date): Promise<RegistrationResult> {
  const parsed = parseSecret(req.authKey);
  if (!parsed || parsed.kind !== "auth") throw invalidKey("invalid auth key");
  const cred = await findCredential(sql, parsed.keyId);
  if (!cred || cred.keyType !== "auth" || !secretMatches(parsed.secret, cred.secretHash)) throw invalidKey("invalid auth key");
  const tailnetId = cred.tailnetId;

  const result = await sql.begin(async (tx) => {
    await lockUntilCommit(tx, "registration", tailnetId);
    const key = await claimAuthKey(tx, tailnetId, parsed.keyId, now);
    if (!key) {
      const k = await getKey(tx, tailnetId, parsed.keyId);
      if (!k || k.revokedAt) throw invalidKey("auth key has been revoked");
      if (k.expiresAt && k.expiresAt <= now) throw invalidKey("auth key has expired");
      throw invalidKey("auth key has already been used");
    }
    if (!key.userId) throw new ApiError(400, "auth key has no owner");

    const tags = key.tags;
    const notPermitted = req.advertiseTags.filter((t) => !tags.includes(t));
    if (notPermitted.length) {
      throw new ApiError(400, `requested tags [${notPermitted.join(" ")}] are invalid or not permitted`);
    }
    const tailnet = (await getTailnet(tx, tailnetId))!;
    const tagged = tags.length > 0;
    const expiresAt = new Date(now.getTime() + tailnet.keyExpirySeconds * 1000);
    const node = mintSecret("node");
    const common = {
      userId: key.userId,
      authKeyId: key.keyId,
      hostname: req.hostname,
      os: req.os,
      osVersion: req.osVersion,
      clientVersion: req.clientVersion,
      lastSeen: now,
      // Tagged devices have key expiry disabled, as on Tailscale.
      keyExpiryDisabled: tagged,
      expiresAt,
      authorized: key.preauthorized,
      nodeKey: req.nodeKey,
      tags,
      isEphemeral: key.ephemeral,
      advertisedRoutes: req.advertiseRoutes,
      nodeSecretHash: node.hash,
    };

    const existing = await findDeviceIdByMachineKey(tx, tailnetId, req.machineKey);
    if (existing) {
      await updateRegistration(tx, tailnetId, existing, common);
      return { deviceId: existing, nodeToken: node.full, created: false };
    }

    const base = dnsLabel(req.hostname);
    const name = uniqueName(base, await namesLike(tx, tailnetId, base));
    const deviceId = await freeValue(tx, tailnetId, "device_id", randomNumericId);
    const nodeId = await freeValue(tx, tailnetId, "node_id", newNodeId);
    const ipv4 = await freeValue(tx, tailnetId, "ipv4", randomIPv4);
    const ipv6 = await freeValue(tx, tailnetId, "ipv6", randomIPv6);
    await insertDevice(tx, {
      ...common,
      tailnetId,
      deviceId,
      nodeId,
      name,
      createdAt: now,
      machineKey: req.machineKey,
      tailnetLockKey: `tlpub:${req.nodeKey.slice("nodekey:".length)}`,
      ipv4,
      ipv6,
    });
    return { deviceId, nodeToken: node.full, created: true };
  });
  const device = await getDevice(sql, tailnetId, result.deviceId);
  return { device: device!, nodeToken: result.nodeToken, created: result.created };
}

/** Draws random values until one is unused in the tailnet (we hold the tailnet's registration lock). */
async function freeValue(tx: TxSql, tailnetId: string, column: UniqueDeviceColumn, draw: () => string): Promise<string> {
  for (let i = 0; i < 32; i++) {
    const v = draw();
    if (!(await deviceValueTaken(tx, tailnetId, column, v))) return v;
  }
  throw new Error(`could not find a free ${column}`);
}
