import { z } from "@hono/zod-openapi";
import { streamDevices } from "../../domain/devices.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { streamJsonList } from "../../http/stream.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { FILTER_KEYS, matches, narrowFor, parseFilters } from "./filter.js";
import { DeviceSchema, FieldsParam, toWireDevice, wantsAll } from "./wire.js";
import type { Device } from "../../domain/devices.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/devices",
  operationId: "listTailnetDevices",
  tags: ["devices"],
  summary: "List tailnet devices",
  description:
    "Lists every device of the tailnet (never paginated). Any top-level scalar or list field of Device may be used as a " +
    `query filter, matched exactly; keys are ANDed and a repeated key means all of its values (\`?tags=tag:a&tags=tag:b\`). Filterable: ${FILTER_KEYS.join(", ")}.`,
  scope: "devices:core:read",
  request: { params: z.object({ tailnet: TailnetParam }), query: z.object({ fields: FieldsParam }).catchall(z.union([z.string(), z.array(z.string())])) },
  responses: {
    200: {
      description: "The tailnet's devices.",
      content: { "application/json": { schema: z.object({ devices: z.array(DeviceSchema) }) } },
    },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { tailnet } = c.req.valid("param");
    const { fields } = c.req.valid("query");
    checkTailnet(c.get("actor"), tailnet);
    const filters = parseFilters(c.req.queries());
    const all = wantsAll(fields);
    // Written as it is read (a cursor, in batches): the list of a large tailnet never sits in memory whole.
    const toWire = (r: Device) => {
      if (!filters.length) return toWireDevice(r, all);
      const d = toWireDevice(r, true);
      if (!matches(d, filters)) return undefined;
      return all ? d : stripAllOnly(d);
    };
    // The body is the route's documented JSON; zod-openapi's types only follow c.json answers.
    return (await streamJsonList("devices", streamDevices(deps(c), c.get("actor"), { all, narrow: narrowFor(filters) }), toWire)) as never;
  });
}

function stripAllOnly(d: z.infer<typeof DeviceSchema>) {
  const { enabledRoutes, advertisedRoutes, clientConnectivity, sshEnabled, distro, postureIdentity, postureAttributes, ...rest } = d;
  return rest;
}
