import { z } from "@hono/zod-openapi";
import { createInvites, INVITE_ROLES } from "../../domain/user-invites.js";
import { deps, publicBase } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { invitePath, toWireInvite, UserInviteSchema } from "./wire.js";

const CreateInvitesBody = z
  .array(
    z.object({
      role: z.enum(INVITE_ROLES, { error: `must be one of ${INVITE_ROLES.join(", ")}` }).default("member"),
      email: z.string().max(256).optional().openapi({ example: "user@example.com" }),
    }),
  )
  .min(1, "must hold at least one invite")
  .max(100, "must hold at most 100 invites")
  .openapi("CreateUserInvitesRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/user-invites",
  operationId: "createUserInvites",
  tags: ["user invites"],
  summary: "Create user invites",
  description:
    "Creates invites to join the tailnet with a role (default member). Each answer carries its `inviteUrl`, shown only here: " +
    "whoever holds it may join once, with `tailapi invites accept <URL>` or `POST /api/v2/user-invites/-/accept`. " +
    "tailapi sends no mail; an invite with an email records when it would have been sent.",
  scope: "users",
  request: {
    params: z.object({ tailnet: TailnetParam }),
    body: { required: true, content: { "application/json": { schema: CreateInvitesBody } } },
  },
  responses: {
    200: { description: "The invites, with their URLs.", content: { "application/json": { schema: z.array(UserInviteSchema) } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    checkTailnet(c.get("actor"), c.req.valid("param").tailnet);
    const made = await createInvites(deps(c), c.get("actor"), c.req.valid("json"));
    const base = publicBase(c);
    return c.json(made.map((m) => toWireInvite(m.invite, base + invitePath(m.code))), 200);
  });
}
