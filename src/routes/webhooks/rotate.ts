import { z } from "@hono/zod-openapi";
import { rotateWebhookSecret } from "../../domain/webhooks.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { EndpointIdParam, toWireWebhook, WebhookSchema } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/webhooks/{endpointId}/rotate",
  operationId: "rotateWebhookSecret",
  tags: ["webhooks"],
  summary: "Rotate a webhook's secret",
  description: "A new signing secret, shown only in this answer; deliveries from now on are signed with it.",
  scope: "webhooks",
  request: { params: z.object({ endpointId: EndpointIdParam }) },
  responses: {
    200: { description: "The endpoint with its new secret.", content: { "application/json": { schema: WebhookSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { row, secret } = await rotateWebhookSecret(deps(c), c.get("actor"), c.req.valid("param").endpointId);
    return c.json(toWireWebhook(row, secret), 200);
  });
}
