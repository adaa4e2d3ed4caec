import { z } from "@hono/zod-openapi";
import { getPostureAttributes } from "../../domain/posture.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App } from "../define.js";
import { PostureAttributesSchema } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/device/{deviceId}/attributes",
  operationId: "getDevicePostureAttributes",
  tags: ["devices"],
  summary: "Get a device's posture attributes",
  description: "The read-only `node:` attributes derived from the device and its live `custom:` attributes, with the custom ones' expiries.",
  scope: "devices:posture_attributes:read",
  request: { params: z.object({ deviceId: DeviceIdParam }) },
  responses: {
    200: { description: "The device's posture attributes.", content: { "application/json": { schema: PostureAttributesSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => c.json(await getPostureAttributes(deps(c), c.get("actor"), c.req.valid("param").deviceId), 200));
}
