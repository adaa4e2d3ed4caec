import { z } from "@hono/zod-openapi";
import { deleteDeviceInvite } from "../../domain/sharing.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { InviteIdParam } from "./wire.js";

export const route = defineRoute({
  method: "delete",
  path: "/api/v2/device-invites/{deviceInviteId}",
  operationId: "deleteDeviceInvite",
  tags: ["device invites"],
  summary: "Delete a device invite",
  description: "It can no longer be accepted, and the device stops being shared with those who accepted it.",
  scope: "device_invites",
  request: { params: z.object({ deviceInviteId: InviteIdParam }) },
  responses: {
    200: { description: "Deleted. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await deleteDeviceInvite(deps(c), c.get("actor"), c.req.valid("param").deviceInviteId);
    return c.body(null, 200);
  });
}
