import { z } from "@hono/zod-openapi";
import { INVITE_ROLES, type UserInvite } from "../../domain/user-invites.js";
import { rfc3339 } from "../../lib/time.js";

/** The UserInvite object (official schema `UserInvite`). */
export const UserInviteSchema = z
  .object({
    id: z.string().openapi({ example: "29214" }),
    role: z.enum(INVITE_ROLES),
    tailnetId: z.number().int().openapi({ example: 12345 }),
    inviterId: z.number().int().optional().openapi({ example: 34567, description: "Absent when an OAuth client created it." }),
    email: z.string().openapi({ example: "user@example.com", description: "Empty when the invite names no email." }),
    lastEmailSentAt: z
      .string()
      .optional()
      .openapi({ format: "date-time", description: "When the invite would have been mailed (tailapi sends no mail); only with an email." }),
    inviteUrl: z
      .string()
      .optional()
      .openapi({
        example: "https://tailapi.example.com/uinv/tskey-invite-29214-…",
        description: "The link to accept the invite. Only in the answer that creates it: the code in it is a secret, stored as a hash.",
      }),
  })
  .openapi("UserInvite");

export type WireUserInvite = z.infer<typeof UserInviteSchema>;

export function toWireInvite(i: UserInvite, inviteUrl?: string): WireUserInvite {
  return {
    id: i.inviteId,
    role: i.role as WireUserInvite["role"],
    tailnetId: Number(i.tailnetId),
    ...(i.inviterId ? { inviterId: Number(i.inviterId) } : {}),
    email: i.email,
    ...(i.lastEmailSentAt ? { lastEmailSentAt: rfc3339(i.lastEmailSentAt) } : {}),
    ...(inviteUrl ? { inviteUrl } : {}),
  };
}

export const InviteIdParam = z.string().min(1).max(64).openapi({ param: { name: "userInviteId", in: "path" }, example: "29214" });

/** Where an invite's code is accepted: `<base>/uinv/<code>`. */
export const invitePath = (code: string) => `/uinv/${code}`;
