import { z } from "@hono/zod-openapi";
import { setDeviceRoutes } from "../../domain/devices.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App } from "../define.js";
import { CidrSchema, DeviceRoutesSchema } from "./wire.js";

const SetRoutesBody = z
  .object({
    routes: z
      .array(CidrSchema)
      .max(1000, "must have at most 1000 entries")
      .nullable()
      .openapi({ description: "The routes to enable (`null` means none). Exit node: `0.0.0.0/0` and `::/0`.", example: ["10.0.0.0/16", "0.0.0.0/0", "::/0"] }),
  })
  .openapi("SetDeviceRoutesRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/device/{deviceId}/routes",
  operationId: "setDeviceRoutes",
  tags: ["devices"],
  summary: "Set a device's enabled routes",
  description:
    "Replaces the device's enabled (approved) subnet routes. Routes the device does not advertise yet may be approved in advance. " +
    "Each entry is an IPv4 or IPv6 prefix with no host bits set; duplicates collapse. Owners and admins only.",
  scope: "devices:routes",
  request: {
    params: z.object({ deviceId: DeviceIdParam }),
    body: { required: true, content: { "application/json": { schema: SetRoutesBody } } },
  },
  responses: {
    200: { description: "The device's routes after the change.", content: { "application/json": { schema: DeviceRoutesSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { deviceId } = c.req.valid("param");
    const { routes } = c.req.valid("json");
    return c.json(await setDeviceRoutes(deps(c), c.get("actor"), deviceId, routes ?? []), 200);
  });
}
