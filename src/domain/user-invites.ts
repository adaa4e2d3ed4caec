import { mintSecret, verifySecret } from "../auth/credentials.js";
import {
  deleteInvite as deleteInviteRow,
  findInviteSecret,
  getInvite as getInviteRow,
  insertInvite,
  listInvites as listInviteRows,
  markInviteSent,
  type UserInvite,
} from "../db/user-invites.js";
import { lockUntilCommit } from "../db/locks.js";
import { getSettings } from "../db/settings.js";
import { getTailnet } from "../db/tailnets.js";
import { insertUser, type Role, type User } from "../db/users.js";
import { conflict, forbidden, invalid, notFound, rateLimited } from "../lib/errors.js";
import { administersUsers, creatorOf, mayManageRole, type Actor } from "./actor.js";
import { audit, type AuditActor } from "./audit.js";
import type { Deps } from "./deps.js";
import { emit } from "./events.js";
import { userTarget } from "./users.js";
import { insertApiKey, keySummary, keyTarget, MAX_KEY_EXPIRY_SECONDS } from "./keys.js";
import { displayNameOf } from "./tailnets.js";
import { loginNameProblem } from "./users.js";

export type { UserInvite };

/** Roles an invite may give (an owner is never invited). */
export const INVITE_ROLES = ["member", "admin", "it-admin", "network-admin", "billing-admin", "auditor"] as const;
export type InviteRole = (typeof INVITE_ROLES)[number];

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}$/;
/** Invite resends are limited to one per minute (Tailscale's rule). */
const RESEND_EVERY_MS = 60_000;

/**
 * Creates user invites. Each has a code, `tskey-invite-<id>-<secret>`, shown
 * once in this answer (inside its URL) and stored as a hash: whoever holds
 * it may join the tailnet with the invite's role, once. tailapi sends no
 * mail: an invite with an email records when it would have been sent.
 */
export async function createInvites(d: Deps, actor: Actor, specs: { role: InviteRole; email?: string }[]): Promise<{ invite: UserInvite; code: string }[]> {
  if (!administersUsers(actor)) throw forbidden();
  if (specs.length === 0) throw invalid("invalid body: give at least one invite");
  specs.forEach((s, i) => {
    if (!mayManageRole(actor, s.role)) throw forbidden();
    if (s.email !== undefined && s.email !== "" && !EMAIL.test(s.email)) throw invalid(`invalid ${i}.email: ${JSON.stringify(s.email)} is not an email address`);
  });
  const now = d.clock.now();
  const inviter = creatorOf(actor).userId;
  return d.sql.begin(async (tx) =>
    Promise.all(
      specs.map(async (s) => {
        const inviteId = d.ids.numericId();
        const m = mintSecret("invite", inviteId);
        const email = s.email ?? "";
        const invite = await insertInvite(tx, {
          tailnetId: actor.tailnetId,
          inviteId,
          secretHash: m.hash,
          role: s.role,
          email,
          inviterId: inviter,
          createdAt: now,
          lastEmailSentAt: email ? now : null,
        });
        await audit(tx, d, actor, { action: "CREATE", target: inviteTarget(invite), new: { role: invite.role, email: invite.email } });
        return { invite, code: m.full };
      }),
    ),
  );
}

/** An invite as an audit target. */
const inviteTarget = (i: UserInvite) => ({ type: "INVITE" as const, id: i.inviteId, name: i.email || `${i.role} invite` });

/** Open (not yet accepted) invites. */
export function listInvites(d: Deps, actor: Actor): Promise<UserInvite[]> {
  return listInviteRows(d.sql, actor.tailnetId);
}

export async function getInvite(d: Deps, actor: Actor, inviteId: string): Promise<UserInvite> {
  const i = await getInviteRow(d.sql, actor.tailnetId, inviteId);
  if (!i) throw notFound();
  return i;
}

export async function deleteInvite(d: Deps, actor: Actor, inviteId: string): Promise<void> {
  await d.sql.begin(async (tx) => {
    const i = await getInviteRow(tx, actor.tailnetId, inviteId, true);
    if (!i) throw notFound();
    if (!administersUsers(actor) || !mayManageRole(actor, i.role as Role)) throw forbidden();
    await deleteInviteRow(tx, actor.tailnetId, inviteId);
    await audit(tx, d, actor, { action: "DELETE", target: inviteTarget(i) });
  });
}

