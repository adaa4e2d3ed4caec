import { z } from "@hono/zod-openapi";
import { validatePolicyFile } from "../../domain/policies.js";
import { errorResponses } from "../../http/errors.js";
import { invalid } from "../../lib/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { HUJSON } from "./wire.js";

const ValidationResult = z
  .object({
    message: z.string().optional().openapi({ example: "invalid policy: acls[0].action: must be \"accept\"" }),
    data: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .openapi("PolicyValidationResult", { description: "`{}` when the policy is valid; otherwise what is wrong (still a 200, as on Tailscale)." });

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/acl/validate",
  operationId: "validateAndTestPolicyFile",
  tags: ["policy file"],
  summary: "Validate a policy file",
  description:
    "Checks a policy file (HuJSON or JSON) without saving it. Answers 200 `{}` when it is valid, and 200 " +
    '`{"message": …, "data": […]}` when it is not, as Tailscale does.',
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
    const text = await c.req.text();
    if (/^\s*\[/.test(text)) {
      // Running a list of tests against the stored policy needs rule evaluation, which tailapi does not do yet.
      throw invalid("testing the stored policy with a list of tests is not supported yet; post a whole policy file to validate it");
    }
    const problem = validatePolicyFile(text);
    return c.json(problem ? { message: problem, data: [] } : {}, 200);
  });
}
