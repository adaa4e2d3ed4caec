import { z } from "@hono/zod-openapi";
import { restoreUser } from "../../domain/users.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { UserIdParam } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/users/{userId}/restore",
  operationId: "restoreUser",
  tags: ["users"],
  summary: "Restore a user",
  description: "Restores a suspended user: their API keys and personal devices work again. A no-op for a user not suspended.",
  scope: "users",
  request: { params: z.object({ userId: UserIdParam }) },
  responses: {
    200: { description: "Done. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await restoreUser(deps(c), c.get("actor"), c.req.valid("param").userId);
    return c.body(null, 200);
  });
}
