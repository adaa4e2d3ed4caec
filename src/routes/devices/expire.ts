import { z } from "@hono/zod-openapi";
import { expireDevice } from "../../domain/devices.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App } from "../define.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/device/{deviceId}/expire",
  operationId: "expireDeviceKey",
  tags: ["devices"],
  summary: "Expire a device's key",
  description:
    "Expires the device's node key now: `expires` shows the time, whatever `keyExpiryDisabled` says, and the node API " +
    "refuses the device until it registers again with its machine key.",
  scope: "devices:core",
  request: { params: z.object({ deviceId: DeviceIdParam }) },
  responses: {
    200: { description: "Expired. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await expireDevice(deps(c), c.get("actor"), c.req.valid("param").deviceId);
    return c.body(null, 200);
  });
}
