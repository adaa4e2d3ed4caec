import { z } from "@hono/zod-openapi";
import { removeIntegration } from "../../domain/posture-integrations.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { IdParam } from "./wire.js";

export const route = defineRoute({
  method: "delete",
  path: "/api/v2/posture/integrations/{id}",
  operationId: "deletePostureIntegration",
  tags: ["device posture"],
  summary: "Delete a posture integration",
  scope: "feature_settings",
  request: { params: z.object({ id: IdParam }) },
  responses: {
    200: { description: "Deleted. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await removeIntegration(deps(c), c.get("actor"), c.req.valid("param").id);
    return c.body(null, 200);
  });
}
