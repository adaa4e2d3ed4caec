import { z } from "@hono/zod-openapi";
import { deletePostureAttribute } from "../../domain/posture.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App } from "../define.js";
import { AttributeKeyParam } from "./wire.js";

export const route = defineRoute({
  method: "delete",
  path: "/api/v2/device/{deviceId}/attributes/{attributeKey}",
  operationId: "deleteCustomDevicePostureAttributes",
  tags: ["devices"],
  summary: "Delete a custom posture attribute",
  description: "Deletes a `custom:` attribute; 404 when the device does not hold it. Owners, admins and OAuth tokens only.",
  scope: "devices:posture_attributes",
  request: { params: z.object({ deviceId: DeviceIdParam, attributeKey: AttributeKeyParam }) },
  responses: {
    200: { description: "Deleted. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { deviceId, attributeKey } = c.req.valid("param");
    await deletePostureAttribute(deps(c), c.get("actor"), deviceId, attributeKey);
    return c.body(null, 200);
  });
}
