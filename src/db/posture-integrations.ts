import { query, type Queryable } from "./sql.js";

export type PostureIntegrationRow = { id: string; provider: string; cloudId: string; clientId: string; tenantId: string; updatedAt: Date };

const COLUMNS = "integration_id, provider, cloud_id, client_id, tenant_id, updated_at";
const toRow = (r: Record<string, unknown>): PostureIntegrationRow => ({
  id: r.integration_id as string,
  provider: r.provider as string,
  cloudId: r.cloud_id as string,
  clientId: r.client_id as string,
  tenantId: r.tenant_id as string,
  updatedAt: r.updated_at as Date,
});

export async function listIntegrations(db: Queryable, tailnetId: string): Promise<PostureIntegrationRow[]> {
  return (await query(db, `SELECT ${COLUMNS} FROM posture_integrations WHERE tailnet_id = $1 ORDER BY provider`, [tailnetId])).map(toRow);
}

export async function getIntegration(db: Queryable, tailnetId: string, id: string): Promise<PostureIntegrationRow | undefined> {
  const [r] = await query(db, `SELECT ${COLUMNS} FROM posture_integrations WHERE tailnet_id = $1 AND integration_id = $2`, [tailnetId, id]);
  return r ? toRow(r) : undefined;
}

/** Inserts an integration; undefined when the tailnet already has one for that provider. */
export async function insertIntegration(db: Queryable, tailnetId: string, p: PostureIntegrationRow): Promise<PostureIntegrationRow | undefined> {
  const [r] = await query(
    db,
    `INSERT INTO posture_integrations (tailnet_id, integration_id, provider, cloud_id, client_id, tenant_id, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tailnet_id, provider) DO NOTHING RETURNING ${COLUMNS}`,
    [tailnetId, p.id, p.provider, p.cloudId, p.clientId, p.tenantId, p.updatedAt],
  );
  return r ? toRow(r) : undefined;
}

export async function updateIntegration(db: Queryable, tailnetId: string, p: PostureIntegrationRow): Promise<PostureIntegrationRow | undefined> {
  const [r] = await query(
    db,
    `UPDATE posture_integrations SET cloud_id = $3, client_id = $4, tenant_id = $5, updated_at = $6
     WHERE tailnet_id = $1 AND integration_id = $2 RETURNING ${COLUMNS}`,
    [tailnetId, p.id, p.cloudId, p.clientId, p.tenantId, p.updatedAt],
  );
  return r ? toRow(r) : undefined;
}

export async function deleteIntegration(db: Queryable, tailnetId: string, id: string): Promise<PostureIntegrationRow | undefined> {
  const [r] = await query(db, `DELETE FROM posture_integrations WHERE tailnet_id = $1 AND integration_id = $2 RETURNING ${COLUMNS}`, [tailnetId, id]);
  return r ? toRow(r) : undefined;
}
