import { z } from "@hono/zod-openapi";
import { resendInvite } from "../../domain/user-invites.js";
import { deps } from "../../http/context.js";
import { ErrorSchema, errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { InviteIdParam } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/user-invites/{userInviteId}/resend",
  operationId: "resendUserInvite",
  tags: ["user invites"],
  summary: "Resend a user invite",
  description:
    "Only for invites created with an email (else 400), at most once a minute (else 429 with Retry-After). tailapi sends no " +
    "mail: the resend is recorded in `lastEmailSentAt`.",
  scope: "users",
  request: { params: z.object({ userInviteId: InviteIdParam }) },
  responses: {
    200: { description: "Done. The body is empty." },
    ...errorResponses,
    429: { description: "Resent less than a minute ago.", content: { "application/json": { schema: ErrorSchema } } },
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await resendInvite(deps(c), c.get("actor"), c.req.valid("param").userInviteId);
    return c.body(null, 200);
  });
}
