import { z } from "@hono/zod-openapi";
import type { Key } from "../../domain/keys.js";
import type { User } from "../../domain/users.js";
import { KeySchema, toWireKey } from "../keys/wire.js";

/** An auth key as headscale's `preauthkeys list` shows it: Tailscale's Key object, with its user and how often it was used. */
export const AuthKeySchema = KeySchema.extend({
  user: z.string().optional().openapi({ description: "The login name of the user whose devices it registers; absent for a tagged key of no user." }),
  uses: z.number().int().openapi({ description: "Registrations made with it." }),
}).openapi("AuthKeyWithUser");

export type WireAuthKey = z.infer<typeof AuthKeySchema>;

export function toWireAuthKey(k: Key, user: User | undefined, now: Date, secret?: string): WireAuthKey {
  return { ...toWireKey(k, now, secret), ...(user ? { user: user.loginName } : {}), uses: k.uses };
}

export const UserRefQuery = z
  .string()
  .min(1)
  .max(256)
  .optional()
  .openapi({ param: { name: "user", in: "query" }, example: "alice", description: "A user: id, login name, or headscale's bare name." });
