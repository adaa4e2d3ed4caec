import { z } from "@hono/zod-openapi";
import { setSearchPaths } from "../../domain/dns.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { SearchPathsSchema } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/dns/searchpaths",
  operationId: "setDnsSearchPaths",
  tags: ["dns"],
  summary: "Set DNS search paths",
  scope: "dns",
  request: { params: z.object({ tailnet: TailnetParam }), body: { required: true, content: { "application/json": { schema: z.object({ searchPaths: z.array(z.string().max(253)).max(1000).nullable() }).openapi("SetDnsSearchPathsRequest") } } } },
  responses: {
    200: { description: "The DNS setting, as it now is.", content: { "application/json": { schema: SearchPathsSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    const body = c.req.valid("json");
    const r = await setSearchPaths(deps(c), actor, body.searchPaths ?? []);
    return c.json({ searchPaths: r.searchPaths }, 200);
  });
}
