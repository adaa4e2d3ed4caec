import { z } from "@hono/zod-openapi";
import type { Key } from "../../domain/keys.js";
import { TAG_PATTERN } from "../../domain/policy.js";
import { rfc3339 } from "../../lib/time.js";

export const TagSchema = z.string().max(100).regex(TAG_PATTERN, "must be tag:<name>, with letters, digits and '-' only");

export const KeyCapabilitiesSchema = z
  .object({
    devices: z.object({
      create: z.object({
        reusable: z.boolean(),
        ephemeral: z.boolean(),
        preauthorized: z.boolean(),
        tags: z.array(z.string()),
      }),
    }),
  })
  .openapi("KeyCapabilities");

/** The Key object (official schema `Key`, plus the fields the Go client reads). */
export const KeySchema = z
  .object({
    id: z.string().openapi({ example: "k123456CNTRL" }),
    key: z.string().optional().openapi({ description: "The secret. Only in the response that creates the key." }),
    keyType: z.enum(["auth", "api", "client"]),
    created: z.string().openapi({ format: "date-time" }),
    updated: z.string().optional().openapi({ format: "date-time" }),
    expires: z.string().optional().openapi({ format: "date-time", description: "Absent for keys that do not expire (OAuth clients)." }),
    expirySeconds: z.number().int().optional(),
    revoked: z.string().optional().openapi({ format: "date-time", description: "Only once revoked." }),
    capabilities: KeyCapabilitiesSchema.optional(),
    scopes: z.array(z.string()).optional(),
    tags: z.array(z.string()).optional(),
    description: z.string(),
    invalid: z.boolean().openapi({ description: "True once revoked or expired." }),
    userId: z.string().optional(),
  })
  .openapi("Key");

export type WireKey = z.infer<typeof KeySchema>;

export function toWireKey(k: Key, now: Date, secret?: string): WireKey {
  const w: WireKey = {
    id: k.keyId,
    keyType: k.keyType as WireKey["keyType"],
    created: rfc3339(k.createdAt),
    description: k.description,
    invalid: k.revokedAt !== null || (k.expiresAt !== null && k.expiresAt.getTime() <= now.getTime()),
  };
  if (secret) w.key = secret;
  if (k.expiresAt) {
    w.expires = rfc3339(k.expiresAt);
    w.expirySeconds = Math.round((k.expiresAt.getTime() - k.createdAt.getTime()) / 1000);
  }
  if (k.revokedAt) w.revoked = rfc3339(k.revokedAt);
  if (k.keyType === "auth") {
    w.capabilities = {
      devices: { create: { reusable: k.reusable, ephemeral: k.ephemeral, preauthorized: k.preauthorized, tags: k.tags } },
    };
  }
  if (k.keyType === "client") {
    w.updated = rfc3339(k.updatedAt);
    w.scopes = k.scopes;
    w.tags = k.tags;
  }
  if (k.userId) w.userId = k.userId;
  return w;
}
