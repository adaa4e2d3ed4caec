import { z } from "@hono/zod-openapi";
import { getLogStreamConfig, NOT_STREAMING } from "../../domain/logging.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { LogTypeParam } from "./wire.js";

const StatusSchema = z
  .object({
    lastActivity: z.string(),
    lastError: z.string(),
    maxBodySize: z.number().int(),
    numBytesSent: z.number().int(),
    numEntriesSent: z.number().int(),
    numSpoofedEntries: z.number().int(),
    numTotalRequests: z.number().int(),
    numFailedRequests: z.number().int(),
    rateBytesSent: z.number(),
    rateEntriesSent: z.number(),
    rateTotalRequests: z.number(),
    rateFailedRequests: z.number(),
  })
  .openapi("LogstreamEndpointPublishingStatus");

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/logging/{logType}/stream/status",
  operationId: "getLogStreamingStatus",
  tags: ["logging"],
  summary: "Get log streaming status",
  description: "Nothing is ever sent: every counter is zero and `lastError` says why. 404 when no configuration is set.",
  scope: "log_streaming:read",
  request: { params: z.object({ tailnet: TailnetParam, logType: LogTypeParam }) },
  responses: {
    200: { description: "The status.", content: { "application/json": { schema: StatusSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    const { tailnet, logType } = c.req.valid("param");
    checkTailnet(actor, tailnet);
    await getLogStreamConfig(deps(c), actor, logType);
    const zero = { numBytesSent: 0, numEntriesSent: 0, numSpoofedEntries: 0, numTotalRequests: 0, numFailedRequests: 0, rateBytesSent: 0, rateEntriesSent: 0, rateTotalRequests: 0, rateFailedRequests: 0 };
    return c.json({ lastActivity: "0001-01-01T00:00:00Z", lastError: NOT_STREAMING, maxBodySize: 0, ...zero }, 200);
  });
}
