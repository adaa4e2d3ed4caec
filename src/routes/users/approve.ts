import { z } from "@hono/zod-openapi";
import { approveUser } from "../../domain/users.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { UserIdParam } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/users/{userId}/approve",
  operationId: "approveUser",
  tags: ["users"],
  summary: "Approve a user",
  description: "Approves a user waiting for approval. A no-op for a user already approved.",
  scope: "users",
  request: { params: z.object({ userId: UserIdParam }) },
  responses: {
    200: { description: "Done. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await approveUser(deps(c), c.get("actor"), c.req.valid("param").userId);
    return c.body(null, 200);
  });
}