/** "Resends" an invite by email: recorded, never mailed; at most once a minute; only for invites with an email. */
export async function resendInvite(d: Deps, actor: Actor, inviteId: string): Promise<void> {
  const now = d.clock.now();
  await d.sql.begin(async (tx) => {
    const i = await getInviteRow(tx, actor.tailnetId, inviteId, true);
    if (!i) throw notFound();
    if (!administersUsers(actor) || !mayManageRole(actor, i.role as Role)) throw forbidden();
    if (!i.email) throw invalid("this invite has no email to resend it to: share its URL instead");
    const last = i.lastEmailSentAt?.getTime() ?? 0;
    if (now.getTime() - last < RESEND_EVERY_MS) {
      const wait = Math.ceil((RESEND_EVERY_MS - (now.getTime() - last)) / 1000);
      throw rateLimited(`invite resends are limited to one per minute: try again in ${wait} s`, wait);
    }
    await markInviteSent(tx, actor.tailnetId, inviteId, now);
    await audit(tx, d, actor, { action: "RESEND", target: inviteTarget(i), details: "recorded only: tailapi sends no mail" });
  });
}

/** The code in an invite URL (`…/uinv/<code>`), or the code itself. */
export function inviteCodeOf(invite: string): string {
  const t = invite.trim();
  return t.includes("/") ? t.slice(t.lastIndexOf("/") + 1) : t;
}

/** The invite a code opens, if it is one (for the invite page). */
export async function inviteByCode(d: Deps, invite: string): Promise<(UserInvite & { tailnetName?: string }) | undefined> {
  return verifySecret(inviteCodeOf(invite), "invite", { find: (id) => findInviteSecret(d.sql, id) });
}

/**
 * Accepts an invite (tailapi extension; on Tailscale the invitee signs in
 * through the identity provider): the code is the credential. Creates the
 * user with the invite's role and login name `loginName` (default: the
 * invite's email), uses the invite up, and returns the user's first API key
 * (90 days, shown once), so they can act.
 */
export async function acceptInvite(
  d: Deps,
  invite: string,
  who: { loginName?: string; displayName?: string },
): Promise<{ user: User; apiKey: string; tailnetId: string }> {
  const found = await inviteByCode(d, invite);
  if (!found) throw notFound("no such invite: it was accepted, deleted, or the code is wrong");
  const loginName = who.loginName ?? (found.email || undefined);
  if (!loginName) throw invalid("loginName is required: the invite names no email");
  const problem = loginNameProblem(loginName);
  if (problem) throw invalid(problem);
  const now = d.clock.now();
  return d.sql.begin(async (tx) => {
    await lockUntilCommit(tx, "users", found.tailnetId);
    // Used up by a concurrent acceptance?
    if (!(await deleteInviteRow(tx, found.tailnetId, found.inviteId))) throw notFound("no such invite: it was accepted, deleted, or the code is wrong");
    // With user approval on (usersApprovalOn), the new user waits for an admin: their key works once approved.
    const approvalOn = (await getSettings(tx, found.tailnetId))!.usersApprovalOn;
    const user = await insertUser(tx, {
      tailnetId: found.tailnetId,
      userId: d.ids.numericId(),
      loginName,
      displayName: who.displayName ?? displayNameOf(loginName),
      role: found.role as Role,
      approved: !approvalOn,
    });
    if (!user) throw conflict(`user ${loginName} already exists`);
    const { row, secret } = await insertApiKey(tx, d.ids, found.tailnetId, user.userId, { expirySeconds: MAX_KEY_EXPIRY_SECONDS, description: "accepted invite" }, now);
    // The new user acts, with the invite as the credential.
    const invitee: AuditActor = { tailnetId: found.tailnetId, type: "USER", id: user.userId, loginName: user.loginName, displayName: user.displayName, credentialId: found.inviteId };
    await audit(
      tx,
      d,
      invitee,
      { action: "CREATE", target: userTarget(user), new: { loginName: user.loginName, role: user.role }, details: `accepted invite ${found.inviteId}` },
      { action: "CREATE", target: keyTarget(row), new: keySummary(row) },
    );
    const ref = { tailnetId: found.tailnetId, tailnetName: (await getTailnet(tx, found.tailnetId))!.name };
    const data = { user: user.loginName, actor: user.loginName, url: `/api/v2/users/${user.userId}` };
    await emit(tx, d, ref, "userCreated", `User ${user.loginName} created`, data);
    if (approvalOn) await emit(tx, d, ref, "userNeedsApproval", `User ${user.loginName} needs approval`, data);
    return { user, apiKey: secret, tailnetId: found.tailnetId };
  });
}
