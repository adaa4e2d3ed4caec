import { query, type Queryable } from "./sql.js";

export type ContactType = "account" | "support" | "security";
export type ContactRow = { contactType: ContactType; email: string; fallbackEmail: string; needsVerification: boolean };

export async function listContacts(db: Queryable, tailnetId: string, forUpdate = false): Promise<ContactRow[]> {
  if (forUpdate) await query(db, `SELECT 1 FROM tailnets WHERE tailnet_id = $1 FOR NO KEY UPDATE`, [tailnetId]);
  const rows = await query(db, `SELECT contact_type, email, fallback_email, needs_verification FROM contacts WHERE tailnet_id = $1`, [tailnetId]);
  return rows.map((r) => ({
    contactType: r.contact_type as ContactType,
    email: r.email as string,
    fallbackEmail: r.fallback_email as string,
    needsVerification: r.needs_verification as boolean,
  }));
}

export async function saveContact(db: Queryable, tailnetId: string, c: ContactRow): Promise<void> {
  await query(
    db,
    `INSERT INTO contacts (tailnet_id, contact_type, email, fallback_email, needs_verification) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tailnet_id, contact_type) DO UPDATE SET email = EXCLUDED.email, fallback_email = EXCLUDED.fallback_email,
       needs_verification = EXCLUDED.needs_verification`,
    [tailnetId, c.contactType, c.email, c.fallbackEmail, c.needsVerification],
  );
}
