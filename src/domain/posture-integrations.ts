import {
  deleteIntegration,
  getIntegration as getIntegrationRow,
  insertIntegration,
  listIntegrations as listIntegrationRows,
  updateIntegration as updateIntegrationRow,
  type PostureIntegrationRow,
} from "../db/posture-integrations.js";
import { conflict, invalid, notFound } from "../lib/errors.js";
import type { Actor } from "./actor.js";
import { audit, tailnetTarget } from "./audit.js";
import type { Deps } from "./deps.js";

export type { PostureIntegrationRow as PostureIntegration };

/**
 * Posture integrations: configuration stored, validated and returned as
 * documented. tailapi never calls the provider, so the client secret is
 * required where Tailscale requires it and then dropped, never stored.
 */
export const PROVIDERS = ["falcon", "intune", "jamfpro", "kandji", "kolide", "sentinelone", "fleet", "huntress"] as const;
export const NOT_SYNCING = "tailapi does not call device posture providers: this integration is stored only";

type Fields = { cloudId?: string; clientId?: string; tenantId?: string };

const summary = (p: PostureIntegrationRow) => ({ id: p.id, provider: p.provider, cloudId: p.cloudId, clientId: p.clientId, tenantId: p.tenantId });

export function listIntegrations(d: Deps, actor: Actor): Promise<PostureIntegrationRow[]> {
  return listIntegrationRows(d.sql, actor.tailnetId);
}

export async function getIntegration(d: Deps, actor: Actor, id: string): Promise<PostureIntegrationRow> {
  const r = await getIntegrationRow(d.sql, actor.tailnetId, id);
  if (!r) throw notFound();
  return r;
}

export async function createIntegration(d: Deps, actor: Actor, p: Fields & { provider: string; clientSecret?: string }): Promise<PostureIntegrationRow> {
  if (!p.clientSecret) throw invalid("clientSecret is required");
  return d.sql.begin(async (tx) => {
    const row = await insertIntegration(tx, actor.tailnetId, {
      id: `p${d.ids.token().slice(0, 16)}`,
      provider: p.provider,
      cloudId: p.cloudId ?? "",
      clientId: p.clientId ?? "",
      tenantId: p.tenantId ?? "",
      updatedAt: d.clock.now(),
    });
    if (!row) throw conflict(`a posture integration for ${p.provider} already exists`);
    await audit(tx, d, actor, { action: "CREATE", target: tailnetTarget(actor, "POSTURE_INTEGRATION"), new: summary(row) });
    return row;
  });
}

/** Changes the fields given; an absent clientSecret keeps the previous one (there is none stored to keep). */
export async function updateIntegration(d: Deps, actor: Actor, id: string, p: Fields): Promise<PostureIntegrationRow> {
  return d.sql.begin(async (tx) => {
    const before = await getIntegrationRow(tx, actor.tailnetId, id);
    if (!before) throw notFound();
    const row = (await updateIntegrationRow(tx, actor.tailnetId, {
      ...before,
      cloudId: p.cloudId ?? before.cloudId,
      clientId: p.clientId ?? before.clientId,
      tenantId: p.tenantId ?? before.tenantId,
      updatedAt: d.clock.now(),
    }))!;
    await audit(tx, d, actor, { action: "UPDATE", target: tailnetTarget(actor, "POSTURE_INTEGRATION"), old: summary(before), new: summary(row) });
    return row;
  });
}

export async function removeIntegration(d: Deps, actor: Actor, id: string): Promise<void> {
  await d.sql.begin(async (tx) => {
    const row = await deleteIntegration(tx, actor.tailnetId, id);
    if (!row) throw notFound();
    await audit(tx, d, actor, { action: "DELETE", target: tailnetTarget(actor, "POSTURE_INTEGRATION"), old: summary(row) });
  });
}
