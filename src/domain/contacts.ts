import { listContacts, saveContact, type ContactRow, type ContactType } from "../db/contacts.js";
import { listUsers } from "../db/users.js";
import type { Queryable } from "../db/sql.js";
import { invalid } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { audit, tailnetTarget } from "./audit.js";
import type { Deps } from "./deps.js";

export type { ContactRow as Contact, ContactType };
export const CONTACT_TYPES: readonly ContactType[] = ["account", "support", "security"];

/** What tailapi says where Tailscale would send a verification email. */
export const NO_MAIL =
  "tailapi sends no email: the address is stored as unverified (needsVerification stays true, fallbackEmail keeps the previous address)";

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{1,63}$/;
const PROPERTY: Record<ContactType, string> = { account: "ACCOUNT_EMAIL", support: "SUPPORT_EMAIL", security: "SECURITY_EMAIL" };

/** The tailnet's three contacts; one never set is the owner's login (when it is an email address), verified. */
async function contactsOf(db: Queryable, tailnetId: string, forUpdate = false): Promise<Record<ContactType, ContactRow>> {
  const stored = await listContacts(db, tailnetId, forUpdate);
  let fallback: string | undefined;
  const out = {} as Record<ContactType, ContactRow>;
  for (const t of CONTACT_TYPES) {
    const s = stored.find((c) => c.contactType === t);
    if (s) {
      out[t] = s;
      continue;
    }
    fallback ??= (await listUsers(db, tailnetId)).find((u) => u.role === "owner" && EMAIL.test(u.loginName))?.loginName ?? "";
    out[t] = { contactType: t, email: fallback, fallbackEmail: "", needsVerification: false };
  }
  return out;
}

export function getContacts(d: Deps, actor: Actor): Promise<Record<ContactType, ContactRow>> {
  return contactsOf(d.sql, actor.tailnetId);
}

/**
 * Sets a contact's email. A new address needs verification, as on Tailscale;
 * tailapi sends no mail, so it stays unverified and the answer says so
 * (`mailNotSent`). The same address again changes nothing.
 */
export async function updateContact(d: Deps, actor: Actor, type: ContactType, email: string): Promise<{ contact: ContactRow; mailNotSent: boolean }> {
  if (email.length > 254 || !EMAIL.test(email)) throw invalid(`invalid email: ${JSON.stringify(email)} is not an email address`);
  return d.sql.begin(async (tx) => {
    const current = (await contactsOf(tx, actor.tailnetId, true))[type];
    if (current.email.toLowerCase() === email.toLowerCase()) return { contact: current, mailNotSent: false };
    const next: ContactRow = {
      contactType: type,
      email,
      fallbackEmail: current.needsVerification ? current.fallbackEmail : current.email,
      needsVerification: true,
    };
    await saveContact(tx, actor.tailnetId, next);
    await audit(tx, d, actor, { action: "UPDATE", target: tailnetTarget(actor, PROPERTY[type]), old: current.email, new: email });
    return { contact: next, mailNotSent: true };
  });
}

/** Tailscale resends the verification email; tailapi sends none and says so. 400 when nothing awaits verification. */
export async function resendVerification(d: Deps, actor: Actor, type: ContactType): Promise<string> {
  const c = (await contactsOf(d.sql, actor.tailnetId))[type];
  if (!c.needsVerification) throw invalid(`the ${type} contact does not need verification`);
  return NO_MAIL;
}
