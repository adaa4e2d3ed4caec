import { cursor, query, type Queryable } from "./sql.js";

export type KeyType = "api" | "auth" | "client" | "node";

export type KeyRow = {
  tailnetId: string;
  keyId: string;
  keyType: KeyType;
  userId: string | null;
  createdByClient: string | null;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  reusable: boolean;
  ephemeral: boolean;
  preauthorized: boolean;
  tags: string[];
  scopes: string[];
  uses: number;
  /** For node credentials: the device they belong to. */
  deviceId: string | null;
};

const COLUMNS = `tailnet_id::text AS tailnet_id, key_id, key_type, user_id::text AS user_id, created_by_client,
  description, created_at, updated_at, expires_at, revoked_at, reusable, ephemeral, preauthorized, tags, scopes, uses,
  device_id::text AS device_id`;

function toKey(r: Record<string, unknown>): KeyRow {
  return {
    tailnetId: r.tailnet_id as string,
    keyId: r.key_id as string,
    keyType: r.key_type as KeyType,
    userId: (r.user_id as string | null) ?? null,
    createdByClient: (r.created_by_client as string | null) ?? null,
    description: r.description as string,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    expiresAt: (r.expires_at as Date | null) ?? null,
    revokedAt: (r.revoked_at as Date | null) ?? null,
    reusable: r.reusable as boolean,
    ephemeral: r.ephemeral as boolean,
    preauthorized: r.preauthorized as boolean,
    tags: r.tags as string[],
    scopes: r.scopes as string[],
    uses: r.uses as number,
    deviceId: (r.device_id as string | null) ?? null,
  };
}

export type NewKey = {
  tailnetId: string;
  keyId: string;
  keyType: KeyType;
  secretHash: Buffer;
  userId: string | null;
  createdByClient?: string | null;
  description?: string;
  createdAt: Date;
  expiresAt: Date | null;
  reusable?: boolean;
  ephemeral?: boolean;
  preauthorized?: boolean;
  tags?: string[];
  scopes?: string[];
  deviceId?: string | null;
  /** Imported keys only: already revoked, and when it last changed. */
  revokedAt?: Date | null;
  updatedAt?: Date;
};

export async function insertKey(db: Queryable, k: NewKey): Promise<KeyRow> {
  const [row] = await query(
    db,
    `INSERT INTO keys (tailnet_id, key_id, key_type, secret_hash, user_id, created_by_client, description,
       created_at, updated_at, expires_at, reusable, ephemeral, preauthorized, tags, scopes, device_id, revoked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($17, $8), $9, $10, $11, $12, $13, $14, $15, $16)
     RETURNING ${COLUMNS}`,
    [
      k.tailnetId,
      k.keyId,
      k.keyType,
      k.secretHash,
      k.userId,
      k.createdByClient ?? null,
      k.description ?? "",
      k.createdAt,
      k.expiresAt,
      k.reusable ?? false,
      k.ephemeral ?? false,
      k.preauthorized ?? false,
      k.tags ?? [],
      k.scopes ?? [],
      k.deviceId ?? null,
      k.revokedAt ?? null,
      k.updatedAt ?? null,
    ],
  );
  return toKey(row!);
}

export async function getKey(db: Queryable, tailnetId: string, keyId: string): Promise<KeyRow | undefined> {
  const [row] = await query(db, `SELECT ${COLUMNS} FROM keys WHERE tailnet_id = $1 AND key_id = $2`, [tailnetId, keyId]);
  return row ? toKey(row) : undefined;
}

/** Keys of the given types; with `activeAt`, only those neither revoked nor expired at that time. */
export async function listKeys(db: Queryable, tailnetId: string, types: KeyType[], activeAt?: Date): Promise<KeyRow[]> {
  const [text, params] = listStatement(tailnetId, types, activeAt);
  return (await query(db, text, params)).map(toKey);
}

/** The same list as listKeys, read through a cursor in batches (bounded memory whatever the tailnet's size). */
export async function* streamKeys(db: Queryable, tailnetId: string, types: KeyType[], activeAt?: Date, batch = 500): AsyncGenerator<KeyRow[]> {
  const [text, params] = listStatement(tailnetId, types, activeAt);
  for await (const rows of cursor(db, text, params, batch)) yield rows.map(toKey);
}

function listStatement(tailnetId: string, types: KeyType[], activeAt?: Date): [string, unknown[]] {
  return activeAt
    ? [
        `SELECT ${COLUMNS} FROM keys WHERE tailnet_id = $1 AND key_type = ANY($2::text[])
           AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3) ORDER BY created_at, key_id`,
        [tailnetId, types, activeAt],
      ]
    : [`SELECT ${COLUMNS} FROM keys WHERE tailnet_id = $1 AND key_type = ANY($2::text[]) ORDER BY created_at, key_id`, [tailnetId, types]];
}

/** Revokes every live node credential of a device (a new registration replaces them). */
export async function revokeNodeKeys(db: Queryable, tailnetId: string, deviceId: string, now: Date): Promise<void> {
  await query(
    db,
    `UPDATE keys SET revoked_at = $3, updated_at = $3
     WHERE tailnet_id = $1 AND device_id = $2 AND key_type = 'node' AND revoked_at IS NULL`,
    [tailnetId, deviceId, now],
  );
}

