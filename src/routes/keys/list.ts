import { z } from "@hono/zod-openapi";
import { listKeys } from "../../db/keys.js";
import { errorResponses } from "../../lib/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { KEY_READ_SCOPES, KeySchema, readableTypes, toWireKey, visibleTo } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/keys",
  operationId: "listTailnetKeys",
  tags: ["keys"],
  summary: "List keys",
  description:
    "Lists the tailnet's auth keys and OAuth clients; with `all=true` also API access tokens. Only key types the caller may read are listed. Secrets are never included.",
  scope: KEY_READ_SCOPES,
  request: {
    params: z.object({ tailnet: TailnetParam }),
    query: z.object({
      all: z.enum(["true", "false"]).optional().openapi({ description: "`true` also lists API access tokens." }),
    }),
  },
  responses: {
    200: { description: "The keys.", content: { "application/json": { schema: z.object({ keys: z.array(KeySchema) }) } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { tailnet } = c.req.valid("param");
    const { all } = c.req.valid("query");
    checkTailnet(c.get("actor"), tailnet);
    const actor = c.get("actor");
    const types = readableTypes(actor).filter((t) => all === "true" || t !== "api");
    const now = c.get("services").clock.now();
    const rows = types.length ? await listKeys(c.get("services").sql, actor.tailnetId, types) : [];
    // Only the key types the caller's scopes can read, and for members only their own keys.
    return c.json({ keys: rows.filter((k) => visibleTo(actor, k)).map((k) => toWireKey(k, now)) }, 200);
  });
}
