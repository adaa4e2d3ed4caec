import { z } from "@hono/zod-openapi";
import { getKey } from "../../db/keys.js";
import { errorResponses, notFound } from "../../lib/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { KEY_READ_SCOPES, KeySchema, requireKeyScope, toWireKey, visibleTo } from "./wire.js";

export const KeyIdParam = z
  .string()
  .min(1)
  .max(64)
  .openapi({ param: { name: "keyId", in: "path" }, example: "k123456CNTRL" });

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/keys/{keyId}",
  operationId: "getKey",
  tags: ["keys"],
  summary: "Get a key",
  description:
    "Reads one key (never its secret). A revoked or expired key stays readable with `invalid: true`. " +
    "Any credential may read the key it is itself (an API key, or an access token's OAuth client).",
  scope: KEY_READ_SCOPES,
  keyInUseParam: "keyId",
  request: { params: z.object({ tailnet: TailnetParam, keyId: KeyIdParam }) },
  responses: {
    200: { description: "The key.", content: { "application/json": { schema: KeySchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { tailnet, keyId } = c.req.valid("param");
    const actor = c.get("actor");
    checkTailnet(actor, tailnet);
    const key = await getKey(c.get("services").sql, actor.tailnetId, keyId);
    if (!key || !visibleTo(actor, key)) throw notFound();
    if (key.keyId !== actor.keyId) requireKeyScope(actor, key, false);
    return c.json(toWireKey(key, c.get("services").clock.now()), 200);
  });
}
