import { z } from "@hono/zod-openapi";
import { deleteInvite } from "../../domain/user-invites.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { InviteIdParam } from "./wire.js";

export const route = defineRoute({
  method: "delete",
  path: "/api/v2/user-invites/{userInviteId}",
  operationId: "deleteUserInvite",
  tags: ["user invites"],
  summary: "Delete a user invite",
  description: "The invite's URL stops working at once.",
  scope: "users",
  request: { params: z.object({ userInviteId: InviteIdParam }) },
  responses: {
    200: { description: "Deleted. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await deleteInvite(deps(c), c.get("actor"), c.req.valid("param").userInviteId);
    return c.body(null, 200);
  });
}
