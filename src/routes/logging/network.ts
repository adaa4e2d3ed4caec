import { z } from "@hono/zod-openapi";
import { listNetworkFlowLogs } from "../../domain/logging.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { parseWindow, TimeParam } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/logging/network",
  operationId: "listNetworkFlowLogs",
  tags: ["logging"],
  summary: "List network flow logs",
  description: "tailapi collects no network flow logs: every window answers an empty list.",
  scope: "logs:network:read",
  request: { params: z.object({ tailnet: TailnetParam }), query: z.object({ start: TimeParam("start"), end: TimeParam("end") }) },
  responses: {
    200: { description: "Always empty.", content: { "application/json": { schema: z.object({ logs: z.array(z.record(z.string(), z.unknown())) }).openapi("NetworkFlowLogs") } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    const { start, end } = parseWindow(c.req.valid("query"));
    return c.json({ logs: listNetworkFlowLogs(deps(c), actor, start, end) as Record<string, unknown>[] }, 200);
  });
}
