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
import {
  deleteExpiredRegistrations,
  deleteRegistration,
  findRegistrationByKey,
  findRegistrationByMachineKey,
  getRegistration,
  insertRegistration,
  markRegistrationApproved,
  refreshRegistration,
  type PendingRegistration,
} from "../db/registrations.js";
import type { TxSql } from "../db/sql.js";
import { getSettings } from "../db/settings.js";
import { findTailnetByName, getTailnet, type Tailnet } from "../db/tailnets.js";
import { getUser, listUsers, type User } from "../db/users.js";
import { forbidden, invalid, notFound, unauthorized } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { randomIPv4, randomIPv6 } from "./addresses.js";
import { audit, type AuditActor } from "./audit.js";
import { nodeTarget } from "./devices.js";
import { emit, nodeData } from "./events.js";
import { presenceNow, type Deps } from "./deps.js";
import { loadPolicy } from "./policies.js";
import { autoApprovedRoutes, requireOwnedTags, userPrincipal, type Policy, type Principal } from "./policy.js";
import { resolveUserRef } from "./users.js";

/** What a node says about itself when it registers. */
export type NodeInfo = {
  nodeKey: string;
  machineKey: string;
  hostname: string;
  os: string;
  osVersion: string;
  clientVersion: string;
  advertiseRoutes: string[];
  advertiseTags: string[];
};

/**
 * A registration: with an auth key (which decides tailnet, owner and flags),
 * or without one (web authentication: the node waits for an admin's
 * approval, in `tailnet`, or the server's default tailnet).
 */
export type RegistrationRequest = NodeInfo & { authKey?: string; tailnet?: string };

export type RegistrationResult =
  | { kind: "registered"; device: DeviceRow; nodeToken: string; created: boolean }
  | { kind: "pending"; registrationKey: string; tailnetName: string; expiresAt: Date };

/** How long a web registration waits for an admin (headscale's registration cache: 15 minutes). */
export const PENDING_REGISTRATION_MS = 15 * 60_000;

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
 * Registers a node (the simulated client's join). Registrations in one
 * tailnet are serialised by a transaction-scoped advisory lock, so names and
 * addresses are picked without races on any number of replicas, a
 * single-use key is claimed by exactly one registration, and a web
 * registration is approved or collected once.
 */
export function registerNode(d: Deps, req: RegistrationRequest, o: { defaultTailnet: string }): Promise<RegistrationResult> {
  return req.authKey ? registerWithAuthKey(d, req, req.authKey) : registerInteractively(d, req, req.tailnet ?? o.defaultTailnet);
}

async function registerWithAuthKey(d: Deps, req: NodeInfo, authKey: string): Promise<RegistrationResult> {
  const cred = await verifySecret(authKey, "auth", directLookup(d.sql));
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
    // A user's key registers devices of that user; a tagged key with no user (headscale's
    // `preauthkeys create --tags`) registers devices owned by their tags alone.
    const user = key.userId ? await getUser(tx, tailnetId, key.userId) : undefined;
    if (!user && key.tags.length === 0) throw invalid("auth key has no owner");
    if (user && (user.suspendedAt || !user.approved)) throw forbidden(`auth key refused: its user ${user.loginName} is suspended or not approved`);

    // A tagged key's tags are trusted; tags the node advertises must be owned by the key's owner.
    const policy = await loadPolicy(tx, tailnetId);
    requireOwnedTags(policy, user ? userPrincipal(user) : { kind: "tags", tags: key.tags }, req.advertiseTags);
    const tags = [...new Set([...key.tags, ...req.advertiseTags])].sort();
    // The node API acts for the auth key's owner (Tailscale's NODE.CREATE has the user as actor); a key of no user, for its tags.
    const who: AuditActor = user
      ? { tailnetId, type: "USER", id: user.userId, loginName: user.loginName, displayName: user.displayName, credentialId: key.keyId }
      : { tailnetId, type: "NODE", id: key.keyId, tags: key.tags, credentialId: key.keyId };
    const deviceId = await upsertDevice(tx, d, policy, tailnetId, { user, tags, authorized: key.preauthorized, ephemeral: key.ephemeral, authKeyId: key.keyId }, req, who);
    return { ...deviceId, nodeToken: await mintNodeToken(tx, d, tailnetId, deviceId.deviceId) };
  });
  const device = await getDevice(d.sql, tailnetId, result.deviceId, presenceNow(d));
  return { kind: "registered", device: device!, nodeToken: result.nodeToken, created: result.created };
}

