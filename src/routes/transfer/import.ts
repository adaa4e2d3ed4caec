import { z } from "@hono/zod-openapi";
import { importTailnet } from "../../domain/transfer.js";
import { deps, requestLog } from "../../http/context.js";
import { conflictResponse, errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";

const Records = z.array(z.record(z.string(), z.unknown())).max(100_000);

const ImportBody = z
  .object({
    users: Records.optional().openapi({ description: "The `users` of `GET /tailnet/-/users?type=all`." }),
    devices: Records.optional().openapi({ description: "The `devices` of `GET /tailnet/-/devices?fields=all`." }),
    keys: Records.optional().openapi({ description: "The `keys` of `GET /tailnet/-/keys?all=true`." }),
    policy: z.string().optional().openapi({ description: "The policy file, as `GET /tailnet/-/acl` with `Accept: application/hujson` answers it." }),
  })
  .strict()
  .openapi("ImportRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/import",
  operationId: "importTailnet",
  tags: ["tailnet"],
  summary: "Import a real tailnet's answers",
  description:
    "Loads what Tailscale's API answers about a tailnet (users, devices with every field, keys, the policy file) into this " +
    "one, in one transaction: devices keep their ids, nodeIds, names, addresses, tags, routes, times and user; users their " +
    "ids, roles and status; keys their ids and settings, but no usable secret (the API never shows it). A tailnet with no " +
    "devices takes the devices' MagicDNS suffix. Anything already taken (an id, a name, an address, a login) is a 409 naming " +
    "it, and nothing is imported. `tailapi import` and TAILAPI_SEED send this; `tailapi export` writes the same shapes.",
  scope: "all",
  extension: true,
  request: {
    params: z.object({ tailnet: TailnetParam }),
    body: { required: true, content: { "application/json": { schema: ImportBody } } },
  },
  responses: {
    200: {
      description: "What was imported.",
      content: {
        "application/json": {
          schema: z.object({ users: z.number().int(), devices: z.number().int(), keys: z.number().int(), policy: z.boolean() }).openapi("ImportSummary"),
        },
      },
    },
    ...errorResponses,
    409: conflictResponse,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    checkTailnet(c.get("actor"), c.req.valid("param").tailnet);
    const summary = await importTailnet(deps(c), c.get("actor"), c.req.valid("json"));
    requestLog(c).info({ tailnetId: c.get("actor").tailnetId, ...summary }, "tailnet imported");
    return c.json(summary, 200);
  });
}
