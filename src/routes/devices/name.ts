import { z } from "@hono/zod-openapi";
import { setDeviceName } from "../../domain/devices.js";
import { deps } from "../../http/context.js";
import { conflictResponse, errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App, wrongType } from "../define.js";
import { EmptySchema } from "./wire.js";

const SetNameBody = z
  .object({
    name: z
      .string(wrongType("must be a string"))
      .max(253, "must be at most 253 characters")
      .optional()
      .openapi({ description: "A DNS label, or the tailnet FQDN of one. Empty or absent: back to the name derived from the hostname.", example: "web-1" }),
  })
  .openapi("SetDeviceNameRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/device/{deviceId}/name",
  operationId: "setDeviceName",
  tags: ["devices"],
  summary: "Rename a device",
  description: "Sets the device's MagicDNS name. A name held by another device of the tailnet is a 409.",
  scope: "devices:core",
  request: {
    params: z.object({ deviceId: DeviceIdParam }),
    body: { required: true, content: { "application/json": { schema: SetNameBody } } },
  },
  responses: {
    200: { description: "Renamed.", content: { "application/json": { schema: EmptySchema } } },
    ...errorResponses,
    409: conflictResponse,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await setDeviceName(deps(c), c.get("actor"), c.req.valid("param").deviceId, c.req.valid("json").name);
    return c.json({}, 200);
  });
}
