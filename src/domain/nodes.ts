import { directLookup } from "../auth/authenticate.js";
import { verifySecret } from "../auth/credentials.js";
import { applyNodeReport, deleteSilentEphemeral, getDevice, nodeState, type DeviceRow, type NodeReport, type NodeState } from "../db/devices.js";
import { getSettings } from "../db/settings.js";
import type { TxSql } from "../db/sql.js";
import { listTailnetIds } from "../db/tailnets.js";
import { getUser } from "../db/users.js";
import { forbidden, invalid, unauthorized } from "../lib/errors.js";
import { audit, type AuditActor } from "./audit.js";
import { presenceNow, type Deps } from "./deps.js";
import { nodeTarget } from "./devices.js";
import { loadPolicy } from "./policies.js";
import { autoApprovedRoutes, requireOwnedTags, userPrincipal, type Principal } from "./policy.js";

/**
 * The node API: what a simulated client does after registering. A node
 * authenticates with the node token its registration returned, and acts as
 * that one device only.
 */
export type Node = { tailnetId: string; deviceId: string };

/**
 * The device a node token belongs to. A token replaced by a newer
 * registration, or whose device was deleted, is a 401; an expired device must
 * register again (401); a device an admin has not authorized (or has
 * de-authorized) is a 403.
 */
export async function authenticateNode(d: Deps, token: string | undefined): Promise<Node> {
  const row = token ? await verifySecret(token, "node", directLookup(d.sql)) : undefined;
  if (!row || !row.deviceId) throw unauthorized("node token invalid");
  if (row.revokedAt) throw unauthorized("node token revoked: the device has registered again and has a newer one");
  const state = await nodeState(d.sql, row.tailnetId, row.deviceId, d.clock.now());
  if (!state) throw unauthorized("node token invalid");
  if (state.expired) throw unauthorized("node key expired: register again with the same machine key");
  if (!state.authorized) throw forbidden("device is not authorized: an admin must authorize it first");
  // A personal device works only while its user does (suspension, approval); a tagged device belongs to its tags.
  if (state.tags.length === 0 && !state.userActive) throw forbidden("the device's user is suspended or not approved: an admin must restore the user first");
  return { tailnetId: row.tailnetId, deviceId: row.deviceId };
}

export type Report = {
  hostname?: string;
  os?: string;
  osVersion?: string;
  clientVersion?: string;
  advertiseRoutes?: string[];
  advertiseTags?: string[];
  endpoints?: string[];
  derp?: string;
  latency?: Record<string, { latencyMs: number; preferred?: boolean }>;
  postureIdentity?: { serialNumbers?: string[]; disabled?: boolean };
  distro?: { name: string; version: string; codeName: string };
};

const CLIENT_SUPPORTS = { hairPinning: null, ipv6: false, pcp: false, pmp: false, udp: true, upnp: false };

/**
 * A node reports in: it is seen now (connected until it falls silent for the
 * offline timeout), and what it says about itself is stored. `advertiseRoutes`
 * replaces the advertised list (the policy's autoApprovers may enable some at
 * once; routes an admin enabled stay enabled); `advertiseTags`, when they
 * differ, must be owned by the device's owner, and make it a tagged device.
 */
