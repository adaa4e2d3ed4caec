import { z } from "@hono/zod-openapi";
import { getContacts } from "../../domain/contacts.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { ContactSchema, toWireContact } from "./wire.js";

export const route = defineRoute({
  method: "get",
  path: "/api/v2/tailnet/{tailnet}/contacts",
  operationId: "getContacts",
  tags: ["contacts"],
  summary: "Get contacts",
  description: "The account, support and security contacts. A contact never set is the owner's login, when that is an email address.",
  scope: "account_settings:read",
  request: { params: z.object({ tailnet: TailnetParam }) },
  responses: {
    200: {
      description: "The contacts by type.",
      content: { "application/json": { schema: z.object({ account: ContactSchema, support: ContactSchema, security: ContactSchema }).openapi("Contacts") } },
    },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    const all = await getContacts(deps(c), actor);
    return c.json({ account: toWireContact(all.account), support: toWireContact(all.support), security: toWireContact(all.security) }, 200);
  });
}
