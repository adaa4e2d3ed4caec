import { z } from "@hono/zod-openapi";
import { getDns } from "../../domain/dns.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { PreferencesSchema } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/dns/preferences",
  operationId: "getDnsPreferences",
  tags: ["dns"],
  summary: "Get DNS preferences",
  scope: "dns:read",
  request: { params: z.object({ tailnet: TailnetParam }) },
  responses: {
    200: { description: "The DNS setting, as it now is.", content: { "application/json": { schema: PreferencesSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    const r = await getDns(deps(c), actor);
    return c.json({ magicDNS: r.magicDNS }, 200);
  });
}
