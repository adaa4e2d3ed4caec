import { z } from "@hono/zod-openapi";
import { setLogStreamConfig } from "../../domain/logging.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { LogTypeParam, SetLogstreamBody } from "./wire.js";

export const route = defineRoute({
  method: "put",
  path: "/api/v2/tailnet/{tailnet}/logging/{logType}/stream",
  operationId: "setLogStreamingConfiguration",
  tags: ["logging"],
  summary: "Set log streaming configuration",
  description: "Stores the configuration (secrets are accepted and dropped). tailapi does not stream logs.",
  scope: "log_streaming",
  request: {
    params: z.object({ tailnet: TailnetParam, logType: LogTypeParam }),
    body: { required: true, content: { "application/json": { schema: SetLogstreamBody } } },
  },
  responses: {
    200: { description: "Stored. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    const { tailnet, logType } = c.req.valid("param");
    checkTailnet(actor, tailnet);
    await setLogStreamConfig(deps(c), actor, logType, c.req.valid("json"));
    return c.body(null, 200);
  });
}
