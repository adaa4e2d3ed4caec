import { z } from "@hono/zod-openapi";
import { listIntegrations } from "../../domain/posture-integrations.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { PostureIntegrationSchema, toWireIntegration } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/posture/integrations",
  operationId: "getPostureIntegrations",
  tags: ["device posture"],
  summary: "List posture integrations",
  description: "Stored configuration only: tailapi calls no posture provider.",
  scope: "feature_settings:read",
  request: { params: z.object({ tailnet: TailnetParam }) },
  responses: {
    200: { description: "The integrations.", content: { "application/json": { schema: z.object({ integrations: z.array(PostureIntegrationSchema) }) } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    return c.json({ integrations: (await listIntegrations(deps(c), actor)).map(toWireIntegration) }, 200);
  });
}
