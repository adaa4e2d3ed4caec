import { z } from "@hono/zod-openapi";
import { getDeviceInvite } from "../../domain/sharing.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { DeviceInviteSchema, InviteIdParam, inviteBase, toWireInvite } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/device-invites/{deviceInviteId}",
  operationId: "getDeviceInvite",
  tags: ["device invites"],
  summary: "Get a device invite",
  scope: "device_invites:read",
  request: { params: z.object({ deviceInviteId: InviteIdParam }) },
  responses: {
    200: { description: "The invite.", content: { "application/json": { schema: DeviceInviteSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => c.json(toWireInvite(await getDeviceInvite(deps(c), c.get("actor"), c.req.valid("param").deviceInviteId), inviteBase(c)), 200));
}
