import { z } from "@hono/zod-openapi";
import { createWebhook } from "../../domain/webhooks.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { ProviderTypeSchema, SubscriptionsSchema, toWireWebhook, WebhookSchema } from "./wire.js";

const CreateWebhookBody = z
  .object({
    endpointUrl: z.string().min(1, "is required").max(2048, "must be at most 2048 characters"),
    providerType: ProviderTypeSchema.optional(),
    subscriptions: SubscriptionsSchema,
  })
  .openapi("CreateWebhookRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/webhooks",
  operationId: "createWebhook",
  tags: ["webhooks"],
  summary: "Create a webhook",
  description:
    "Creates an endpoint that receives the subscribed events as signed POSTs (`Tailscale-Webhook-Signature`). " +
    "The answer carries the signing `secret`, shown only here and on rotation. Only http(s) URLs; loopback, " +
    "link-local and private addresses are refused unless the operator allows them (TAILAPI_OUTBOUND_ALLOW).",
  scope: "webhooks",
  request: {
    params: z.object({ tailnet: TailnetParam }),
    body: { required: true, content: { "application/json": { schema: CreateWebhookBody } } },
  },
  responses: {
    200: { description: "The new endpoint, with its secret.", content: { "application/json": { schema: WebhookSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    const b = c.req.valid("json");
    const { row, secret } = await createWebhook(deps(c), actor, { endpointUrl: b.endpointUrl, providerType: b.providerType ?? "", subscriptions: b.subscriptions });
    return c.json(toWireWebhook(row, secret), 200);
  });
}
