import { z } from "@hono/zod-openapi";
import { NOT_SYNCING, PROVIDERS, type PostureIntegration } from "../../domain/posture-integrations.js";

export const PostureIntegrationSchema = z
  .object({
    id: z.string(),
    provider: z.enum(PROVIDERS),
    cloudId: z.string(),
    clientId: z.string(),
    tenantId: z.string(),
    configUpdated: z.string().openapi({ format: "date-time" }),
    status: z.object({
      error: z.string(),
      providerHostCount: z.number().int(),
      matchedCount: z.number().int(),
      possibleMatchedCount: z.number().int(),
    }),
  })
  .openapi("PostureIntegration");

const field = (max: number) => z.string().max(max, `must be at most ${max} characters`).optional();

export const CreateIntegrationBody = z
  .object({
    provider: z.enum(PROVIDERS, { message: `must be one of ${PROVIDERS.join(", ")}` }),
    cloudId: field(256),
    clientId: field(256),
    tenantId: field(256),
    clientSecret: field(4096).openapi({ description: "Required; accepted and dropped (tailapi calls no provider)." }),
  })
  .openapi("CreatePostureIntegrationRequest");

export const UpdateIntegrationBody = z
  .object({
    provider: z.string().optional().openapi({ description: "Ignored, as on Tailscale." }),
    cloudId: field(256),
    clientId: field(256),
    tenantId: field(256),
    clientSecret: field(4096).nullable(),
  })
  .openapi("UpdatePostureIntegrationRequest");

export const IdParam = z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" }, example: "p56wQiqrn7mfKTM59" });

export function toWireIntegration(p: PostureIntegration): z.infer<typeof PostureIntegrationSchema> {
  return {
    id: p.id,
    provider: p.provider as z.infer<typeof PostureIntegrationSchema>["provider"],
    cloudId: p.cloudId,
    clientId: p.clientId,
    tenantId: p.tenantId,
    configUpdated: p.updatedAt.toISOString(),
    status: { error: NOT_SYNCING, providerHostCount: 0, matchedCount: 0, possibleMatchedCount: 0 },
  };
}
