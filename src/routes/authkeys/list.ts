import { z } from "@hono/zod-openapi";
import { listAuthKeys } from "../../domain/keys.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { AuthKeySchema, toWireAuthKey, UserRefQuery } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/auth-keys",
  operationId: "listAuthKeys",
  tags: ["keys"],
  summary: "List auth keys in every state",
  description:
    "Every auth key the caller may read, used, expired and revoked ones included (headscale's `preauthkeys list`), with " +
    "its user and use count; `user` narrows to one user's keys. Tailscale's `GET /tailnet/{tailnet}/keys` lists active keys only.",
  scope: "auth_keys:read",
  extension: true,
  request: { params: z.object({ tailnet: TailnetParam }), query: z.object({ user: UserRefQuery }) },
  responses: {
    200: { description: "The keys.", content: { "application/json": { schema: z.object({ keys: z.array(AuthKeySchema) }).openapi("AuthKeyList") } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    checkTailnet(c.get("actor"), c.req.valid("param").tailnet);
    const d = deps(c);
    const now = d.clock.now();
    const rows = await listAuthKeys(d, c.get("actor"), c.req.valid("query").user);
    return c.json({ keys: rows.map((r) => toWireAuthKey(r.key, r.user, now)) }, 200);
  });
}
