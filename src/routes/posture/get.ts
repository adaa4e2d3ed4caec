import { z } from "@hono/zod-openapi";
import { getIntegration } from "../../domain/posture-integrations.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { IdParam, PostureIntegrationSchema, toWireIntegration } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/posture/integrations/{id}",
  operationId: "getPostureIntegration",
  tags: ["device posture"],
  summary: "Get a posture integration",
  scope: "feature_settings:read",
  request: { params: z.object({ id: IdParam }) },
  responses: {
    200: { description: "The integration.", content: { "application/json": { schema: PostureIntegrationSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    return c.json(toWireIntegration(await getIntegration(deps(c), c.get("actor"), c.req.valid("param").id)), 200);
  });
}
