import { z } from "@hono/zod-openapi";
import { previewPolicy } from "../../domain/policies.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { HUJSON } from "./wire.js";

const PreviewResult = z
  .object({
    matches: z.array(
      z.object({
        users: z.array(z.string()).openapi({ description: "The rule's sources.", example: ["group:eng"] }),
        ports: z.array(z.string()).openapi({ description: "The rule's destinations.", example: ["tag:prod:22,443"] }),
        lineNumber: z.number().int().openapi({ description: "Where the rule starts in the posted policy file.", example: 19 }),
      }),
    ),
    type: z.enum(["user", "ipport"]),
    previewFor: z.string(),
  })
  .openapi("PolicyPreview");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/acl/preview",
  operationId: "previewRuleMatches",
  tags: ["policy file"],
  summary: "Preview rule matches",
  description:
    "Which rules of the posted policy file (HuJSON or JSON; nothing is saved) apply: with `type=user`, the rules whose " +
    "sources name the user `previewFor` (a login name; its groups, role autogroups and devices' addresses count); with " +
    "`type=ipport`, the rules whose destinations take `previewFor`, an address and port (`100.64.0.1:22`, `[fd7a::1]:22`). " +
    "Grants that give network access (`ip`) are rules too.",
  scope: "policy_file:read",
  request: {
    params: z.object({ tailnet: TailnetParam }),
    query: z.object({
      type: z.enum(["user", "ipport"], { error: 'must be "user" or "ipport"' }).openapi({ param: { name: "type", in: "query" }, example: "user" }),
      previewFor: z.string().min(1, "must not be empty").max(256).openapi({ param: { name: "previewFor", in: "query" }, example: "alice@example.com" }),
    }),
    body: { required: true, content: { [HUJSON]: { schema: z.string().openapi({ description: "The policy file to preview." }) } } },
  },
  responses: {
    200: { description: "The rules that apply.", content: { "application/json": { schema: PreviewResult } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    checkTailnet(c.get("actor"), c.req.valid("param").tailnet);
    const { type, previewFor } = c.req.valid("query");
    const matches = await previewPolicy(deps(c), c.get("actor"), await c.req.text(), type, previewFor);
    return c.json({ matches, type, previewFor }, 200);
  });
}
