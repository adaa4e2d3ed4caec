import { z } from "@hono/zod-openapi";
import { getKey, updateClient } from "../../db/keys.js";
import { badRequest, errorResponses, notFound } from "../../lib/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { checkClientGrant } from "./client.js";
import { KeyIdParam } from "./get.js";
import { KeySchema, TagSchema, toWireKey, visibleTo } from "./wire.js";

const UpdateKeyBody = z
  .object({
    keyType: z.enum(["client"]).optional(),
    scopes: z.array(z.string().max(64)).max(100),
    tags: z.array(TagSchema).max(50).nullish(),
    description: z.string().max(50).nullish(),
  })
  .openapi("UpdateKeyRequest");

export const route = defineRoute({
  method: "put",
  path: "/api/v2/tailnet/{tailnet}/keys/{keyId}",
  operationId: "setKey",
  tags: ["keys"],
  summary: "Update an OAuth client",
  description: "Replaces an OAuth client's scopes, tags and description. Tokens already minted keep only the scopes the client still holds.",
  scope: "oauth_keys",
  request: {
    params: z.object({ tailnet: TailnetParam, keyId: KeyIdParam }),
    body: { required: true, content: { "application/json": { schema: UpdateKeyBody } } },
  },
  responses: {
    200: { description: "The updated client.", content: { "application/json": { schema: KeySchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { tailnet, keyId } = c.req.valid("param");
    const body = c.req.valid("json");
    const actor = c.get("actor");
    checkTailnet(actor, tailnet);
    const { sql, clock } = c.get("services");
    const key = await getKey(sql, actor.tailnetId, keyId);
    if (!key || !visibleTo(actor, key)) throw notFound();
    if (key.keyType !== "client") throw badRequest(`only OAuth clients can be updated; this key is of type ${key.keyType}`);
    const tags = body.tags ?? [];
    checkClientGrant(actor, body.scopes, tags);
    const now = clock.now();
    const row = await updateClient(sql, actor.tailnetId, keyId, { scopes: [...new Set(body.scopes)], tags: [...new Set(tags)].sort(), description: body.description ?? "" }, now);
    if (!row) throw notFound();
    return c.json(toWireKey(row, now), 200);
  });
}
