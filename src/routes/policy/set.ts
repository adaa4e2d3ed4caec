import { z } from "@hono/zod-openapi";
import { setPolicyFile } from "../../domain/policies.js";
import { deps } from "../../http/context.js";
import { ErrorSchema, errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { HUJSON, policyContent, wantsHujson } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/acl",
  operationId: "setPolicyFile",
  tags: ["policy file"],
  summary: "Set the policy file",
  description:
    "Replaces the policy file with the body: HuJSON (comments, trailing commas) or JSON, stored exactly as sent. " +
    "A policy that does not validate is refused (400, the message points at the problem) and nothing changes. " +
    '`If-Match: "<etag>"` writes only over that version, `If-Match: "ts-default"` only over the default policy; otherwise 412. ' +
    "An empty body resets the policy to the default (what Terraform's delete sends).",
  scope: "policy_file",
  request: {
    params: z.object({ tailnet: TailnetParam }),
    headers: z.object({
      "if-match": z.string().max(200).optional().openapi({ example: '"ts-default"', description: "The ETag to write over, or \"ts-default\"." }),
    }),
    body: { required: false, content: { [HUJSON]: { schema: z.string().openapi({ description: "The policy file (HuJSON or JSON)." }) } } },
  },
  responses: {
    200: { description: "The policy file as saved, with its new `ETag`.", content: policyContent },
    ...errorResponses,
    412: { description: "The If-Match ETag is not the current one.", content: { "application/json": { schema: ErrorSchema } } },
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    checkTailnet(c.get("actor"), c.req.valid("param").tailnet);
    const text = await c.req.text();
    const p = await setPolicyFile(deps(c), c.get("actor"), text, c.req.valid("header")["if-match"]);
    c.header("ETag", p.etag);
    // The raw text is the route's second documented media type; zod-openapi's types only follow the JSON one.
    if (wantsHujson(c.req.header("accept"))) return c.body(p.text, 200, { "content-type": `${HUJSON}; charset=utf-8` }) as never;
    return c.json(p.json, 200);
  });
}
