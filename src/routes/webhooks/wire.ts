import { z } from "@hono/zod-openapi";
import { SUBSCRIPTION_NAMES } from "../../domain/events.js";
import { PROVIDER_TYPES, type Webhook } from "../../domain/webhooks.js";
import { rfc3339 } from "../../lib/time.js";

export const SubscriptionsSchema = z
  .array(z.string().max(64))
  .max(64)
  .openapi({ description: `Events that trigger a POST: ${SUBSCRIPTION_NAMES.join(", ")} (categories include events added later).`, example: ["nodeCreated", "userDeleted"] });

export const ProviderTypeSchema = z
  .enum(PROVIDER_TYPES, { message: 'must be "", slack, mattermost, googlechat or discord' })
  .openapi({ description: "Send events in this chat service's format; empty for Tailscale's JSON events." });

export const WebhookSchema = z
  .object({
    endpointId: z.string(),
    endpointUrl: z.string(),
    providerType: z
      .enum(PROVIDER_TYPES)
      .optional()
      .openapi({ description: "The chat service the events are formatted for; absent for Tailscale's own JSON events (Go clients read it as \"\")." }),
    creatorLoginName: z.string(),
    created: z.string().openapi({ format: "date-time" }),
    lastModified: z.string().openapi({ format: "date-time" }),
    subscriptions: z.array(z.string()),
    secret: z.string().optional().openapi({ description: "The signing secret: only in the answers that create or rotate it." }),
  })
  .openapi("Webhook");

export const EndpointIdParam = z
  .string()
  .min(1)
  .max(64)
  .openapi({ param: { name: "endpointId", in: "path" }, example: "123456789012" });

export function toWireWebhook(w: Webhook, secret?: string): z.infer<typeof WebhookSchema> {
  const out: z.infer<typeof WebhookSchema> = {
    endpointId: w.endpointId,
    endpointUrl: w.endpointUrl,
    creatorLoginName: w.creatorLogin,
    created: rfc3339(w.createdAt),
    lastModified: rfc3339(w.updatedAt),
    subscriptions: w.subscriptions,
  };
  if (w.providerType) out.providerType = w.providerType as z.infer<typeof ProviderTypeSchema>;
  if (secret) out.secret = secret;
  return out;
}
