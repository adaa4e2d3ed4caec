import { z } from "@hono/zod-openapi";
import { setDeviceIPv4 } from "../../domain/devices.js";
import { deps } from "../../http/context.js";
import { conflictResponse, errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App, wrongType } from "../define.js";
import { EmptySchema } from "./wire.js";

const SetIpBody = z
  .object({ ipv4: z.string(wrongType("must be a string")).max(64, "must be at most 64 characters").openapi({ example: "100.80.0.1" }) })
  .openapi("SetDeviceIpRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/device/{deviceId}/ip",
  operationId: "setDeviceIp",
  tags: ["devices"],
  summary: "Set a device's IPv4 address",
  description:
    "The address must be inside 100.64.0.0/10, outside 100.100.100.0/24 and 100.115.92.0/23, and not held by another device " +
    "of the tailnet (409). Owners and admins only.",
  scope: "devices:core",
  request: {
    params: z.object({ deviceId: DeviceIdParam }),
    body: { required: true, content: { "application/json": { schema: SetIpBody } } },
  },
  responses: {
    200: { description: "Done.", content: { "application/json": { schema: EmptySchema } } },
    ...errorResponses,
    409: conflictResponse,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await setDeviceIPv4(deps(c), c.get("actor"), c.req.valid("param").deviceId, c.req.valid("json").ipv4);
    return c.json({}, 200);
  });
}
