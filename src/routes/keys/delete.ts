import { z } from "@hono/zod-openapi";
import { KEY_WRITE_SCOPES, revokeKey } from "../../domain/keys.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { KeyIdParam } from "./get.js";

export const route = defineRoute({
  method: "delete",
  path: "/api/v2/tailnet/{tailnet}/keys/{keyId}",
  operationId: "deleteKey",
  tags: ["keys"],
  summary: "Revoke a key",
  description: "Revokes the key. It stays readable by id, with `invalid: true` and `revoked` set, and leaves the list.",
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
    checkTailnet(c.get("actor"), tailnet);
    await revokeKey(deps(c), c.get("actor"), keyId);
    // Refused on this replica from the next request on; the others hear it from the database.
    c.get("services").credentials.evict(keyId);
    return c.body(null, 200);
  });
}
