import { getDevice as getDeviceRow, type DeviceRow } from "../db/devices.js";
import { claimInvite, deleteInvite, findInviteByCode, getInvite, insertInvite, insertShare, listInvites, markInviteEmailed, type InviteRow } from "../db/sharing.js";
import { getUser } from "../db/users.js";
import { forbidden, invalid, notFound, notImplemented, rateLimited } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { audit, type AuditTarget } from "./audit.js";
import { presenceNow, type Deps } from "./deps.js";

/**
 * Sharing a device with users of other tailnets (device invites). A user of
 * the device's tailnet creates invites; a user of another tailnet accepts one
 * with its URL or code, and the device then appears in that tailnet's list as
 * an external, read-only device. No mail leaves the server: an invite with an
 * email records when the email would have been sent.
 */
export type { InviteRow as DeviceInvite };

/** Invites a multi-use invite can be accepted this many times, as on Tailscale. */
export const MULTI_USE_LIMIT = 1000;
/** Resending an invite's email: at most once per this interval (every replica agrees: it is in the row). */
export const RESEND_INTERVAL_MS = 60_000;

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

export type InviteSpec = { multiUse?: boolean; allowExitNode?: boolean; email?: string };

/**
 * A write naming a device that is not the tailnet's own but shared into it:
 * refused, read-only (Tailscale answers 501 to deleting one).
 */
export async function refuseExternal(d: Deps, actor: Actor, id: string, what: "modify" | "delete"): Promise<void> {
  const row = await getDeviceRow(d.sql, actor.tailnetId, id, presenceNow(d), { shared: true });
  if (!row?.isExternal) return;
  if (what === "delete") throw notImplemented("cannot delete devices outside of your tailnet");
  throw forbidden("cannot modify devices outside of your tailnet");
}

/** Only a person shares or accepts a device: an OAuth token is no one to share with. */
function requireUser(actor: Actor, what: string): { id: string; loginName: string } {
  if (!actor.user) throw forbidden(`${what} needs a user's API key, not an OAuth token`);
  return actor.user;
}

/** An invite as an audit target: Tailscale's INVITE, property NODE_SHARE, named by the device shared. */
function inviteTarget(inviteId: string, device: DeviceRow): AuditTarget {
  return { type: "INVITE", id: inviteId, name: `${device.name}.${device.dnsSuffix}`, property: "NODE_SHARE" };
}

/** A device of the actor's tailnet that the actor may share: any for admins, their own untagged ones for members. */
async function shareableDevice(d: Deps, actor: Actor, id: string): Promise<DeviceRow> {
  const row = await getDeviceRow(d.sql, actor.tailnetId, id, presenceNow(d));
  if (!row) {
    await refuseExternal(d, actor, id, "modify");
    throw notFound();
  }
  if (actor.ownDevicesOnly && (row.userId !== actor.user?.id || row.tags.length > 0)) throw forbidden();
  return row;
}

export async function createDeviceInvites(d: Deps, actor: Actor, deviceId: string, specs: InviteSpec[]): Promise<InviteRow[]> {
  const user = requireUser(actor, "sharing a device");
  specs.forEach((s, i) => {
    if (s.email !== undefined && s.email !== "" && !EMAIL.test(s.email)) throw invalid(`invalid [${i}].email: ${JSON.stringify(s.email)} is not an email address`);
  });
  const device = await shareableDevice(d, actor, deviceId);
  const now = d.clock.now();
  const ids: string[] = [];
  await d.sql.begin(async (tx) => {
    for (const s of specs) {
      const inviteId = d.ids.numericId();
      const email = s.email ?? "";
      await insertInvite(tx, {
        tailnetId: actor.tailnetId,
        inviteId,
        deviceId: device.deviceId,
        sharerUserId: user.id,
        code: d.ids.token(),
        multiUse: s.multiUse ?? false,
        allowExitNode: s.allowExitNode ?? false,
        email,
        emailSentAt: email ? now : null,
        now,
      });
      if (email) d.log.info({ inviteId, deviceId: device.nodeId }, "device invite created; its email was not sent (tailapi sends no mail)");
      ids.push(inviteId);
      await audit(tx, d, actor, {
        action: "CREATE",
        target: inviteTarget(inviteId, device),
        new: { multiUse: s.multiUse ?? false, allowExitNode: s.allowExitNode ?? false, email },
      });
    }
  });
  return Promise.all(ids.map(async (id) => (await getInvite(d.sql, actor.tailnetId, id))!));
}

export async function listDeviceInvites(d: Deps, actor: Actor, deviceId: string): Promise<InviteRow[]> {
  const row = await getDeviceRow(d.sql, actor.tailnetId, deviceId, presenceNow(d));
  if (!row) throw notFound();
  return listInvites(d.sql, actor.tailnetId, row.deviceId);
}

const inviteIdOk = (id: string) => /^\d{1,16}$/.test(id);

