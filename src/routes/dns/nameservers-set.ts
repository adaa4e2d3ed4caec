import { z } from "@hono/zod-openapi";
import { setNameservers } from "../../domain/dns.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { SetNameserversResponse } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/dns/nameservers",
  operationId: "setDnsNameservers",
  tags: ["dns"],
  summary: "Set DNS nameservers",
  scope: "dns",
  request: { params: z.object({ tailnet: TailnetParam }), body: { required: true, content: { "application/json": { schema: z.object({ dns: z.array(z.string().max(2048)).max(1000).nullable() }).openapi("SetDnsNameserversRequest") } } } },
  responses: {
    200: { description: "The DNS setting, as it now is.", content: { "application/json": { schema: SetNameserversResponse } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    const body = c.req.valid("json");
    const r = await setNameservers(deps(c), actor, body.dns ?? []);
    return c.json({ dns: r.nameservers.map((n) => n.address), magicDNS: r.magicDNS }, 200);
  });
}
