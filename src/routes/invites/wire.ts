import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { DeviceInvite } from "../../domain/sharing.js";

/** The DeviceInvite object (official schema): ids of tailnet, device and users are JSON numbers there. */
export const DeviceInviteSchema = z
  .object({
    id: z.string().openapi({ example: "12346" }),
    created: z.string().openapi({ format: "date-time" }),
    tailnetId: z.number().int().openapi({ example: 59954 }),
    deviceId: z.number().int().openapi({ example: 11055 }),
    sharerId: z.number().int().openapi({ example: 22012 }),
    multiUse: z.boolean(),
    allowExitNode: z.boolean(),
    email: z.string().optional().openapi({ description: "Only when the invite was made for an email address." }),
    lastEmailSentAt: z.string().optional().openapi({ format: "date-time", description: "When the email would have been sent (tailapi sends no mail)." }),
    inviteUrl: z.string().openapi({ example: "https://tailapi.example.com/admin/invite/3bJQ2dw7XwVgOqFa0QkKl3J8PzTmRcYu" }),
    accepted: z.boolean(),
    acceptedBy: z
      .object({ id: z.number().int(), loginName: z.string(), profilePicUrl: z.string() })
      .optional()
      .openapi({ description: "The latest user who accepted it." }),
  })
  .openapi("DeviceInvite");

export type WireInvite = z.infer<typeof DeviceInviteSchema>;

/** Where invite links point: this server's own origin (its console accepts them). */
export function inviteBase(c: Context): string {
  return `${new URL(c.req.url).origin}/admin/invite/`;
}

export function toWireInvite(i: DeviceInvite, base: string): WireInvite {
  return {
    id: i.inviteId,
    created: i.created,
    tailnetId: Number(i.tailnetId),
    deviceId: Number(i.deviceId),
    sharerId: Number(i.sharerUserId),
    multiUse: i.multiUse,
    allowExitNode: i.allowExitNode,
    ...(i.email ? { email: i.email } : {}),
    ...(i.email && i.lastEmailSentAt ? { lastEmailSentAt: i.lastEmailSentAt } : {}),
    inviteUrl: base + i.code,
    accepted: i.acceptCount > 0,
    ...(i.acceptedBy ? { acceptedBy: { id: Number(i.acceptedBy.userId), loginName: i.acceptedBy.loginName, profilePicUrl: "" } } : {}),
  };
}

export const InviteIdParam = z
  .string()
  .min(1)
  .max(32)
  .openapi({ param: { name: "deviceInviteId", in: "path" }, example: "12346" });
