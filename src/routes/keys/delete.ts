import { z } from "@hono/zod-openapi";
import { getKey, revokeKey } from "../../db/keys.js";
import { errorResponses, notFound } from "../../lib/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { KeyIdParam } from "./get.js";
import { KEY_WRITE_SCOPES, requireKeyScope, visibleTo } from "./wire.js";

export const route = defineRoute({
  method: "delete",
  path: "/api/v2/tailnet/{tailnet}/keys/{keyId}",
  operationId: "deleteKey",
  tags: ["keys"],
  summary: "Revoke a key",
  description: "Revokes the key. It stays readable, with `invalid: true` and `revoked` set.",
  scope: KEY_WRITE_SCOPES,
  request: { params: z.object({ tailnet: TailnetParam, keyId: KeyIdParam }) },
  responses: {
    200: { description: "Revoked. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { tailnet, keyId } = c.req.valid("param");
    const actor = c.get("actor");
    checkTailnet(actor, tailnet);
    const { sql, clock } = c.get("services");
    const key = await getKey(sql, actor.tailnetId, keyId);
    if (!key || !visibleTo(actor, key)) throw notFound();
    requireKeyScope(actor, key, true);
    await revokeKey(sql, actor.tailnetId, keyId, clock.now());
    return c.body(null, 200);
  });
}
