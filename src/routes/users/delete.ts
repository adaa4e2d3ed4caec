import { z } from "@hono/zod-openapi";
import { deleteUser } from "../../domain/users.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { UserIdParam } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/users/{userId}/delete",
  operationId: "deleteUser",
  tags: ["users"],
  summary: "Delete a user",
  description: "Deletes a user, in one transaction, with their personal devices, their API keys and their auth keys. Tagged devices they registered stay (owned by their tags), and so do OAuth clients they created. The tailnet's last owner cannot be deleted, nor can an API key delete its own user (400). Cannot be undone.",
  scope: "users",
  request: { params: z.object({ userId: UserIdParam }) },
  responses: {
    200: { description: "Done. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await deleteUser(deps(c), c.get("actor"), c.req.valid("param").userId);
    return c.body(null, 200);
  });
}
