import { z } from "@hono/zod-openapi";
import type { Device } from "../../domain/devices.js";
import { postureOf } from "../../domain/posture.js";
import { wrongType } from "../define.js";
import { canonicalCidr } from "../../domain/subnets.js";

/** Go's zero time: what Tailscale sends for "no expiry". */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

const ClientConnectivity = z
  .object({
    endpoints: z.array(z.string()),
    derp: z.string().optional().openapi({ description: "The DERP region the device prefers, when it reported one." }),
    mappingVariesByDestIP: z.boolean(),
    latency: z.record(z.string(), z.object({ preferred: z.boolean().optional(), latencyMs: z.number() })),
    clientSupports: z.object({
      hairPinning: z.boolean().nullable(),
      ipv6: z.boolean(),
      pcp: z.boolean(),
      pmp: z.boolean(),
      udp: z.boolean(),
      upnp: z.boolean(),
    }),
  })
  .openapi("ClientConnectivity");

const PostureValue = z.union([z.string(), z.number(), z.boolean()]);

/** A device's posture attributes: `node:` ones derived from the device, `custom:` ones with their expiries. */
export const PostureAttributesSchema = z
  .object({
    attributes: z.record(z.string(), PostureValue).openapi({ example: { "custom:tier": "gold", "node:os": "linux", "node:tsVersion": "1.80.0" } }),
    expiries: z.record(z.string(), z.string()).openapi({ description: "Expiry of each custom attribute that has one.", example: { "custom:tier": "2030-01-02T03:04:05Z" } }),
  })
  .openapi("DevicePostureAttributes");

/** The Device object (notes d.1; official schema `Device`). Conditional fields are optional. */
export const DeviceSchema = z
  .object({
    addresses: z.array(z.string()).openapi({ example: ["100.87.74.78", "fd7a:115c:a1e0:ac82:4843:ca90:697d:c36e"] }),
    id: z.string().openapi({ description: "Legacy numeric id, as a string.", example: "393735751060" }),
    nodeId: z.string().openapi({ description: "Preferred id.", example: "n5SUKe8CNTRL" }),
    user: z.string().openapi({ description: "Login name of the user who registered the device.", example: "amelie@example.com" }),
    name: z.string().openapi({ description: "MagicDNS name.", example: "pangolin.tailfe8c.ts.net" }),
    hostname: z.string().openapi({ example: "pangolin" }),
    clientVersion: z.string(),
    updateAvailable: z.boolean(),
    os: z.string().openapi({ example: "linux" }),
    created: z.string().openapi({ format: "date-time" }),
    connectedToControl: z.boolean(),
    lastSeen: z.string().optional().openapi({ format: "date-time", description: "Omitted while connectedToControl, or if never seen." }),
    keyExpiryDisabled: z.boolean(),
    expires: z.string().openapi({ format: "date-time" }),
    authorized: z.boolean(),
    isExternal: z.boolean(),
    multipleConnections: z.boolean().optional().openapi({ description: "Only present when true." }),
    machineKey: z.string(),
    nodeKey: z.string(),
    blocksIncomingConnections: z.boolean(),
    tags: z.array(z.string()).optional().openapi({ description: "Omitted when the device has no tags." }),
    tailnetLockError: z.string(),
    tailnetLockKey: z.string(),
    isEphemeral: z.boolean(),
    enabledRoutes: z.array(z.string()).optional().openapi({ description: "Only with fields=all." }),
    advertisedRoutes: z.array(z.string()).optional().openapi({ description: "Only with fields=all." }),
    clientConnectivity: ClientConnectivity.optional().openapi({ description: "Only with fields=all." }),
    sshEnabled: z.boolean().optional().openapi({ description: "Only with fields=all." }),
    distro: z
      .object({ name: z.string(), version: z.string(), codeName: z.string() })
      .optional()
      .openapi({ description: "Only with fields=all, for devices that report it." }),
    postureIdentity: z
      .object({ serialNumbers: z.array(z.string()).optional(), disabled: z.boolean().optional() })
      .optional()
      .openapi({ description: "Only with fields=all." }),
    postureAttributes: PostureAttributesSchema.optional().openapi({
      description:
        "tailapi extension, only with fields=all and only for the tailnet's own devices: the device's posture attributes, " +
        "as GET /device/{id}/attributes answers them (Tailscale needs one call per device for this).",
    }),
  })
  .openapi("Device");

export type WireDevice = z.infer<typeof DeviceSchema>;

