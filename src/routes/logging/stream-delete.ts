import { z } from "@hono/zod-openapi";
import { deleteLogStreamConfig } from "../../domain/logging.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { LogTypeParam } from "./wire.js";

export const route = defineRoute({
  method: "delete",
  path: "/api/v2/tailnet/{tailnet}/logging/{logType}/stream",
  operationId: "disableLogStreaming",
  tags: ["logging"],
  summary: "Disable log streaming",
  scope: "log_streaming",
  request: { params: z.object({ tailnet: TailnetParam, logType: LogTypeParam }) },
  responses: {
    200: { description: "Deleted. The body is empty." },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    const { tailnet, logType } = c.req.valid("param");
    checkTailnet(actor, tailnet);
    await deleteLogStreamConfig(deps(c), actor, logType);
    return c.body(null, 200);
  });
}
