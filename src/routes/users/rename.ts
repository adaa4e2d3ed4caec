import { z } from "@hono/zod-openapi";
import { getUserWithDevices, renameUser } from "../../domain/users.js";
import { deps } from "../../http/context.js";
import { conflictResponse, errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { toWireUser, UserIdParam, UserSchema } from "./wire.js";

const RenameBody = z
  .object({
    loginName: z.string().min(1, "must not be empty").max(256).openapi({ example: "alice2" }),
    displayName: z.string().max(128).optional().openapi({ description: "Default: follows the login name, unless it was set apart from it." }),
  })
  .openapi("RenameUserRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/users/{userId}/rename",
  operationId: "renameUser",
  tags: ["users"],
  summary: "Rename a user",
  description:
    "Changes a user's login name (headscale's `users rename OLD NEW`). Devices keep their owner; policy rules name users by " +
    "login name, so rules naming the old one no longer apply to them. 409 when the new name is taken.",
  scope: "users",
  extension: true,
  request: {
    params: z.object({ userId: UserIdParam }),
    body: { required: true, content: { "application/json": { schema: RenameBody } } },
  },
  responses: {
    200: { description: "The user, renamed.", content: { "application/json": { schema: UserSchema } } },
    ...errorResponses,
    409: conflictResponse,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const d = deps(c);
    const actor = c.get("actor");
    const b = c.req.valid("json");
    const u = await renameUser(d, actor, c.req.valid("param").userId, b.loginName, b.displayName);
    return c.json(toWireUser(await getUserWithDevices(d, actor, u.userId), d.clock.now()), 200);
  });
}