/** `fields=default|all`, comma-separated values allowed; `all` wins. */
export const FieldsParam = z
  .string()
  .regex(/^(default|all)(,(default|all))*$/, 'must be "default" or "all"')
  .optional()
  .openapi({ param: { name: "fields", in: "query" }, example: "all", description: "`default` (or absent): all fields except the all-only set; `all`: every field." });

export function wantsAll(fields: string | undefined): boolean {
  return fields !== undefined && fields.split(",").includes("all");
}

const NO_CONNECTIVITY = {
  endpoints: [],
  mappingVariesByDestIP: false,
  latency: {},
  clientSupports: { hairPinning: null, ipv6: false, pcp: false, pmp: false, udp: false, upnp: false },
};

/** The wire form of a device, with exactly the field set of `fields=default` or `fields=all` (notes d.2). */
export function toWireDevice(r: Device, all: boolean): WireDevice {
  // One literal with every field in wire order, those absent from this device
  // left undefined (JSON leaves them out): every device then has the same
  // hidden class, which JSON.stringify walks fastest. Spreading conditional
  // fragments instead cost a 10,000-device list about a fifth more to serialise.
  return {
    addresses: [r.ipv4, r.ipv6],
    id: r.deviceId,
    nodeId: r.nodeId,
    user: r.userLogin,
    name: `${r.name}.${r.dnsSuffix}`,
    hostname: r.hostname,
    clientVersion: r.clientVersion,
    updateAvailable: r.updateAvailable,
    os: r.os,
    created: r.created,
    connectedToControl: r.connectedToControl,
    lastSeen: !r.connectedToControl && r.lastSeen ? r.lastSeen : undefined,
    keyExpiryDisabled: r.keyExpiryDisabled,
    expires: r.expires ?? ZERO_TIME,
    authorized: r.authorized,
    isExternal: r.isExternal,
    multipleConnections: r.multipleConnections ? true : undefined,
    machineKey: r.machineKey,
    nodeKey: r.nodeKey,
    blocksIncomingConnections: r.blocksIncomingConnections,
    tags: r.tags.length ? r.tags : undefined,
    tailnetLockError: r.tailnetLockError,
    tailnetLockKey: r.tailnetLockKey,
    isEphemeral: r.isEphemeral,
    enabledRoutes: all ? r.enabledRoutes : undefined,
    advertisedRoutes: all ? r.advertisedRoutes : undefined,
    clientConnectivity: all ? ((r.clientConnectivity as WireDevice["clientConnectivity"]) ?? NO_CONNECTIVITY) : undefined,
    sshEnabled: all ? r.sshEnabled : undefined,
    distro: all && r.distro ? (r.distro as WireDevice["distro"]) : undefined,
    postureIdentity: all ? ((r.postureIdentity as WireDevice["postureIdentity"]) ?? { disabled: true }) : undefined,
    postureAttributes: all && r.posture ? postureOf(r, r.posture) : undefined,
  };
}

/** A subnet route in canonical form; anything else is a 400 naming the entry. */
export const CidrSchema = z
  .string()
  .max(64)
  .transform((s, ctx) => {
    const canonical = canonicalCidr(s);
    if (canonical === undefined) {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not an IP prefix with no host bits set, like 10.0.0.0/16` });
      return z.NEVER;
    }
    return canonical;
  });

/** `{}`: what Tailscale answers to most device POSTs. */
export const EmptySchema = z.object({}).openapi("EmptyObject", { description: "An empty JSON object." });

export const DeviceRoutesSchema = z
  .object({
    advertisedRoutes: z.array(z.string()).openapi({ example: ["10.0.0.0/16", "192.168.1.0/24"] }),
    enabledRoutes: z.array(z.string()).openapi({ example: ["10.0.0.0/16"] }),
  })
  .openapi("DeviceRoutes");

export const AttributeKeyParam = z
  .string()
  .min(1)
  .max(100)
  .openapi({ param: { name: "attributeKey", in: "path" }, example: "custom:tier", description: "A `custom:` attribute key." });

/** One attribute write, as the Go client sends it (`expiry` always present, Go's zero time when unset; `comment` always present). */
export const AttributeWriteSchema = z
  .object({
    value: z
      .union([z.string(), z.number(), z.boolean()], wrongType("must be a string, a number or a boolean"))
      .openapi({ description: "A string, a number or a boolean.", example: "gold" }),
    expiry: z.string().max(64).nullish().openapi({ description: "RFC 3339; absent, empty or 0001-01-01T00:00:00Z means none.", example: "2030-01-02T03:04:05Z" }),
    comment: z.string().optional().openapi({ description: "Kept for the audit trail; at most 200 characters." }),
  })
  .openapi("PostureAttributeWrite");