/**
 * Web authentication, from the node's side. The first request opens a
 * registration (15 minutes) and answers its key; asking again while it waits
 * answers the same key; once an admin approved it, the next request with the
 * same machine key collects the device and its node token.
 */
async function registerInteractively(d: Deps, req: NodeInfo, tailnetName: string): Promise<RegistrationResult> {
  const tailnet = await findTailnetByName(d.sql, tailnetName);
  if (!tailnet) throw notFound(`tailnet ${tailnetName} does not exist`);
  const now = d.clock.now();
  type Step = { pending: PendingRegistration } | { deviceId: string; nodeToken: string };
  const r = await d.sql.begin(async (tx): Promise<Step> => {
    await lockUntilCommit(tx, "registration", tailnet.tailnetId);
    await deleteExpiredRegistrations(tx, tailnet.tailnetId, now);
    const pending = await findRegistrationByMachineKey(tx, tailnet.tailnetId, req.machineKey, now);
    if (pending?.deviceId) {
      await deleteRegistration(tx, tailnet.tailnetId, pending.registrationKey);
      return { deviceId: pending.deviceId, nodeToken: await mintNodeToken(tx, d, tailnet.tailnetId, pending.deviceId) };
    }
    if (pending) {
      await refreshRegistration(tx, tailnet.tailnetId, pending.registrationKey, req);
      return { pending };
    }
    const registration: PendingRegistration = {
      ...req,
      tailnetId: tailnet.tailnetId,
      registrationKey: d.ids.token(),
      createdAt: now,
      expiresAt: new Date(now.getTime() + PENDING_REGISTRATION_MS),
      deviceId: null,
    };
    await insertRegistration(tx, registration);
    return { pending: registration };
  });
  if ("pending" in r) return { kind: "pending", registrationKey: r.pending.registrationKey, tailnetName: tailnet.name, expiresAt: r.pending.expiresAt };
  const device = await getDevice(d.sql, tailnet.tailnetId, r.deviceId, presenceNow(d));
  if (!device) throw notFound("the device approved for this machine has been deleted: register again");
  return { kind: "registered", device, nodeToken: r.nodeToken, created: true };
}

/**
 * An admin approves a web registration for a user (`tailapi nodes register
 * --user U --key K`): the device is made at once, owned by the user, or, when
 * the node advertised tags the user owns, a tagged device. Members may only
 * approve registrations for themselves.
 */
export async function approveRegistration(d: Deps, actor: Actor, registrationKey: string, userRef: string): Promise<DeviceRow> {
  const now = d.clock.now();
  const deviceId = await d.sql.begin(async (tx) => {
    await lockUntilCommit(tx, "registration", actor.tailnetId);
    const reg = await getRegistration(tx, actor.tailnetId, registrationKey, now, true);
    if (!reg || reg.deviceId) throw notFound(`no registration waits with key ${registrationKey} (a registration waits 15 minutes)`);
    const user = resolveUserRef(await listUsers(tx, actor.tailnetId), userRef);
    if (actor.ownDevicesOnly && user.userId !== actor.user?.id) throw forbidden();
    if (user.suspendedAt || !user.approved) throw invalid(`user ${user.loginName} is suspended or not approved`);
    const policy = await loadPolicy(tx, actor.tailnetId);
    // headscale: the user must be allowed to register a node with the tags it asks for.
    requireOwnedTags(policy, userPrincipal(user), reg.advertiseTags);
    const tags = [...new Set(reg.advertiseTags)].sort();
    // The admin's approval is the authorization: device approval (devicesApprovalOn) does not hold it up again.
    const { deviceId } = await upsertDevice(tx, d, policy, actor.tailnetId, { user, tags, authorized: true, approved: true, ephemeral: false, authKeyId: null }, reg, actor);
    await markRegistrationApproved(tx, actor.tailnetId, registrationKey, deviceId, new Date(now.getTime() + PENDING_REGISTRATION_MS));
    return deviceId;
  });
  return (await getDevice(d.sql, actor.tailnetId, deviceId, presenceNow(d)))!;
}

