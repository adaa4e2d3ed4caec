import { z } from "@hono/zod-openapi";
import { NO_MAIL, updateContact } from "../../domain/contacts.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { ContactTypeParam, NoticeSchema } from "./wire.js";

export const route = defineRoute({
  method: "patch",
  path: "/api/v2/tailnet/{tailnet}/contacts/{contactType}",
  operationId: "updateContact",
  tags: ["contacts"],
  summary: "Update a contact",
  description: "Sets the contact's email. A changed address needs verification; tailapi sends no verification email, and the answer's `message` says so.",
  scope: "account_settings",
  request: {
    params: z.object({ tailnet: TailnetParam, contactType: ContactTypeParam }),
    body: { required: true, content: { "application/json": { schema: z.object({ email: z.string().max(254, "must be at most 254 characters") }).openapi("UpdateContactRequest") } } },
  },
  responses: {
    200: { description: "Updated.", content: { "application/json": { schema: NoticeSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    const { tailnet, contactType } = c.req.valid("param");
    checkTailnet(actor, tailnet);
    const r = await updateContact(deps(c), actor, contactType, c.req.valid("json").email);
    return c.json(r.mailNotSent ? { message: NO_MAIL } : {}, 200);
  });
}
