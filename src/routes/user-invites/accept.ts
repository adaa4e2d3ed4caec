import { createRoute, z } from "@hono/zod-openapi";
import { acceptInvite } from "../../domain/user-invites.js";
import { deps, requestLog } from "../../http/context.js";
import { conflictResponse, errorResponses } from "../../http/errors.js";
import { EXTENSION_NOTE, type App } from "../define.js";
import { toWireNewUser, UserSchema } from "../users/wire.js";

const AcceptBody = z
  .object({
    invite: z.string().min(1, "must not be empty").max(512).openapi({ description: "The invite's URL, or the code in it." }),
    loginName: z.string().min(1).max(256).optional().openapi({ example: "bob@example.com", description: "The new user's login name (default: the invite's email)." }),
    displayName: z.string().min(1).max(128).optional(),
  })
  .openapi("AcceptUserInviteRequest");

export const route = createRoute({
  method: "post",
  path: "/api/v2/user-invites/-/accept",
  operationId: "acceptUserInvite",
  tags: ["user invites"],
  summary: "Accept a user invite",
  description:
    "Joins the tailnet through an invite (on Tailscale, the invitee signs in with the identity provider instead). The invite's " +
    "code is the credential: no API key is needed. Creates the user with the invite's role, uses the invite up, and answers " +
    "the user with their first API key (90 days, shown once). 404 for a used, deleted or wrong code; 409 when the login name " +
    "is taken.\n\n" +
    EXTENSION_NOTE,
  "x-tailapi-extension": true,
  request: { body: { required: true, content: { "application/json": { schema: AcceptBody } } } },
  responses: {
    200: {
      description: "The new user and their API key.",
      content: { "application/json": { schema: z.object({ user: UserSchema, apiKey: z.string() }).openapi("AcceptedUserInvite") } },
    },
    400: errorResponses[400],
    404: errorResponses[404],
    409: conflictResponse,
    500: errorResponses[500],
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const d = deps(c);
    const b = c.req.valid("json");
    const r = await acceptInvite(d, b.invite, { loginName: b.loginName, displayName: b.displayName });
    requestLog(c).info({ tailnetId: r.tailnetId, userId: r.user.userId }, "user invite accepted");
    return c.json({ user: toWireNewUser(r.user, d.clock.now()), apiKey: r.apiKey }, 200);
  });
}