/** Marks a key revoked (idempotent: the first revocation time stays). */
export async function revokeKey(db: Queryable, tailnetId: string, keyId: string, now: Date): Promise<KeyRow | undefined> {
  const [row] = await query(
    db,
    `UPDATE keys SET revoked_at = COALESCE(revoked_at, $3), updated_at = $3
     WHERE tailnet_id = $1 AND key_id = $2 RETURNING ${COLUMNS}`,
    [tailnetId, keyId, now],
  );
  return row ? toKey(row) : undefined;
}

/** Expires a key now (an earlier expiry stays). */
export async function expireKeyNow(db: Queryable, tailnetId: string, keyId: string, now: Date): Promise<KeyRow | undefined> {
  const [row] = await query(
    db,
    `UPDATE keys SET expires_at = LEAST(COALESCE(expires_at, $3), $3), updated_at = $3
     WHERE tailnet_id = $1 AND key_id = $2 RETURNING ${COLUMNS}`,
    [tailnetId, keyId, now],
  );
  return row ? toKey(row) : undefined;
}

export async function setKeyExpiry(db: Queryable, tailnetId: string, keyId: string, expiresAt: Date): Promise<void> {
  await query(db, `UPDATE keys SET expires_at = $3 WHERE tailnet_id = $1 AND key_id = $2`, [tailnetId, keyId, expiresAt]);
}

/**
 * Takes one use of an auth key, atomically: a single-use key can be claimed
 * once however many registrations race for it. Returns undefined when the key
 * is unknown, revoked, expired or used up.
 */
export async function claimAuthKey(db: Queryable, tailnetId: string, keyId: string, now: Date): Promise<KeyRow | undefined> {
  const [row] = await query(
    db,
    `UPDATE keys SET uses = uses + 1
     WHERE tailnet_id = $1 AND key_id = $2 AND key_type = 'auth' AND revoked_at IS NULL
       AND (expires_at IS NULL OR expires_at > $3) AND (reusable OR uses = 0)
     RETURNING ${COLUMNS}`,
    [tailnetId, keyId, now],
  );
  return row ? toKey(row) : undefined;
}

/** What authentication needs about a credential, looked up by its public key id. */
export type CredentialRow = {
  tailnetId: string;
  tailnetName: string;
  keyId: string;
  keyType: KeyType;
  secretHash: Buffer;
  expiresAt: Date | null;
  revokedAt: Date | null;
  userId: string | null;
  loginName: string | null;
  role: string | null;
  /** Whether the key's user is neither suspended nor waiting for approval (false when there is no user). */
  userActive: boolean;
  scopes: string[];
  tags: string[];
  /** For node credentials: the device they belong to. */
  deviceId: string | null;
};

export async function findCredential(db: Queryable, keyId: string): Promise<CredentialRow | undefined> {
  const [r] = await query(
    db,
    `/* cross-tailnet: credential lookup by key id */ SELECT k.tailnet_id::text AS tailnet_id, t.name AS tailnet_name, k.key_id, k.key_type, k.secret_hash,
            k.expires_at, k.revoked_at, k.user_id::text AS user_id, u.login_name, u.role,
            COALESCE(u.suspended_at IS NULL AND u.approved, false) AS user_active, k.scopes, k.tags,
            k.device_id::text AS device_id
     FROM keys k
     JOIN tailnets t ON t.tailnet_id = k.tailnet_id
     LEFT JOIN users u ON u.tailnet_id = k.tailnet_id AND u.user_id = k.user_id
     WHERE k.key_id = $1`,
    [keyId],
  );
  if (!r) return undefined;
  return {
    tailnetId: r.tailnet_id as string,
    tailnetName: r.tailnet_name as string,
    keyId: r.key_id as string,
    keyType: r.key_type as KeyType,
    secretHash: r.secret_hash as Buffer,
    expiresAt: (r.expires_at as Date | null) ?? null,
    revokedAt: (r.revoked_at as Date | null) ?? null,
    userId: (r.user_id as string | null) ?? null,
    loginName: (r.login_name as string | null) ?? null,
    role: (r.role as string | null) ?? null,
    userActive: r.user_active as boolean,
    scopes: r.scopes as string[],
    tags: r.tags as string[],
    deviceId: (r.device_id as string | null) ?? null,
  };
}

/** Replaces an OAuth client's scopes, tags and description. */
export async function updateClient(
  db: Queryable,
  tailnetId: string,
  keyId: string,
  u: { scopes: string[]; tags: string[]; description: string },
  now: Date,
): Promise<KeyRow | undefined> {
  const [row] = await query(
    db,
    `UPDATE keys SET scopes = $3, tags = $4, description = $5, updated_at = $6
     WHERE tailnet_id = $1 AND key_id = $2 AND key_type = 'client' RETURNING ${COLUMNS}`,
    [tailnetId, keyId, u.scopes, u.tags, u.description, now],
  );
  return row ? toKey(row) : undefined;
}
