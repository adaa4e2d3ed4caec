import { z } from "@hono/zod-openapi";
import { createDeviceInvites } from "../../domain/sharing.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App } from "../define.js";
import { DeviceInviteSchema, inviteBase, toWireInvite } from "./wire.js";

const CreateInvitesBody = z
  .array(
    z.object({
      multiUse: z.boolean().optional().openapi({ description: "Whether it can be accepted more than once (up to 1,000 times)." }),
      allowExitNode: z.boolean().optional(),
      email: z.string().max(254).optional().openapi({ description: "Who it is for. No mail is sent: the answer's inviteUrl is what to pass on." }),
    }),
  )
  .min(1, "must hold at least one invite")
  .max(100, "must hold at most 100 invites")
  .openapi("CreateDeviceInvitesRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/device/{deviceId}/device-invites",
  operationId: "createDeviceInvites",
  tags: ["device invites"],
  summary: "Invite users of other tailnets to a device",
  description:
    "Creates one invite per entry and answers them. Anyone with an invite's URL (or its code) can accept it from another " +
    "tailnet. Needs a user's API key (a member may share only their own untagged devices).",
  scope: "device_invites",
  request: {
    params: z.object({ deviceId: DeviceIdParam }),
    body: { required: true, content: { "application/json": { schema: CreateInvitesBody } } },
  },
  responses: {
    200: { description: "The new invites.", content: { "application/json": { schema: z.array(DeviceInviteSchema) } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const invites = await createDeviceInvites(deps(c), c.get("actor"), c.req.valid("param").deviceId, c.req.valid("json"));
    const base = inviteBase(c);
    return c.json(invites.map((i) => toWireInvite(i, base)), 200);
  });
}
