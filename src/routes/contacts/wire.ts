import { z } from "@hono/zod-openapi";
import { CONTACT_TYPES, type Contact } from "../../domain/contacts.js";

export const ContactSchema = z
  .object({
    email: z.string(),
    fallbackEmail: z.string().optional().openapi({ description: "The address used while `email` is unverified." }),
    needsVerification: z.boolean(),
  })
  .openapi("Contact");

export const ContactTypeParam = z
  .enum(CONTACT_TYPES as ["account", "support", "security"], { message: "must be account, support or security" })
  .openapi({ param: { name: "contactType", in: "path" }, example: "account" });

export const NoticeSchema = z
  .object({ message: z.string().optional().openapi({ description: "Set where Tailscale would send an email: tailapi sends none." }) })
  .openapi("ContactNotice");

export function toWireContact(c: Contact): z.infer<typeof ContactSchema> {
  return c.fallbackEmail ? { email: c.email, fallbackEmail: c.fallbackEmail, needsVerification: c.needsVerification } : { email: c.email, needsVerification: c.needsVerification };
}
