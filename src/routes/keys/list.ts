import { z } from "@hono/zod-openapi";
import { KEY_READ_SCOPES, streamKeys } from "../../domain/keys.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { streamJsonList } from "../../http/stream.js";
import { checkTailnet, defineRoute, TailnetParam, type App, wrongType } from "../define.js";
import { KeySchema, toWireKey } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/keys",
  operationId: "listTailnetKeys",
  tags: ["keys"],
  summary: "List keys",
  description:
    "Lists the tailnet's active (neither revoked nor expired) auth keys and OAuth clients; with `all=true` also API access tokens. " +
    "Only key types the caller may read are listed. Secrets are never included; revoked and expired keys stay readable by id.",
  scope: KEY_READ_SCOPES,
  request: {
    params: z.object({ tailnet: TailnetParam }),
    query: z.object({
      all: z.enum(["true", "false"], wrongType('must be "true" or "false"')).optional().openapi({ description: "`true` also lists API access tokens." }),
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
    const d = deps(c);
    const now = d.clock.now();
    // Written as it is read (a cursor, in batches), like the device list. The body is the route's documented JSON.
    return (await streamJsonList("keys", streamKeys(d, c.get("actor"), { withApiKeys: all === "true" }), (k) => toWireKey(k, now))) as never;
  });
}