export async function reportNode(d: Deps, node: Node, r: Report): Promise<DeviceRow> {
  const now = d.clock.now();
  await d.sql.begin(async (tx) => {
    const state = (await nodeState(tx, node.tailnetId, node.deviceId, now))!;
    const update: NodeReport = { hostname: r.hostname, os: r.os, osVersion: r.osVersion, clientVersion: r.clientVersion, distro: r.distro };
    let tags = state.tags;
    const policyNeeded = r.advertiseRoutes !== undefined || r.advertiseTags !== undefined;
    const policy = policyNeeded ? await loadPolicy(tx, node.tailnetId) : undefined;
    const user = policyNeeded && state.userId ? await getUser(tx, node.tailnetId, state.userId) : undefined;
    // The user as autoApprovers name them (by login, groups, role autogroups).
    const asApprovee: Principal | undefined = user && { kind: "user", login: user.loginName, role: user.role };
    if (r.advertiseTags !== undefined) {
      const wanted = [...new Set(r.advertiseTags)].sort();
      if (wanted.join(" ") !== state.tags.join(" ")) {
        if (wanted.length === 0 && !user) throw invalid("this device has no user: it is owned by its tags, and must keep at least one");
        const owner: Principal = state.tags.length ? { kind: "tags", tags: state.tags } : userPrincipal(user!);
        requireOwnedTags(policy!, owner, wanted.filter((t) => !state.tags.includes(t)));
        tags = wanted;
        update.tags = wanted;
        if ((state.tags.length > 0) !== (wanted.length > 0)) update.keyExpiryDisabled = wanted.length > 0;
      }
    }
    if (r.advertiseRoutes !== undefined) {
      const advertised = [...new Set(r.advertiseRoutes)];
      update.advertisedRoutes = advertised;
      const approved = autoApprovedRoutes(policy!, tags.length ? { kind: "tags", tags } : asApprovee!, advertised);
      update.enabledRoutes = [...new Set([...state.enabledRoutes, ...approved])];
    }
    if (r.endpoints !== undefined || r.latency !== undefined || r.derp !== undefined) {
      update.clientConnectivity = {
        endpoints: r.endpoints ?? [],
        ...(r.derp !== undefined ? { derp: r.derp } : {}),
        mappingVariesByDestIP: false,
        latency: r.latency ?? {},
        clientSupports: CLIENT_SUPPORTS,
      };
    }
    if (r.postureIdentity !== undefined) {
      // Identity collection is a tailnet setting (postureIdentityCollectionOn): off, reports carry none.
      const collect = (await getSettings(tx, node.tailnetId))!.postureIdentityCollectionOn;
      update.postureIdentity = collect ? r.postureIdentity : { disabled: true };
    }
    await applyNodeReport(tx, node.tailnetId, node.deviceId, update, now);
    await auditReport(tx, d, node, state, update);
  });
  return (await getDevice(d.sql, node.tailnetId, node.deviceId, presenceNow(d)))!;
}

/**
 * What a report changed that is configuration (not presence or facts about
 * the machine) goes to the audit log, with the node as the actor: its tags,
 * routes the policy approved automatically, its posture identity.
 */
async function auditReport(tx: TxSql, d: Deps, node: Node, state: NodeState, update: NodeReport): Promise<void> {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const changed: [string, unknown, unknown][] = [];
  if (update.tags !== undefined && !same(update.tags, state.tags)) changed.push(["ACL_TAGS", state.tags, update.tags]);
  if (update.enabledRoutes !== undefined && !same(update.enabledRoutes, state.enabledRoutes)) changed.push(["AUTO_APPROVED_ROUTES", state.enabledRoutes, update.enabledRoutes]);
  if (update.postureIdentity !== undefined && !same(update.postureIdentity, state.postureIdentity)) changed.push(["POSTURE_IDENTITY", state.postureIdentity ?? undefined, update.postureIdentity]);
  if (changed.length === 0) return;
  const device = (await getDevice(tx, node.tailnetId, node.deviceId, presenceNow(d)))!;
  const who: AuditActor = { tailnetId: node.tailnetId, type: "NODE", id: device.nodeId, displayName: `${device.name}.${device.dnsSuffix}`, tags: state.tags };
  await audit(tx, d, who, ...changed.map(([property, old, next]) => ({ action: "UPDATE" as const, target: nodeTarget(device, property), old, new: next })));
}

/**
 * Deletes ephemeral devices silent past the timeout, tailnet by tailnet (each
 * statement scoped by tailnet_id). Reads hide such devices already, so this
 * only reclaims their rows, names and addresses; every replica may run it
 * (the deletes are idempotent), so no one process has to.
 */
export async function sweepEphemeral(d: Deps): Promise<number> {
  const since = presenceNow(d).ephemeralSince;
  let n = 0;
  for (const tailnetId of await listTailnetIds(d.sql)) n += await deleteSilentEphemeral(d.sql, tailnetId, since);
  return n;
}
