import { z } from "@hono/zod-openapi";
import { listWebhooks } from "../../domain/webhooks.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { toWireWebhook, WebhookSchema } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/webhooks",
  operationId: "listWebhooks",
  tags: ["webhooks"],
  summary: "List webhooks",
  scope: "webhooks:read",
  request: { params: z.object({ tailnet: TailnetParam }) },
  responses: {
    200: { description: "The tailnet's webhook endpoints (never their secrets).", content: { "application/json": { schema: z.object({ webhooks: z.array(WebhookSchema) }) } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    const rows = await listWebhooks(deps(c), actor);
    return c.json({ webhooks: rows.map((w) => toWireWebhook(w)) }, 200);
  });
}