/** What the authUrl page shows: the registration behind a key, if it still waits. */
export async function pendingRegistration(d: Deps, registrationKey: string) {
  if (!/^[A-Za-z0-9]{16,64}$/.test(registrationKey)) return undefined;
  const r = await findRegistrationByKey(d.sql, registrationKey, d.clock.now());
  if (!r) return undefined;
  return { tailnetName: r.tailnetName, hostname: r.hostname, os: r.os, advertiseTags: r.advertiseTags, expiresAt: r.expiresAt, approved: r.deviceId !== null };
}

/** `authorized`: what the key says; `approved`: authorized whatever the tailnet's device approval setting says (an admin approved it). */
type Ownership = { user: User | undefined; tags: string[]; authorized: boolean; approved?: boolean; ephemeral: boolean; authKeyId: string | null };

/**
 * Makes the device for a registration, or updates the device this machine
 * key already has (identity and addresses stay; owner and flags change), and
 * records it (audit log, webhook events) as done by `who`. The tailnet's
 * settings apply: key duration (devicesKeyDurationDays), device approval.
 */
async function upsertDevice(
  tx: TxSql,
  d: Deps,
  policy: Policy,
  tailnetId: string,
  own: Ownership,
  req: NodeInfo,
  who: Actor | AuditActor,
): Promise<{ deviceId: string; created: boolean }> {
  const now = d.clock.now();
  const tagged = own.tags.length > 0;
  const approvee: Principal = tagged ? { kind: "tags", tags: own.tags } : { kind: "user", login: own.user!.loginName, role: own.user!.role };
  // Routes the policy's autoApprovers approve for the device's owner (its tags, or its user) are enabled at once.
  const enabledRoutes = autoApprovedRoutes(policy, approvee, req.advertiseRoutes);
  const tailnet: Tailnet = (await getTailnet(tx, tailnetId))!;
  const settings = (await getSettings(tx, tailnetId))!;
  await deleteSilentEphemeral(tx, tailnetId, presenceNow(d).ephemeralSince);
  const common = {
    userId: own.user?.userId ?? null,
    authKeyId: own.authKeyId,
    hostname: req.hostname,
    os: req.os,
    osVersion: req.osVersion,
    clientVersion: req.clientVersion,
    lastSeen: now,
    // Tagged devices have key expiry disabled, as on Tailscale.
    keyExpiryDisabled: tagged,
    // devicesKeyDurationDays and devicesApprovalOn take effect here.
    expiresAt: new Date(now.getTime() + settings.keyExpirySeconds * 1000),
    authorized: own.approved || !settings.devicesApprovalOn || own.authorized,
    nodeKey: req.nodeKey,
    tags: own.tags,
    isEphemeral: own.ephemeral,
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
  const device = (await getDevice(tx, tailnetId, deviceId, presenceNow(d)))!;
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
  return { deviceId, created };
}

/** The node's own credential: one live token per device, replaced at each registration. */
async function mintNodeToken(tx: TxSql, d: Deps, tailnetId: string, deviceId: string): Promise<string> {
  await revokeNodeKeys(tx, tailnetId, deviceId, d.clock.now());
  const node = mintSecret("node", d.ids.keyId());
  await insertKey(tx, { tailnetId, keyId: node.keyId, keyType: "node", secretHash: node.hash, userId: null, createdAt: d.clock.now(), expiresAt: null, deviceId });
  return node.full;
}

/** Draws random values until one is unused in the tailnet (we hold the tailnet's registration lock). */
async function freeValue(tx: TxSql, tailnetId: string, column: UniqueDeviceColumn, draw: () => string): Promise<string> {
  for (let i = 0; i < 32; i++) {
    const v = draw();
    if (!(await deviceValueTaken(tx, tailnetId, column, v))) return v;
  }
  throw new Error(`could not find a free ${column}`);
}
