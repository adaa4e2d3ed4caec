import { z } from "@hono/zod-openapi";

/** The policy file as JSON (any object: its sections are validated by the domain). */
export const PolicyJsonSchema = z.record(z.string(), z.unknown()).openapi("PolicyFile", {
  description: "The tailnet policy file as JSON (comments dropped). `Accept: application/hujson` gives the stored text instead.",
  example: { acls: [{ action: "accept", src: ["*"], dst: ["*:*"] }] },
});

export const HUJSON = "application/hujson";

/** Whether the caller asked for the stored HuJSON text rather than JSON. */
export function wantsHujson(accept: string | undefined): boolean {
  return accept !== undefined && /application\/hujson/i.test(accept);
}

/** Both forms of the policy file, as GET and POST answer them. */
export const policyContent = {
  "application/json": { schema: PolicyJsonSchema },
  [HUJSON]: { schema: z.string().openapi({ description: "The policy file exactly as stored (HuJSON)." }) },
};
