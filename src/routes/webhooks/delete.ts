import { z } from "@hono/zod-openapi";
import { deleteWebhook } from "../../domain/webhooks.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { EndpointIdParam } from "./wire.js";

export const route = defineRoute({
  method: "delete",
  path: "/api/v2/webhooks/{endpointId}",
  operationId: "deleteWebhook",
  tags: ["webhooks"],
  summary: "Delete a webhook",
  description: "Deletes the endpoint; events queued for it are dropped.",
  scope: "webhooks",
  request: { params: z.object({ endpointId: EndpointIdParam }) },
  responses: {
    200: { description: "Deleted. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await deleteWebhook(deps(c), c.get("actor"), c.req.valid("param").endpointId);
    return c.body(null, 200);
  });
}
