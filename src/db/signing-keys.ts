import { query, type Queryable } from "./sql.js";

export type SigningKeyRow = {
  tailnetId: string;
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  privateJwe: string;
  masterKeyId: string;
  createdAt: Date;
  signUntil: Date;
  verifyUntil: Date;
};

const COLUMNS = "tailnet_id::text AS tailnet_id, kid, alg, public_jwk, private_jwe, master_key_id, created_at, sign_until, verify_until";

function toRow(r: Record<string, unknown>): SigningKeyRow {
  return {
    tailnetId: r.tailnet_id as string,
    kid: r.kid as string,
    alg: r.alg as string,
    publicJwk: r.public_jwk as Record<string, unknown>,
    privateJwe: r.private_jwe as string,
    masterKeyId: r.master_key_id as string,
    createdAt: r.created_at as Date,
    signUntil: r.sign_until as Date,
    verifyUntil: r.verify_until as Date,
  };
}

/** The newest key still signing, among those encrypted with the given master key. */
export async function findSigningKey(db: Queryable, tailnetId: string, masterKeyId: string, now: Date): Promise<SigningKeyRow | undefined> {
  const [r] = await query(
    db,
    `SELECT ${COLUMNS} FROM signing_keys WHERE tailnet_id = $1 AND master_key_id = $2 AND sign_until > $3
     ORDER BY created_at DESC LIMIT 1`,
    [tailnetId, masterKeyId, now],
  );
  return r ? toRow(r) : undefined;
}

export async function getVerificationKey(db: Queryable, tailnetId: string, kid: string): Promise<SigningKeyRow | undefined> {
  const [r] = await query(db, `SELECT ${COLUMNS} FROM signing_keys WHERE tailnet_id = $1 AND kid = $2`, [tailnetId, kid]);
  return r ? toRow(r) : undefined;
}

export async function insertSigningKey(db: Queryable, k: SigningKeyRow): Promise<void> {
  await query(
    db,
    `INSERT INTO signing_keys (tailnet_id, kid, alg, public_jwk, private_jwe, master_key_id, created_at, sign_until, verify_until)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [k.tailnetId, k.kid, k.alg, k.publicJwk, k.privateJwe, k.masterKeyId, k.createdAt, k.signUntil, k.verifyUntil],
  );
}

/** Drops keys whose last token has expired. */
export async function pruneSigningKeys(db: Queryable, tailnetId: string, now: Date): Promise<void> {
  await query(db, `DELETE FROM signing_keys WHERE tailnet_id = $1 AND verify_until < $2`, [tailnetId, now]);
}
