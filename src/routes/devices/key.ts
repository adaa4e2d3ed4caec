import { z } from "@hono/zod-openapi";
import { setDeviceKeyExpiry } from "../../domain/devices.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App, wrongType } from "../define.js";
import { EmptySchema } from "./wire.js";

const UpdateKeyBody = z
  .object({
    keyExpiryDisabled: z
      .boolean(wrongType("must be true or false"))
      .optional()
      .openapi({ description: "`true` disables key expiry, `false` enables it again. Absent: no change.", example: true }),
  })
  .openapi("UpdateDeviceKeyRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/device/{deviceId}/key",
  operationId: "updateDeviceKey",
  tags: ["devices"],
  summary: "Disable or enable a device's key expiry",
  description: "The device keeps its original expiry either way: enabling expiry again restores it, even if it has passed. Owners and admins only.",
  scope: "devices:core",
  request: {
    params: z.object({ deviceId: DeviceIdParam }),
    body: { required: true, content: { "application/json": { schema: UpdateKeyBody } } },
  },
  responses: {
    200: { description: "Done.", content: { "application/json": { schema: EmptySchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await setDeviceKeyExpiry(deps(c), c.get("actor"), c.req.valid("param").deviceId, c.req.valid("json").keyExpiryDisabled);
    return c.json({}, 200);
  });
}
