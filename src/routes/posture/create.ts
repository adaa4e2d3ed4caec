import { z } from "@hono/zod-openapi";
import { createIntegration } from "../../domain/posture-integrations.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { CreateIntegrationBody, PostureIntegrationSchema, toWireIntegration } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/posture/integrations",
  operationId: "createPostureIntegration",
  tags: ["device posture"],
  summary: "Create a posture integration",
  description: "One per provider (409 otherwise). `clientSecret` is required and dropped: tailapi calls no posture provider.",
  scope: "feature_settings",
  request: { params: z.object({ tailnet: TailnetParam }), body: { required: true, content: { "application/json": { schema: CreateIntegrationBody } } } },
  responses: {
    200: { description: "The integration.", content: { "application/json": { schema: PostureIntegrationSchema } } },
    ...errorResponses,
    409: { description: "An integration for this provider exists.", content: { "application/json": { schema: z.object({ message: z.string() }) } } },
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    return c.json(toWireIntegration(await createIntegration(deps(c), actor, c.req.valid("json"))), 200);
  });
}
