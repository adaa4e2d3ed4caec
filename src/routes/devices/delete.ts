import { z } from "@hono/zod-openapi";
import { deleteDevice } from "../../db/devices.js";
import { errorResponses, notFound } from "../../lib/errors.js";
import { defineRoute, DeviceIdParam, type App } from "../define.js";
import { deviceForWrite } from "./access.js";

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
    const { deviceId } = c.req.valid("param");
    const row = await deviceForWrite(c, deviceId);
    if (!(await deleteDevice(c.get("services").sql, row.tailnetId, row.deviceId))) throw notFound();
    return c.body(null, 200);
  });
}
