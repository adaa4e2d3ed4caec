import { z } from "@hono/zod-openapi";
import { getUserWithDevices } from "../../domain/users.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";
import { toWireUser, UserIdParam, UserSchema } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/users/{userId}",
  operationId: "getUser",
  tags: ["users"],
  summary: "Get a user",
  scope: "users:read",
  request: { params: z.object({ userId: UserIdParam }) },
  responses: {
    200: { description: "The user.", content: { "application/json": { schema: UserSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const d = deps(c);
    const u = await getUserWithDevices(d, c.get("actor"), c.req.valid("param").userId);
    return c.json(toWireUser(u, d.clock.now()), 200);
  });
}
