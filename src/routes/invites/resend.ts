import { z } from "@hono/zod-openapi";
import { resendDeviceInvite } from "../../domain/sharing.js";
import { deps } from "../../http/context.js";
import { ErrorSchema, errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { InviteIdParam } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/device-invites/{deviceInviteId}/resend",
  operationId: "resendDeviceInvite",
  tags: ["device invites"],
  summary: "Resend a device invite's email",
  description: "At most once a minute per invite (429 with Retry-After otherwise). No mail leaves the server: the time is recorded as lastEmailSentAt.",
  scope: "device_invites",
  request: { params: z.object({ deviceInviteId: InviteIdParam }) },
  responses: {
    200: { description: "Done. The body is empty." },
    ...errorResponses,
    429: { description: "Resent less than a minute ago.", content: { "application/json": { schema: ErrorSchema } } },
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await resendDeviceInvite(deps(c), c.get("actor"), c.req.valid("param").deviceInviteId);
    return c.body(null, 200);
  });
}
