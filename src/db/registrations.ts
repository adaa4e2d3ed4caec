import { query, type Queryable } from "./sql.js";

/** A node waiting for an admin to approve its web authentication, or approved and waiting to collect its token. */
export type PendingRegistration = {
  tailnetId: string;
  registrationKey: string;
  machineKey: string;
  nodeKey: string;
  hostname: string;
  os: string;
  osVersion: string;
  clientVersion: string;
  advertiseRoutes: string[];
  advertiseTags: string[];
  createdAt: Date;
  expiresAt: Date;
  /** Set once approved: the device made for it. */
  deviceId: string | null;
};

const COLUMNS = `r.tailnet_id::text AS tailnet_id, r.registration_key, r.machine_key, r.node_key, r.hostname, r.os, r.os_version,
  r.client_version, r.advertise_routes, r.advertise_tags, r.created_at, r.expires_at, r.device_id::text AS device_id`;

function toRegistration(r: Record<string, unknown>): PendingRegistration {
  return {
    tailnetId: r.tailnet_id as string,
    registrationKey: r.registration_key as string,
    machineKey: r.machine_key as string,
    nodeKey: r.node_key as string,
    hostname: r.hostname as string,
    os: r.os as string,
    osVersion: r.os_version as string,
    clientVersion: r.client_version as string,
    advertiseRoutes: r.advertise_routes as string[],
    advertiseTags: r.advertise_tags as string[],
    createdAt: r.created_at as Date,
    expiresAt: r.expires_at as Date,
    deviceId: (r.device_id as string | null) ?? null,
  };
}

/** Forgets the tailnet's registrations that expired (unapproved ones, and approved ones never collected). */
export async function deleteExpiredRegistrations(db: Queryable, tailnetId: string, now: Date): Promise<void> {
  await query(db, `DELETE FROM registrations WHERE tailnet_id = $1 AND expires_at <= $2`, [tailnetId, now]);
}

export async function findRegistrationByMachineKey(db: Queryable, tailnetId: string, machineKey: string, now: Date): Promise<PendingRegistration | undefined> {
  const [r] = await query(db, `SELECT ${COLUMNS} FROM registrations r WHERE r.tailnet_id = $1 AND r.machine_key = $2 AND r.expires_at > $3`, [
    tailnetId,
    machineKey,
    now,
  ]);
  return r ? toRegistration(r) : undefined;
}

export async function getRegistration(db: Queryable, tailnetId: string, registrationKey: string, now: Date, forUpdate = false): Promise<PendingRegistration | undefined> {
  const [r] = await query(
    db,
    `SELECT ${COLUMNS} FROM registrations r WHERE r.tailnet_id = $1 AND r.registration_key = $2 AND r.expires_at > $3${forUpdate ? " FOR UPDATE" : ""}`,
    [tailnetId, registrationKey, now],
  );
  return r ? toRegistration(r) : undefined;
}

/** The registration behind an authUrl, with its tailnet's name: the one lookup that starts without a tailnet id. */
export async function findRegistrationByKey(db: Queryable, registrationKey: string, now: Date): Promise<(PendingRegistration & { tailnetName: string }) | undefined> {
  const [r] = await query(
    db,
    `/* cross-tailnet: registration lookup by registration key */ SELECT ${COLUMNS}, t.name AS tailnet_name
     FROM registrations r JOIN tailnets t ON t.tailnet_id = r.tailnet_id
     WHERE r.registration_key = $1 AND r.expires_at > $2`,
    [registrationKey, now],
  );
  return r ? { ...toRegistration(r), tailnetName: r.tailnet_name as string } : undefined;
}

export type NewRegistration = Omit<PendingRegistration, "deviceId">;

export async function insertRegistration(db: Queryable, r: NewRegistration): Promise<void> {
  await query(
    db,
    `INSERT INTO registrations (tailnet_id, registration_key, machine_key, node_key, hostname, os, os_version, client_version,
       advertise_routes, advertise_tags, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      r.tailnetId, r.registrationKey, r.machineKey, r.nodeKey, r.hostname, r.os, r.osVersion, r.clientVersion, r.advertiseRoutes,
      r.advertiseTags, r.createdAt, r.expiresAt,
    ],
  );
}

/** A waiting node asked again: what it says about itself now replaces what it said before. */
export async function refreshRegistration(
  db: Queryable,
  tailnetId: string,
  registrationKey: string,
  r: Pick<PendingRegistration, "nodeKey" | "hostname" | "os" | "osVersion" | "clientVersion" | "advertiseRoutes" | "advertiseTags">,
): Promise<void> {
  await query(
    db,
    `UPDATE registrations SET node_key = $3, hostname = $4, os = $5, os_version = $6, client_version = $7, advertise_routes = $8,
       advertise_tags = $9
     WHERE tailnet_id = $1 AND registration_key = $2`,
    [tailnetId, registrationKey, r.nodeKey, r.hostname, r.os, r.osVersion, r.clientVersion, r.advertiseRoutes, r.advertiseTags],
  );
}

/** Approved: the device made for it, and a fresh window for the node to collect its token. */
export async function markRegistrationApproved(db: Queryable, tailnetId: string, registrationKey: string, deviceId: string, expiresAt: Date): Promise<void> {
  await query(db, `UPDATE registrations SET device_id = $3, expires_at = $4 WHERE tailnet_id = $1 AND registration_key = $2`, [
    tailnetId,
    registrationKey,
    deviceId,
    expiresAt,
  ]);
}

export async function deleteRegistration(db: Queryable, tailnetId: string, registrationKey: string): Promise<void> {
  await query(db, `DELETE FROM registrations WHERE tailnet_id = $1 AND registration_key = $2`, [tailnetId, registrationKey]);
}
