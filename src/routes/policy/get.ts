import { z } from "@hono/zod-openapi";
import { getPolicyFile } from "../../domain/policies.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { HUJSON, policyContent, wantsHujson } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/acl",
  operationId: "getPolicyFile",
  tags: ["policy file"],
  summary: "Get the policy file",
  description:
    "The tailnet policy file with its `ETag`. With `Accept: application/hujson` the stored text byte for byte (comments and " +
    "all); otherwise its JSON form. A tailnet whose policy was never changed has the default policy (allow all).",
  scope: "policy_file:read",
  request: { params: z.object({ tailnet: TailnetParam }) },
  responses: {
    200: { description: "The policy file. The `ETag` header identifies this version.", content: policyContent },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    checkTailnet(c.get("actor"), c.req.valid("param").tailnet);
    const p = await getPolicyFile(deps(c), c.get("actor"));
    c.header("ETag", p.etag);
    // The raw text is the route's second documented media type; zod-openapi's types only follow the JSON one.
    if (wantsHujson(c.req.header("accept"))) return c.body(p.text, 200, { "content-type": `${HUJSON}; charset=utf-8` }) as never;
    return c.json(p.json, 200);
  });
}
