import { z } from "@hono/zod-openapi";
import { updateOAuthClient } from "../../domain/keys.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App, wrongType } from "../define.js";
import { KeyIdParam } from "./get.js";
import { KeySchema, TagSchema, toWireKey } from "./wire.js";

const UpdateKeyBody = z
  .object({
    keyType: z.enum(["client"], wrongType('must be "client"')).optional(),
    scopes: z.array(z.string().max(64)).max(100),
    tags: z.array(TagSchema).max(50).nullish(),
    description: z.string().max(50, "must be at most 50 characters").nullish(),
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
    checkTailnet(c.get("actor"), tailnet);
    const d = deps(c);
    const row = await updateOAuthClient(d, c.get("actor"), keyId, { scopes: body.scopes, tags: body.tags ?? [], description: body.description ?? "" });
    return c.json(toWireKey(row, d.clock.now()), 200);
  });
}
