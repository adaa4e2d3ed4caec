import { z } from "@hono/zod-openapi";
import { setUserRoleOf } from "../../domain/users.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { RoleSchema, UserIdParam } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/users/{userId}/role",
  operationId: "updateUserRole",
  tags: ["users"],
  summary: "Update a user's role",
  description:
    "Only an owner gives or takes the owner role, or changes an owner; owners and admins change admins; IT admins the roles " +
    "below admin. The tailnet's last owner cannot be demoted (400).",
  scope: "users",
  request: {
    params: z.object({ userId: UserIdParam }),
    body: { required: true, content: { "application/json": { schema: z.object({ role: RoleSchema }).openapi("UpdateUserRoleRequest") } } },
  },
  responses: {
    200: { description: "Done. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await setUserRoleOf(deps(c), c.get("actor"), c.req.valid("param").userId, c.req.valid("json").role);
    return c.body(null, 200);
  });
}
