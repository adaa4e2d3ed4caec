import { z } from "@hono/zod-openapi";
import { resendVerification } from "../../domain/contacts.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { ContactTypeParam, NoticeSchema } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/contacts/{contactType}/resend-verification-email",
  operationId: "resendContactVerificationEmail",
  tags: ["contacts"],
  summary: "Resend the verification email",
  description: "Tailscale resends the email while verification is pending (400 otherwise). tailapi sends no email; the answer's `message` says so.",
  scope: "account_settings",
  request: { params: z.object({ tailnet: TailnetParam, contactType: ContactTypeParam }) },
  responses: {
    200: { description: "Nothing was sent; `message` says why.", content: { "application/json": { schema: NoticeSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    const { tailnet, contactType } = c.req.valid("param");
    checkTailnet(actor, tailnet);
    return c.json({ message: await resendVerification(deps(c), actor, contactType) }, 200);
  });
}
