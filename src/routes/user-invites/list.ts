import { z } from "@hono/zod-openapi";
import { listInvites } from "../../domain/user-invites.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { toWireInvite, UserInviteSchema } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/user-invites",
  operationId: "listUserInvites",
  tags: ["user invites"],
  summary: "List user invites",
  description: "The open (not yet accepted) user invites. Their URLs are not shown: an invite's code is shown once, when it is created.",
  scope: "users:read",
  request: { params: z.object({ tailnet: TailnetParam }) },
  responses: {
    200: { description: "The invites.", content: { "application/json": { schema: z.array(UserInviteSchema) } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    checkTailnet(c.get("actor"), c.req.valid("param").tailnet);
    return c.json((await listInvites(deps(c), c.get("actor"))).map((i) => toWireInvite(i)), 200);
  });
}
