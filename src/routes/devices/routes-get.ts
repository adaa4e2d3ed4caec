import { z } from "@hono/zod-openapi";
import { getDeviceRoutes } from "../../domain/devices.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App } from "../define.js";
import { DeviceRoutesSchema } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/device/{deviceId}/routes",
  operationId: "listDeviceRoutes",
  tags: ["devices"],
  summary: "List a device's routes",
  description: "The subnet routes the device advertises, and those that are enabled (approved).",
  scope: "devices:routes:read",
  request: { params: z.object({ deviceId: DeviceIdParam }) },
  responses: {
    200: { description: "The device's routes.", content: { "application/json": { schema: DeviceRoutesSchema } } },
    ...errorResponses,
  },
});

export type DeviceRoutesResponse = z.infer<typeof DeviceRoutesSchema>;

export function register(app: App) {
  app.openapi(route, async (c) => c.json(await getDeviceRoutes(deps(c), c.get("actor"), c.req.valid("param").deviceId), 200));
}
