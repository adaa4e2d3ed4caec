import { z } from "@hono/zod-openapi";
import { configurationOf, setDnsConfiguration } from "../../domain/dns.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { DnsConfigurationSchema, toWireConfiguration } from "./wire.js";
import { toDomainConfiguration } from "./split-map.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/dns/configuration",
  operationId: "setDnsConfiguration",
  tags: ["dns"],
  summary: "Replace the whole DNS configuration",
  scope: "dns",
  request: { params: z.object({ tailnet: TailnetParam }), body: { required: true, content: { "application/json": { schema: DnsConfigurationSchema } } } },
  responses: {
    200: { description: "The DNS setting, as it now is.", content: { "application/json": { schema: DnsConfigurationSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    const body = c.req.valid("json");
    const r = await setDnsConfiguration(deps(c), actor, toDomainConfiguration(body));
    return c.json(toWireConfiguration(configurationOf(r)), 200);
  });
}
