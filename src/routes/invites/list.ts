import { z } from "@hono/zod-openapi";
import { listDeviceInvites } from "../../domain/sharing.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App } from "../define.js";
import { DeviceInviteSchema, inviteBase, toWireInvite } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/device/{deviceId}/device-invites",
  operationId: "listDeviceInvites",
  tags: ["device invites"],
  summary: "List a device's invites",
  scope: "device_invites:read",
  request: { params: z.object({ deviceId: DeviceIdParam }) },
  responses: {
    200: { description: "The device's invites (a bare array).", content: { "application/json": { schema: z.array(DeviceInviteSchema) } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const invites = await listDeviceInvites(deps(c), c.get("actor"), c.req.valid("param").deviceId);
    const base = inviteBase(c);
    return c.json(invites.map((i) => toWireInvite(i, base)), 200);
  });
}
