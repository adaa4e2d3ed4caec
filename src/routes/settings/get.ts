import { z } from "@hono/zod-openapi";
import { getSettings } from "../../domain/settings.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { TailnetSettingsSchema } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/settings",
  operationId: "getTailnetSettings",
  tags: ["tailnet settings"],
  summary: "Get tailnet settings",
  scope: "feature_settings:read",
  request: { params: z.object({ tailnet: TailnetParam }) },
  responses: {
    200: { description: "The tailnet's settings.", content: { "application/json": { schema: TailnetSettingsSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    return c.json(await getSettings(deps(c), actor), 200);
  });
}
