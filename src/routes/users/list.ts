import { z } from "@hono/zod-openapi";
import { ROLES, streamUsersWithDevices } from "../../domain/users.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { streamJsonList } from "../../http/stream.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { toWireUser, UserSchema } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/users",
  operationId: "listUsers",
  tags: ["users"],
  summary: "List users",
  description: "The tailnet's users. `type` filters by relation (default `member`; `all` for every user), `role` by role (default `all`).",
  scope: "users:read",
  request: {
    params: z.object({ tailnet: TailnetParam }),
    query: z.object({
      type: z
        .enum(["member", "shared", "all"], { error: "must be member, shared or all" })
        .optional()
        .openapi({ param: { name: "type", in: "query" }, example: "member" }),
      role: z
        .enum([...ROLES, "all"], { error: `must be one of ${[...ROLES, "all"].join(", ")}` })
        .optional()
        .openapi({ param: { name: "role", in: "query" }, example: "all" }),
    }),
  },
  responses: {
    200: { description: "The users.", content: { "application/json": { schema: z.object({ users: z.array(UserSchema) }).openapi("UserList") } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    checkTailnet(c.get("actor"), c.req.valid("param").tailnet);
    const d = deps(c);
    const now = d.clock.now();
    // Written as it is read (a cursor, in batches), like the device list. The body is the route's documented JSON.
    return (await streamJsonList("users", streamUsersWithDevices(d, c.get("actor"), c.req.valid("query")), (u) => toWireUser(u, now))) as never;
  });
}
