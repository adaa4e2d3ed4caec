import { enqueueEvent } from "../db/webhooks.js";
import type { Queryable } from "../db/sql.js";
import type { Deps } from "./deps.js";

/**
 * Webhook events, emitted by the domain layer in the transaction of the
 * change they announce (a transactional outbox: the event exists exactly
 * when the change does, and survives any crash after commit). Delivery is
 * src/jobs/webhooks.ts. The vocabulary is Tailscale's `subscriptions` list.
 *
 *     await emit(tx, d, actor, "nodeDeleted", `Node ${fqdn} deleted`, nodeData(device, actor));
 */
export const TAILNET_MANAGEMENT_EVENTS = [
  "nodeCreated",
  "nodeNeedsApproval",
  "nodeApproved",
  "nodeKeyExpiringInOneDay",
  "nodeKeyExpired",
  "nodeDeleted",
  "policyUpdate",
  "userCreated",
  "userNeedsApproval",
  "userSuspended",
  "userRestored",
  "userDeleted",
  "userApproved",
  "userRoleUpdated",
] as const;
export const DEVICE_MISCONFIGURATION_EVENTS = ["subnetIPForwardingNotEnabled", "exitNodeIPForwardingNotEnabled"] as const;
/** Categories a subscription may name instead of single events (they include events added later). */
export const CATEGORIES = {
  categoryTailnetManagement: TAILNET_MANAGEMENT_EVENTS,
  categoryDeviceMisconfigurations: DEVICE_MISCONFIGURATION_EVENTS,
} as const;

export type EventType = (typeof TAILNET_MANAGEMENT_EVENTS)[number] | (typeof DEVICE_MISCONFIGURATION_EVENTS)[number];
export const EVENT_TYPES: readonly EventType[] = [...TAILNET_MANAGEMENT_EVENTS, ...DEVICE_MISCONFIGURATION_EVENTS];
export const SUBSCRIPTION_NAMES: readonly string[] = [...EVENT_TYPES, ...Object.keys(CATEGORIES)];

function categoryOf(type: EventType): string {
  return (TAILNET_MANAGEMENT_EVENTS as readonly string[]).includes(type) ? "categoryTailnetManagement" : "categoryDeviceMisconfigurations";
}

/** Tailscale's event object; a delivery's body is a JSON array of them. */
export type WebhookEvent = {
  timestamp: string;
  version: 1;
  type: EventType | "test";
  tailnet: string;
  message: string;
  data?: Record<string, unknown>;
};

type TailnetRef = { tailnetId: string; tailnetName: string };

/** Queues an event for every endpoint of the tailnet subscribed to it (or to its category). */
export async function emit(tx: Queryable, d: Deps, tailnet: TailnetRef, type: EventType, message: string, data: Record<string, unknown>): Promise<void> {
  const now = d.clock.now();
  const event: WebhookEvent = { timestamp: now.toISOString(), version: 1, type, tailnet: tailnet.tailnetName, message, data };
  await enqueueEvent(tx, tailnet.tailnetId, { type, names: [type, categoryOf(type)], event, now });
}

/** Queues Tailscale's test event for one endpoint. */
export async function emitTest(tx: Queryable, d: Deps, tailnet: TailnetRef, endpointId: string): Promise<void> {
  const now = d.clock.now();
  const event: WebhookEvent = { timestamp: now.toISOString(), version: 1, type: "test", tailnet: tailnet.tailnetName, message: "This is a test event", data: {} };
  await enqueueEvent(tx, tailnet.tailnetId, { type: "test", names: [], event, now, endpointId });
}

/** The `data` of node events: the device, who manages it, who acted. */
export function nodeData(
  device: { nodeId: string; name: string; dnsSuffix: string; tags: readonly string[]; userLogin: string },
  actorName: string,
): Record<string, unknown> {
  return {
    nodeID: device.nodeId,
    deviceName: `${device.name}.${device.dnsSuffix}`,
    managedBy: device.tags.length ? device.tags.join(", ") : device.userLogin,
    actor: actorName,
    url: `/api/v2/device/${device.nodeId}`,
  };
}

/** How an actor is named in event data: the user's login, or the OAuth client's id. */
export function actorName(actor: { kind: string; keyId: string; user?: { loginName: string } }): string {
  return actor.user?.loginName ?? actor.keyId;
}
