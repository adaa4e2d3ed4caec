import { z } from "@hono/zod-openapi";
import { getDevice } from "../../domain/devices.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App } from "../define.js";
import { DeviceSchema, FieldsParam, toWireDevice, wantsAll } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/device/{deviceId}",
  operationId: "getDevice",
  tags: ["devices"],
  summary: "Get a device",
  scope: "devices:core:read",
  request: { params: z.object({ deviceId: DeviceIdParam }), query: z.object({ fields: FieldsParam }) },
  responses: {
    200: { description: "The device.", content: { "application/json": { schema: DeviceSchema } } },
    ...errorResponses,
  },
});

export type GetDeviceResponse = z.infer<typeof DeviceSchema>;

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { deviceId } = c.req.valid("param");
    const { fields } = c.req.valid("query");
    const all = wantsAll(fields);
    const device = await getDevice(deps(c), c.get("actor"), deviceId, { all });
    return c.json(toWireDevice(device, all), 200);
  });
}
