import { z } from "@hono/zod-openapi";
import { listAuditLog, MAX_AUDIT_ENTRIES } from "../../domain/audit.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { ConfigurationAuditLogSchema, listParam, parseWindow, TimeParam, toWireAuditLog } from "./wire.js";

const ListParam = (name: string, description: string) =>
  z
    .union([z.string().max(1024), z.array(z.string().max(1024)).max(100)])
    .optional()
    .openapi({ param: { name, in: "query" }, description });

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/logging/configuration",
  operationId: "listConfigurationAuditLogs",
  tags: ["logging"],
  summary: "List configuration audit logs",
  description:
    "Every change made through the API, the CLI or the node API, in [start, end), oldest first. " +
    "`actor`: exact actor ids or `~text` (login or display name contains text); `target`: matches any part of the target's id, name or property; " +
    "`event`: `TARGET.ACTION` or `TARGET.ACTION.PROPERTY` (e.g. NODE.CREATE, TAILNET.ENABLE.MAGIC_DNS). Each may repeat. " +
    `At most ${MAX_AUDIT_ENTRIES} entries per answer: a window holding more is a 400 asking for a narrower one.`,
  scope: "logs:configuration:read",
  request: {
    params: z.object({ tailnet: TailnetParam }),
    query: z.object({
      start: TimeParam("start"),
      end: TimeParam("end"),
      actor: ListParam("actor", "Actor ids, or ~search."),
      target: ListParam("target", "Parts of target ids or names."),
      event: ListParam("event", "Event names."),
    }),
  },
  responses: {
    200: {
      description: "Matching entries, ordered chronologically.",
      content: {
        "application/json": {
          schema: z.object({ version: z.string(), tailnet: z.string(), logs: z.array(ConfigurationAuditLogSchema) }).openapi("ConfigurationAuditLogs"),
        },
      },
    },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    const q = c.req.valid("query");
    const rows = await listAuditLog(deps(c), actor, {
      ...parseWindow(q),
      actors: listParam(c.req.queries("actor")),
      targets: listParam(c.req.queries("target")),
      events: listParam(c.req.queries("event")),
    });
    return c.json({ version: "1.1", tailnet: actor.tailnetName, logs: rows.map(toWireAuditLog) }, 200);
  });
}
