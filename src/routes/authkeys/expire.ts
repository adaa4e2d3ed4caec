import { z } from "@hono/zod-openapi";
import { expireAuthKey } from "../../domain/keys.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { AuthKeySchema, toWireAuthKey, UserRefQuery } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/auth-keys/{keyId}/expire",
  operationId: "expireAuthKey",
  tags: ["keys"],
  summary: "Expire an auth key now",
  description:
    "headscale's `preauthkeys expire`: the key registers nothing more and shows as expired (`invalid: true`). With `user`, " +
    "the key must be that user's (else 404). Expiring an expired key changes nothing.",
  scope: "auth_keys",
  extension: true,
  request: {
    params: z.object({ tailnet: TailnetParam, keyId: z.string().min(1).max(64).openapi({ param: { name: "keyId", in: "path" }, example: "k123456CNTRL" }) }),
    query: z.object({ user: UserRefQuery }),
  },
  responses: {
    200: { description: "The key, expired.", content: { "application/json": { schema: AuthKeySchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { tailnet, keyId } = c.req.valid("param");
    checkTailnet(c.get("actor"), tailnet);
    const d = deps(c);
    const r = await expireAuthKey(d, c.get("actor"), keyId, c.req.valid("query").user);
    return c.json(toWireAuthKey(r.key, r.user, d.clock.now()), 200);
  });
}
