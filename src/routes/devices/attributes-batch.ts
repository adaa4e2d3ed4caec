import { z } from "@hono/zod-openapi";
import { patchPostureAttributes } from "../../domain/posture.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { AttributeWriteSchema } from "./wire.js";

const BatchBody = z
  .object({
    nodes: z
      .record(z.string().max(64), z.record(z.string().max(100), AttributeWriteSchema.nullable()))
      .openapi({ description: "By nodeId: attribute key → new value, or `null` to delete it.", example: { nTESTJ31CNTRL: { "custom:tier": { value: "gold" }, "custom:old": null } } }),
    comment: z.string().optional(),
  })
  .openapi("BatchPostureAttributesRequest");

export const route = defineRoute({
  method: "patch",
  path: "/api/v2/tailnet/{tailnet}/device-attributes",
  operationId: "batchUpdateCustomDevicePostureAttributes",
  tags: ["devices"],
  summary: "Set posture attributes of several devices",
  description: "A JSON Merge Patch over several devices' custom posture attributes (`null` deletes one): all of it happens, or none of it.",
  scope: "devices:posture_attributes",
  request: {
    params: z.object({ tailnet: TailnetParam }),
    body: { required: true, content: { "application/json": { schema: BatchBody } } },
  },
  responses: {
    200: { description: "Done. The body is `null`.", content: { "application/json": { schema: z.null() } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    checkTailnet(c.get("actor"), c.req.valid("param").tailnet);
    await patchPostureAttributes(deps(c), c.get("actor"), c.req.valid("json"));
    return c.json(null, 200);
  });
}
