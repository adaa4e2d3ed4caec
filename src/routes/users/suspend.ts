import { z } from "@hono/zod-openapi";
import { suspendUser } from "../../domain/users.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { UserIdParam } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/users/{userId}/suspend",
  operationId: "suspendUser",
  tags: ["users"],
  summary: "Suspend a user",
  description: "Suspends a user: their API keys and personal devices stop working until the user is restored (within a second on every replica). The tailnet's last owner cannot be suspended, nor can an API key suspend its own user (400).",
  scope: "users",
  request: { params: z.object({ userId: UserIdParam }) },
  responses: {
    200: { description: "Done. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await suspendUser(deps(c), c.get("actor"), c.req.valid("param").userId);
    return c.body(null, 200);
  });
}
