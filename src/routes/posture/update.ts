import { z } from "@hono/zod-openapi";
import { updateIntegration } from "../../domain/posture-integrations.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { IdParam, PostureIntegrationSchema, toWireIntegration, UpdateIntegrationBody } from "./wire.js";

export const route = defineRoute({
  method: "patch",
  path: "/api/v2/posture/integrations/{id}",
  operationId: "updatePostureIntegration",
  tags: ["device posture"],
  summary: "Update a posture integration",
  description: "Changes the fields given; `provider` is ignored.",
  scope: "feature_settings",
  request: { params: z.object({ id: IdParam }), body: { required: true, content: { "application/json": { schema: UpdateIntegrationBody } } } },
  responses: {
    200: { description: "The integration.", content: { "application/json": { schema: PostureIntegrationSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const row = await updateIntegration(deps(c), c.get("actor"), c.req.valid("param").id, { cloudId: b.cloudId, clientId: b.clientId, tenantId: b.tenantId });
    return c.json(toWireIntegration(row), 200);
  });
}
