import { z } from "@hono/zod-openapi";
import { getWebhook } from "../../domain/webhooks.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { EndpointIdParam, toWireWebhook, WebhookSchema } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/webhooks/{endpointId}",
  operationId: "getWebhook",
  tags: ["webhooks"],
  summary: "Get a webhook",
  scope: "webhooks:read",
  request: { params: z.object({ endpointId: EndpointIdParam }) },
  responses: {
    200: { description: "The endpoint (never its secret).", content: { "application/json": { schema: WebhookSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    return c.json(toWireWebhook(await getWebhook(deps(c), c.get("actor"), c.req.valid("param").endpointId)), 200);
  });
}
