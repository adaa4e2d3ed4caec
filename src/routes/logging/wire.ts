import { z } from "@hono/zod-openapi";
import type { AuditRow } from "../../domain/audit.js";
import { DESTINATION_TYPES } from "../../domain/logging.js";
import { invalid } from "../../lib/errors.js";

/** RFC 3339 query times (`start`, `end`); a clear 400 otherwise. */
export const TimeParam = (name: string) =>
  z
    .string()
    .refine((v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(v) && !Number.isNaN(Date.parse(v)), "must be an RFC 3339 time, e.g. 2024-06-01T00:00:00Z")
    .openapi({ param: { name, in: "query", required: true }, example: name === "start" ? "2024-06-01T00:00:00Z" : "2024-06-02T00:00:00Z" });

export const LogTypeParam = z
  .enum(["configuration", "network"], { message: "must be configuration or network" })
  .openapi({ param: { name: "logType", in: "path" }, example: "configuration" });

/** Repeated query keys, or one comma-separated value: `?event=NODE.CREATE&event=USER.CREATE`. */
export function listParam(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

const ORIGINS: Record<string, "CONFIG_API" | "ADMIN_CONSOLE" | "NODE" | "CONTROL"> = {
  api: "CONFIG_API",
  console: "ADMIN_CONSOLE",
  cli: "ADMIN_CONSOLE",
  node: "NODE",
  system: "CONTROL",
};

const AnyValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.unknown()), z.record(z.string(), z.unknown())]);

export const ConfigurationAuditLogSchema = z
  .object({
    eventTime: z.string().openapi({ format: "date-time" }),
    type: z.literal("CONFIG"),
    deferredAt: z.string(),
    eventGroupID: z.string(),
    origin: z.enum(["CONFIG_API", "ADMIN_CONSOLE", "NODE", "CONTROL"]).openapi({ description: "CONFIG_API: the API; ADMIN_CONSOLE: the web console (/admin) or the tailapi CLI; NODE: the node API; CONTROL: tailapi itself." }),
    actor: z.object({
      id: z.string(),
      type: z.enum(["USER", "NODE", "AUTOMATED_WORKER", "OAUTH_CLIENT"]),
      loginName: z.string().optional(),
      displayName: z.string().optional(),
      tags: z.array(z.string()).optional(),
    }),
    target: z.object({
      id: z.string(),
      name: z.string().optional(),
      type: z.string(),
      isEphemeral: z.boolean().optional(),
      property: z.string().optional(),
    }),
    action: z.string(),
    old: AnyValue.optional(),
    new: AnyValue.optional(),
    actionDetails: z.string().optional(),
    tailapi: z
      .object({ origin: z.enum(["api", "console", "cli", "node", "system"]), requestId: z.string(), credentialId: z.string().optional() })
      .openapi({ description: "tailapi's own detail: where the change came from, the request id (X-Request-Id), the credential used." }),
  })
  .openapi("ConfigurationAuditLog");

export function toWireAuditLog(r: AuditRow): z.infer<typeof ConfigurationAuditLogSchema> {
  const actor: z.infer<typeof ConfigurationAuditLogSchema>["actor"] = { id: r.actorId, type: r.actorType as "USER" };
  if (r.actorLogin) actor.loginName = r.actorLogin;
  if (r.actorDisplay) actor.displayName = r.actorDisplay;
  if (r.actorTags.length) actor.tags = r.actorTags;
  const target: z.infer<typeof ConfigurationAuditLogSchema>["target"] = { id: r.targetId, type: r.targetType };
  if (r.targetName) target.name = r.targetName;
  if (r.targetProperty) target.property = r.targetProperty;
  if (r.targetEphemeral !== null && r.targetType === "NODE") target.isEphemeral = r.targetEphemeral;
  const out: z.infer<typeof ConfigurationAuditLogSchema> = {
    eventTime: r.eventTime.toISOString(),
    type: "CONFIG",
    deferredAt: "0001-01-01T00:00:00Z",
    eventGroupID: r.eventGroupId,
    origin: ORIGINS[r.origin] ?? "CONTROL",
    actor,
    target,
    action: r.action,
    tailapi: r.credentialId ? { origin: r.origin as "api", requestId: r.requestId, credentialId: r.credentialId } : { origin: r.origin as "api", requestId: r.requestId },
  };
  if (r.oldValue !== undefined && r.oldValue !== null) out.old = r.oldValue as never;
  if (r.newValue !== undefined && r.newValue !== null) out.new = r.newValue as never;
  if (r.details) out.actionDetails = r.details;
  return out;
}

export const LogstreamConfigurationSchema = z
  .object({
    logType: z.enum(["configuration", "network"]).optional(),
    destinationType: z.enum(DESTINATION_TYPES),
    url: z.string().optional(),
    user: z.string().optional(),
    uploadPeriodMinutes: z.number().int().optional(),
    compressionFormat: z.enum(["none", "zstd", "gzip"]).optional(),
    s3Bucket: z.string().optional(),
    s3Region: z.string().optional(),
    s3KeyPrefix: z.string().optional(),
    s3AuthenticationType: z.enum(["accesskey", "rolearn"]).optional(),
    s3AccessKeyId: z.string().optional(),
    s3RoleArn: z.string().optional(),
    s3ExternalId: z.string().optional(),
    gcsBucket: z.string().optional(),
    gcsKeyPrefix: z.string().optional(),
    gcsScopes: z.array(z.string()).optional(),
  })
  .openapi("LogstreamEndpointConfiguration");

const str = (max: number) => z.string().max(max, `must be at most ${max} characters`).optional();

export const SetLogstreamBody = z
  .object({
    destinationType: z.enum(DESTINATION_TYPES, { message: `must be one of ${DESTINATION_TYPES.join(", ")}` }),
    url: z
      .string()
      .max(2048, "must be at most 2048 characters")
      .refine((v) => /^https?:\/\/\S+$/.test(v), "must be an http(s) URL")
      .optional(),
    user: str(256),
    token: str(4096).openapi({ description: "Accepted and dropped: tailapi streams nothing, so it keeps no credentials." }),
    uploadPeriodMinutes: z.number().int().min(0).max(1440).optional(),
    compressionFormat: z.enum(["none", "zstd", "gzip"], { message: "must be none, zstd or gzip" }).optional(),
    s3Bucket: str(256),
    s3Region: str(64),
    s3KeyPrefix: str(1024),
    s3AuthenticationType: z.enum(["accesskey", "rolearn"], { message: "must be accesskey or rolearn" }).optional(),
    s3AccessKeyId: str(256),
    s3SecretAccessKey: str(4096).openapi({ description: "Accepted and dropped." }),
    s3RoleArn: str(2048),
    s3ExternalId: str(256),
    gcsBucket: str(256),
    gcsKeyPrefix: str(1024),
    gcsScopes: z.array(z.string().max(256)).max(20).optional(),
    gcsCredentials: str(16384).openapi({ description: "Accepted and dropped." }),
  })
  .openapi("SetLogstreamConfigurationRequest");

export function parseWindow(q: { start: string; end: string }): { start: Date; end: Date } {
  const start = new Date(q.start);
  const end = new Date(q.end);
  if (end.getTime() <= start.getTime()) throw invalid("invalid end: must be after start");
  return { start, end };
}
