import { z } from "@hono/zod-openapi";
import { createUser } from "../../domain/users.js";
import { deps } from "../../http/context.js";
import { conflictResponse, errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { RoleSchema, toWireNewUser, UserSchema } from "./wire.js";

const CreateUserBody = z
  .object({
    loginName: z.string().min(1, "must not be empty").max(256).openapi({ example: "alice", description: "A name (headscale: `alice`) or an email (`alice@example.com`)." }),
    displayName: z.string().max(128).optional().openapi({ description: "Default: the login name's local part." }),
    role: RoleSchema.default("member"),
  })
  .openapi("CreateUserRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/users",
  operationId: "createUser",
  tags: ["users"],
  summary: "Create a user",
  description:
    "Creates a user (headscale's `users create NAME`). On Tailscale users come from the identity provider (or an invite); " +
    "here an administrator makes them. Only owners create owners. 409 when the login name is taken.",
  scope: "users",
  extension: true,
  request: {
    params: z.object({ tailnet: TailnetParam }),
    body: { required: true, content: { "application/json": { schema: CreateUserBody } } },
  },
  responses: {
    200: { description: "The user.", content: { "application/json": { schema: UserSchema } } },
    ...errorResponses,
    409: conflictResponse,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    checkTailnet(c.get("actor"), c.req.valid("param").tailnet);
    const d = deps(c);
    const u = await createUser(d, c.get("actor"), c.req.valid("json"));
    return c.json(toWireNewUser(u, d.clock.now()), 200);
  });
}
