import { z } from "@hono/zod-openapi";
import { getInvite } from "../../domain/user-invites.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { InviteIdParam, toWireInvite, UserInviteSchema } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/user-invites/{userInviteId}",
  operationId: "getUserInvite",
  tags: ["user invites"],
  summary: "Get a user invite",
  scope: "users:read",
  request: { params: z.object({ userInviteId: InviteIdParam }) },
  responses: {
    200: { description: "The invite.", content: { "application/json": { schema: UserInviteSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => c.json(toWireInvite(await getInvite(deps(c), c.get("actor"), c.req.valid("param").userInviteId)), 200));
}
