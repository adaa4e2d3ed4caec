import { z } from "@hono/zod-openapi";
import { updateSplitDns } from "../../domain/dns.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { SplitDnsResponse, SplitDnsSchema } from "./wire.js";
import { splitMap } from "./split-map.js";

export const route = defineRoute({
  method: "put",
  path: "/api/v2/tailnet/{tailnet}/dns/split-dns",
  operationId: "setSplitDns",
  tags: ["dns"],
  summary: "Replace split DNS",
  scope: "dns",
  request: { params: z.object({ tailnet: TailnetParam }), body: { required: true, content: { "application/json": { schema: SplitDnsSchema } } } },
  responses: {
    200: { description: "The DNS setting, as it now is.", content: { "application/json": { schema: SplitDnsResponse } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    const body = c.req.valid("json");
    const r = await updateSplitDns(deps(c), actor, body, true);
    return c.json(splitMap(r), 200);
  });
}
