import { z } from "@hono/zod-openapi";
import { validatePolicy } from "../../domain/policies.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { HUJSON } from "./wire.js";

const ValidationResult = z
  .object({
    message: z.string().optional().openapi({ example: "test(s) failed" }),
    data: z
      .array(z.record(z.string(), z.unknown()))
      .optional()
      .openapi({ example: [{ user: "alice@example.com", errors: ['address "tag:prod:22": want: Drop, got: Accept'] }] }),
  })
  .openapi("PolicyValidationResult", { description: "`{}` when the policy is valid; otherwise what is wrong (still a 200, as on Tailscale)." });

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/acl/validate",
  operationId: "validateAndTestPolicyFile",
  tags: ["policy file"],
  summary: "Validate a policy file",
  description:
    "Two modes, neither of which changes the policy file. A JSON array is a list of tests (`src`, `accept`, `deny`, `proto`) " +
    "run against the tailnet's current policy. Anything else is a whole policy file (HuJSON or JSON): it is checked and its " +
    "`tests` run. Answers 200 `{}` when all is well, and 200 `{\"message\": …, \"data\": […]}` when not, as Tailscale does: " +
    '`{"message": "test(s) failed", "data": [{"user": …, "errors": ["address \\"h:p\\": want: Accept, got: Drop"]}]}` ' +
    "for failing tests, the problem and `data: []` for a policy that does not parse.",
  scope: "policy_file:read",
  request: {
    params: z.object({ tailnet: TailnetParam }),
    body: { required: true, content: { [HUJSON]: { schema: z.string().openapi({ description: "The policy file to check." }) } } },
  },
  responses: {
    200: { description: "The result.", content: { "application/json": { schema: ValidationResult } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    checkTailnet(c.get("actor"), c.req.valid("param").tailnet);
    const result = await validatePolicy(deps(c), c.get("actor"), await c.req.text());
    return c.json(result ?? {}, 200);
  });
}
