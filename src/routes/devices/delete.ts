import { z } from "@hono/zod-openapi";
import { deleteDevice } from "../../domain/devices.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App } from "../define.js";

export const route = defineRoute({
  method: "delete",
  path: "/api/v2/device/{deviceId}",
  operationId: "deleteDevice",
  tags: ["devices"],
  summary: "Delete a device",
  scope: "devices:core",
  request: { params: z.object({ deviceId: DeviceIdParam }) },
  responses: {
    200: { description: "Deleted. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await deleteDevice(deps(c), c.get("actor"), c.req.valid("param").deviceId);
    return c.body(null, 200);
  });
}
