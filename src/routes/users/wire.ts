import { z } from "@hono/zod-openapi";
import { ROLES, userStatus, type User, type UserWithStats } from "../../domain/users.js";
import { rfc3339 } from "../../lib/time.js";
import { wrongType } from "../define.js";

export const RoleSchema = z.enum(ROLES, wrongType(`must be one of ${ROLES.join(", ")}`)).openapi({ example: "member" });

/** The User object (official schema `User`; what the Go client decodes). */
export const UserSchema = z
  .object({
    id: z.string().openapi({ example: "123456", description: "Supply this value wherever {userId} is indicated." }),
    displayName: z.string().openapi({ example: "Alice" }),
    loginName: z.string().openapi({ example: "alice@example.com", description: "The login name (an email, or a headscale-style bare name)." }),
    profilePicUrl: z.string(),
    tailnetId: z.string().openapi({ description: "The tailnet that owns the user (its id)." }),
    created: z.string().openapi({ format: "date-time" }),
    type: z.enum(["member", "shared"]),
    role: RoleSchema,
    status: z.enum(["active", "idle", "suspended", "needs-approval", "over-billing-limit"]),
    deviceCount: z.number().int().openapi({ description: "Personal (untagged) devices the user owns." }),
    lastSeen: z
      .string()
      .optional()
      .openapi({ format: "date-time", description: "The last time one of the user's devices reported (or, for imported users, was seen); absent if never." }),
    currentlyConnected: z.boolean(),
  })
  .openapi("User");

export type WireUser = z.infer<typeof UserSchema>;

export function toWireUser(u: UserWithStats, now: Date): WireUser {
  return {
    id: u.userId,
    displayName: u.displayName,
    loginName: u.loginName,
    profilePicUrl: u.profilePicUrl,
    tailnetId: u.tailnetId,
    created: rfc3339(u.createdAt),
    type: u.type,
    role: u.role,
    status: userStatus(u, now),
    deviceCount: u.deviceCount,
    ...(u.lastSeen ? { lastSeen: u.lastSeen } : {}),
    currentlyConnected: u.currentlyConnected,
  };
}

/** A user just made or renamed: no devices yet (or none counted). */
export function toWireNewUser(u: User, now: Date): WireUser {
  return toWireUser({ ...u, deviceCount: 0, lastSeen: null, currentlyConnected: false }, now);
}

export const UserIdParam = z
  .string()
  .min(1)
  .max(64)
  .openapi({ param: { name: "userId", in: "path" }, example: "123456", description: "ID of the user." });
