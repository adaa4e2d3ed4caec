import { z } from "@hono/zod-openapi";
import { getKey, KEY_READ_SCOPES } from "../../domain/keys.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { KeySchema, toWireKey } from "./wire.js";

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
    checkTailnet(c.get("actor"), tailnet);
    const d = deps(c);
    return c.json(toWireKey(await getKey(d, c.get("actor"), keyId), d.clock.now()), 200);
  });
}
