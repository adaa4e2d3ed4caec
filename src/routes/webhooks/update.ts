import { z } from "@hono/zod-openapi";
import { updateWebhook } from "../../domain/webhooks.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { EndpointIdParam, SubscriptionsSchema, toWireWebhook, WebhookSchema } from "./wire.js";

export const route = defineRoute({
  method: "patch",
  path: "/api/v2/webhooks/{endpointId}",
  operationId: "updateWebhook",
  tags: ["webhooks"],
  summary: "Update a webhook's subscriptions",
  scope: "webhooks",
  request: {
    params: z.object({ endpointId: EndpointIdParam }),
    body: { required: true, content: { "application/json": { schema: z.object({ subscriptions: SubscriptionsSchema }).openapi("UpdateWebhookRequest") } } },
  },
  responses: {
    200: { description: "The endpoint, as it now is.", content: { "application/json": { schema: WebhookSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const row = await updateWebhook(deps(c), c.get("actor"), c.req.valid("param").endpointId, c.req.valid("json").subscriptions);
    return c.json(toWireWebhook(row), 200);
  });
}
