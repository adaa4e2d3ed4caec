import { directLookup } from "../auth/authenticate.js";
import { mintSecret, verifySecret } from "../auth/credentials.js";
import {
  deleteSilentEphemeral,
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
import { claimAuthKey, getKey, insertKey, revokeNodeKeys } from "../db/keys.js";
import type { TxSql } from "../db/sql.js";
import { getSettings } from "../db/settings.js";
import { getTailnet } from "../db/tailnets.js";
import { getUser } from "../db/users.js";
import { invalid, unauthorized } from "../lib/errors.js";
import { randomIPv4, randomIPv6 } from "./addresses.js";
import { audit } from "./audit.js";
import { presenceNow, type Deps } from "./deps.js";
import { nodeTarget } from "./devices.js";
import { emit, nodeData } from "./events.js";
import { loadPolicy } from "./policies.js";
import { autoApprovedRoutes, requireOwnedTags, type Principal } from "./policy.js";

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
export async function registerNode(d: Deps, req: RegistrationRequest): Promise<RegistrationResult> {
  const cred = await verifySecret(req.authKey, "auth", directLookup(d.sql));
  if (!cred) throw unauthorized("invalid auth key");
  const tailnetId = cred.tailnetId;
  const now = d.clock.now();

  const result = await d.sql.begin(async (tx) => {
    await lockUntilCommit(tx, "registration", tailnetId);
    const key = await claimAuthKey(tx, tailnetId, cred.keyId, now);
    if (!key) {
      const k = await getKey(tx, tailnetId, cred.keyId);
      if (!k || k.revokedAt) throw unauthorized("auth key has been revoked");
      if (k.expiresAt && k.expiresAt <= now) throw unauthorized("auth key has expired");
      throw unauthorized("auth key has already been used");
    }
    const user = key.userId ? await getUser(tx, tailnetId, key.userId) : undefined;
    if (!user) throw invalid("auth key has no owner");

    // A tagged key's tags are trusted; tags the node advertises must be owned by the key's user.
    const policy = await loadPolicy(tx, tailnetId);
    const userPrincipal: Principal = { kind: "user", login: user.loginName, role: user.role };
    requireOwnedTags(policy, user.role === "member" ? userPrincipal : { kind: "admin" }, req.advertiseTags);
    const tags = [...new Set([...key.tags, ...req.advertiseTags])].sort();
    const settings = (await getSettings(tx, tailnetId))!;
    const tagged = tags.length > 0;
    // Routes the policy's autoApprovers approve for the device's owner (its tags, or its user) are enabled at once.
    const enabledRoutes = autoApprovedRoutes(policy, tagged ? { kind: "tags", tags } : userPrincipal, req.advertiseRoutes);
    const tailnet = (await getTailnet(tx, tailnetId))!;
    await deleteSilentEphemeral(tx, tailnetId, presenceNow(d).ephemeralSince);
    const common = {
      userId: user.userId,
      authKeyId: key.keyId,
      hostname: req.hostname,
      os: req.os,
      osVersion: req.osVersion,
      clientVersion: req.clientVersion,
      lastSeen: now,
      // Tagged devices have key expiry disabled, as on Tailscale.
      keyExpiryDisabled: tagged,
      // devicesKeyDurationDays and devicesApprovalOn take effect here.
      expiresAt: new Date(now.getTime() + settings.keyExpirySeconds * 1000),
      authorized: !settings.devicesApprovalOn || key.preauthorized,
      nodeKey: req.nodeKey,
      tags,
      isEphemeral: key.ephemeral,
      advertisedRoutes: req.advertiseRoutes,
      enabledRoutes,
    };

    let deviceId = await findDeviceIdByMachineKey(tx, tailnetId, req.machineKey);
    const created = deviceId === undefined;
    if (deviceId) {
      // The device keeps the routes an admin approved before; auto-approval may add to them.
      const before = await getDevice(tx, tailnetId, deviceId, presenceNow(d));
      await updateRegistration(tx, tailnetId, deviceId, { ...common, enabledRoutes: [...new Set([...(before?.enabledRoutes ?? []), ...enabledRoutes])] });
      await revokeNodeKeys(tx, tailnetId, deviceId, now);
    } else {
      const base = dnsLabel(req.hostname);
      deviceId = await freeValue(tx, tailnetId, "device_id", d.ids.numericId);
      await insertDevice(tx, {
        ...common,
        tailnetId,
        deviceId,
        nodeId: await freeValue(tx, tailnetId, "node_id", d.ids.nodeId),
        name: uniqueName(base, await namesLike(tx, tailnetId, base)),
        createdAt: now,
        machineKey: req.machineKey,
        tailnetLockKey: `tlpub:${req.nodeKey.slice("nodekey:".length)}`,
        ipv4: await freeValue(tx, tailnetId, "ipv4", randomIPv4),
        ipv6: await freeValue(tx, tailnetId, "ipv6", randomIPv6),
      });
    }
    // The node's own credential: one live token per device, replaced at each registration.
    const node = mintSecret("node", d.ids.keyId());
    await insertKey(tx, { tailnetId, keyId: node.keyId, keyType: "node", secretHash: node.hash, userId: null, createdAt: now, expiresAt: null, deviceId });
    const device = (await getDevice(tx, tailnetId, deviceId, presenceNow(d)))!;
    // The node API acts for the auth key's owner (Tailscale's NODE.CREATE has the user as actor).
    const who = { tailnetId, type: "USER" as const, id: device.userId, loginName: device.userLogin, displayName: device.userLogin.split("@")[0], credentialId: key.keyId };
    const ref = { tailnetId, tailnetName: tailnet.name };
    const fqdn = `${device.name}.${device.dnsSuffix}`;
    if (created) {
      await audit(tx, d, who, {
        action: "CREATE",
        target: nodeTarget(device),
        new: { hostname: device.hostname, os: device.os, tags: device.tags, authorized: device.authorized, addresses: [device.ipv4, device.ipv6] },
      });
      await emit(tx, d, ref, "nodeCreated", `Node ${fqdn} created`, nodeData(device, device.userLogin));
      if (!device.authorized) await emit(tx, d, ref, "nodeNeedsApproval", `Node ${fqdn} needs approval`, nodeData(device, device.userLogin));
    } else {
      await audit(tx, d, who, { action: "LOGIN", target: nodeTarget(device), details: "re-registered with a new node key" });
    }
    return { device, nodeToken: node.full, created };
  });
  const device = await getDevice(d.sql, tailnetId, result.device.deviceId, presenceNow(d));
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
