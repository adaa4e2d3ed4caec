import { z } from "@hono/zod-openapi";
import { getLogStreamConfig } from "../../domain/logging.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { LogstreamConfigurationSchema, LogTypeParam } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/logging/{logType}/stream",
  operationId: "getLogStreamingConfiguration",
  tags: ["logging"],
  summary: "Get log streaming configuration",
  description: "The stored configuration (never its secrets); 404 when none is set. tailapi streams nothing.",
  scope: "log_streaming:read",
  request: { params: z.object({ tailnet: TailnetParam, logType: LogTypeParam }) },
  responses: {
    200: { description: "The configuration.", content: { "application/json": { schema: LogstreamConfigurationSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    const { tailnet, logType } = c.req.valid("param");
    checkTailnet(actor, tailnet);
    const r = await getLogStreamConfig(deps(c), actor, logType);
    return c.json({ logType, ...(r.config as z.infer<typeof LogstreamConfigurationSchema>) }, 200);
  });
}
