import { z } from "@hono/zod-openapi";
import { setDeviceAuthorized } from "../../domain/devices.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App, wrongType } from "../define.js";
import { EmptySchema } from "./wire.js";

const AuthorizeBody = z
  .object({ authorized: z.boolean(wrongType("must be true or false")).openapi({ example: true }) })
  .openapi("AuthorizeDeviceRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/device/{deviceId}/authorized",
  operationId: "authorizeDevice",
  tags: ["devices"],
  summary: "Authorize or de-authorize a device",
  description: "`true` authorizes the device; `false` de-authorizes it, and the node API then refuses it. Owners and admins only.",
  scope: "devices:core",
  request: {
    params: z.object({ deviceId: DeviceIdParam }),
    body: { required: true, content: { "application/json": { schema: AuthorizeBody } } },
  },
  responses: {
    200: { description: "Done.", content: { "application/json": { schema: EmptySchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await setDeviceAuthorized(deps(c), c.get("actor"), c.req.valid("param").deviceId, c.req.valid("json").authorized);
    return c.json({}, 200);
  });
}
