import { z } from "@hono/zod-openapi";
import { testWebhook } from "../../domain/webhooks.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { EndpointIdParam } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/webhooks/{endpointId}/test",
  operationId: "testWebhook",
  tags: ["webhooks"],
  summary: "Send a test event",
  description: "Queues an event of type `test` for the endpoint; it is delivered within seconds, signed like any other.",
  scope: "webhooks",
  request: { params: z.object({ endpointId: EndpointIdParam }) },
  responses: {
    202: { description: "Queued. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await testWebhook(deps(c), c.get("actor"), c.req.valid("param").endpointId);
    return c.body(null, 202);
  });
}
