import { createRoute, z } from "@hono/zod-openapi";
import { authenticateNode, reportNode } from "../../domain/nodes.js";
import { tokenFrom } from "../../http/auth.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { CidrSchema, DeviceSchema, toWireDevice } from "../devices/wire.js";
import { TagSchema } from "../keys/wire.js";
import { wrongType, type App } from "../define.js";

const text = (max: number) => z.string(wrongType("must be a string")).max(max, `must be at most ${max} characters`);

const ReportBody = z
  .object({
    hostname: text(255).min(1, "must not be empty").optional(),
    os: text(64).optional(),
    osVersion: text(128).optional(),
    clientVersion: text(128).optional(),
    advertiseRoutes: z.array(CidrSchema).max(1000).nullish().openapi({ description: "Replaces the advertised routes (`null`: none)." }),
    advertiseTags: z.array(TagSchema).max(50).nullish().openapi({ description: "The tags the node asks for; new ones must be owned by its owner." }),
    endpoints: z.array(text(64)).max(64).optional().openapi({ example: ["203.0.113.7:41641"] }),
    derp: text(64).optional().openapi({ example: "fra" }),
    latency: z.record(text(64), z.object({ latencyMs: z.number().min(0).max(1e6), preferred: z.boolean().optional() })).optional(),
    postureIdentity: z.object({ serialNumbers: z.array(text(128)).max(16).optional(), disabled: z.boolean().optional() }).optional(),
    distro: z.object({ name: text(64), version: text(64), codeName: text(64) }).optional(),
  })
  .openapi("NodeReport");

export const route = createRoute({
  method: "post",
  path: "/machine/update",
  operationId: "reportNode",
  tags: ["node API"],
  summary: "Report in (simulated client)",
  description:
    "tailapi's node API, not part of Tailscale's public API: a registered node reports in with its node token " +
    "(`Authorization: Bearer tskey-node-…`). It is then connected (`connectedToControl: true`) until it is silent for " +
    "TAILAPI_OFFLINE_AFTER. An expired, replaced or deleted node's token is a 401; an unauthorized device a 403.",
  request: { body: { required: true, content: { "application/json": { schema: ReportBody } } } },
  responses: {
    200: { description: "The device after the report.", content: { "application/json": { schema: z.object({ device: DeviceSchema }).openapi("ReportResponse") } } },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    429: errorResponses[429],
    431: errorResponses[431],
    500: errorResponses[500],
    503: errorResponses[503],
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const d = deps(c);
    const node = await authenticateNode(d, tokenFrom(c.req.header("authorization")));
    const b = c.req.valid("json");
    const device = await reportNode(d, node, {
      ...b,
      advertiseRoutes: b.advertiseRoutes === null ? [] : b.advertiseRoutes,
      advertiseTags: b.advertiseTags === null ? [] : b.advertiseTags,
    });
    return c.json({ device: toWireDevice(device, true) }, 200);
  });
}
