import { z } from "@hono/zod-openapi";
import { setMagicDns } from "../../domain/dns.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { PreferencesSchema } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/dns/preferences",
  operationId: "setDnsPreferences",
  tags: ["dns"],
  summary: "Set DNS preferences (MagicDNS)",
  scope: "dns",
  request: { params: z.object({ tailnet: TailnetParam }), body: { required: true, content: { "application/json": { schema: PreferencesSchema } } } },
  responses: {
    200: { description: "The DNS setting, as it now is.", content: { "application/json": { schema: PreferencesSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    const body = c.req.valid("json");
    const r = await setMagicDns(deps(c), actor, body.magicDNS);
    return c.json({ magicDNS: r.magicDNS }, 200);
  });
}