export async function getDeviceInvite(d: Deps, actor: Actor, inviteId: string): Promise<InviteRow> {
  const invite = inviteIdOk(inviteId) ? await getInvite(d.sql, actor.tailnetId, inviteId) : undefined;
  if (!invite) throw notFound();
  return invite;
}

/** Deletes an invite: it can no longer be accepted, and the shares made with it end. */
export async function deleteDeviceInvite(d: Deps, actor: Actor, inviteId: string): Promise<void> {
  const invite = await getDeviceInvite(d, actor, inviteId);
  if (actor.ownDevicesOnly && invite.sharerUserId !== actor.user?.id) throw forbidden();
  await d.sql.begin(async (tx) => {
    if (!(await deleteInvite(tx, actor.tailnetId, inviteId))) throw notFound();
    await audit(tx, d, actor, { action: "DELETE", target: { type: "INVITE", id: inviteId, property: "NODE_SHARE" } });
  });
}

/** "Resends" the invite's email (none leaves the server), at most once a minute per invite. */
export async function resendDeviceInvite(d: Deps, actor: Actor, inviteId: string): Promise<void> {
  requireUser(actor, "resending a device invite");
  const invite = await getDeviceInvite(d, actor, inviteId);
  if (!invite.email) throw invalid("this invite has no email to resend to");
  const now = d.clock.now();
  await d.sql.begin(async (tx) => {
    if (!(await markInviteEmailed(tx, actor.tailnetId, inviteId, now, RESEND_INTERVAL_MS))) {
      const wait = invite.lastEmailSentAt ? Math.max(1, Math.ceil((Date.parse(invite.lastEmailSentAt) + RESEND_INTERVAL_MS - now.getTime()) / 1000)) : 60;
      throw rateLimited("an invite's email can be resent once a minute", wait);
    }
    await audit(tx, d, actor, { action: "RESEND", target: { type: "INVITE", id: inviteId, property: "NODE_SHARE" }, details: "no email was sent: tailapi sends no mail" });
  });
  d.log.info({ inviteId }, "device invite email resent (not really: tailapi sends no mail)");
}

export type Acceptance = {
  device: DeviceRow;
  includeExitNode: boolean;
  sharer: { id: string; loginName: string; displayName: string };
  acceptedBy: { id: string; loginName: string; displayName: string };
};

/** The code of an invite URL (…/admin/invite/<code>) or a bare code. */
export function inviteCode(invite: string): string {
  const trimmed = invite.trim().replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/**
 * A user of another tailnet accepts an invite: the device is shared into
 * their tailnet (accepting it again there changes nothing). A single-use
 * invite is accepted once, a multi-use one up to MULTI_USE_LIMIT times; a
 * deleted or unknown invite is a 404.
 */
export async function acceptDeviceInvite(d: Deps, actor: Actor, invite: string): Promise<Acceptance> {
  const user = requireUser(actor, "accepting a device invite");
  const code = inviteCode(invite);
  const found = /^[A-Za-z0-9]{16,64}$/.test(code) ? await findInviteByCode(d.sql, code) : undefined;
  if (!found) throw notFound("invite not found");
  if (found.tailnetId === actor.tailnetId) throw invalid("a device cannot be shared into its own tailnet");
  const now = d.clock.now();
  const inv = await d.sql.begin(async (tx) => {
    const row = await getInvite(tx, found.tailnetId, found.inviteId);
    if (!row) throw notFound("invite not found");
    if (!(await claimInvite(tx, found.tailnetId, found.inviteId, MULTI_USE_LIMIT))) throw invalid("this invite has already been accepted");
    await insertShare(tx, {
      tailnetId: actor.tailnetId,
      sourceTailnetId: found.tailnetId,
      deviceId: row.deviceId,
      inviteId: row.inviteId,
      acceptedByUserId: user.id,
      allowExitNode: row.allowExitNode,
      now,
    });
    // Recorded in both tailnets: the accepting one (the actor's), and the one whose device is now shared.
    const target = { type: "INVITE" as const, id: row.inviteId, property: "NODE_SHARE" };
    await audit(tx, d, actor, { action: "ACCEPT", target, new: { allowExitNode: row.allowExitNode } });
    const external = { tailnetId: found.tailnetId, type: "USER" as const, id: user.id, loginName: user.loginName, displayName: user.loginName.split("@")[0], credentialId: actor.keyId };
    await audit(tx, d, external, { action: "ACCEPT", target, new: { sharedInto: actor.tailnetName, allowExitNode: row.allowExitNode } });
    return row;
  });
  const device = (await getDeviceRow(d.sql, actor.tailnetId, inv.deviceId, presenceNow(d), { shared: true }))!;
  const sharer = (await getUser(d.sql, inv.tailnetId, inv.sharerUserId))!;
  const accepter = (await getUser(d.sql, actor.tailnetId, user.id))!;
  return {
    device,
    includeExitNode: inv.allowExitNode,
    sharer: { id: sharer.userId, loginName: sharer.loginName, displayName: sharer.displayName },
    acceptedBy: { id: accepter.userId, loginName: accepter.loginName, displayName: accepter.displayName },
  };
}
