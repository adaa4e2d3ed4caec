import { availableParallelism } from "node:os";
import { z } from "zod";
import { isApiKeyFormat } from "./auth/credentials.js";
import { tailnetNameProblem } from "./domain/tailnets.js";
import { parseAllowList, type AllowList } from "./lib/outbound.js";
import { parseDuration } from "./lib/time.js";

/** A duration with its unit (`45s`, `10m`, `2h`, `1d`), as milliseconds. */
function duration(dflt: string) {
  return z
    .string()
    .regex(/^\d{1,9}(s|m|h|d)$/, "must be a duration with its unit, such as 45s, 10m, 2h or 1d")
    .default(dflt)
    .transform((v) => parseDuration(v)! * 1000)
    .refine((ms) => ms >= 1000, "must be at least 1s");
}

/** An http(s) URL with no query or fragment. */
function httpUrl(what: string) {
  return z.string().refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "http:" || u.protocol === "https:") && !u.search && !u.hash && !u.username;
    } catch {
      return false;
    }
  }, `must be an http:// or https:// URL: ${what}`);
}

/** A whole number in [min, max] (digits only: no `1e3`, no `0x10`). */
function wholeNumber(min: number, max: number, dflt: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,9}$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message)
    .default(dflt);
}

/**
 * Configuration, parsed once from the environment. Every setting is listed in
 * the README's configuration table; keep the two in step.
 */
const EnvSchema = z.object({
  PORT: z
    .string()
    .regex(/^\d{1,5}$/, "must be a port number from 0 to 65535")
    .transform(Number)
    .refine((n) => n <= 65535, "must be a port number from 0 to 65535")
    .default(8080),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATABASE_DIRECT_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  TAILAPI_DB_PREPARED_STATEMENTS: z.enum(["true", "false"], { message: 'must be "true" or "false"' }).default("true"),
  TAILAPI_DATA_DIR: z.string().min(1).default("./data"),
  TAILAPI_TAILNET: z
    .string()
    .superRefine((v, ctx) => {
      const problem = tailnetNameProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .default("example.com"),
  TAILAPI_BOOTSTRAP_API_KEY: z
    .string()
    .refine(isApiKeyFormat, "must be a well-formed API key: tskey-api-<id>-<secret> (secret of at least 22 characters from [A-Za-z0-9])")
    .optional(),
  TAILAPI_ENCRYPTION_KEY: z
    .string()
    .refine((v) => decodeKey(v) !== undefined, "must be 32 random bytes, base64 or hex encoded (e.g. `openssl rand -base64 32`)")
    .optional(),
  TAILAPI_DB_POOL_SIZE: z
    .string()
    .regex(/^\d{1,3}$/, "must be a whole number from 1 to 200")
    .transform(Number)
    .refine((n) => n >= 1 && n <= 200, "must be a whole number from 1 to 200")
    .default(10),
  TAILAPI_WORKERS: z
    .string()
    .regex(/^(auto|\d{1,2})$/, 'must be "auto" or a whole number from 1 to 64')
    .transform((v) => (v === "auto" ? availableParallelism() : Number(v)))
    .refine((n) => n >= 1 && n <= 64, 'must be "auto" or a whole number from 1 to 64')
    .default(1),
  TAILAPI_DB_STATEMENT_TIMEOUT_MS: wholeNumber(100, 3_600_000, 5000),
  TAILAPI_DB_MAX_WAITING: wholeNumber(1, 100_000, 500),
  TAILAPI_RATE_LIMIT: wholeNumber(0, 999_999_999, 3000),
  TAILAPI_TOKEN_RATE_LIMIT: wholeNumber(0, 999_999_999, 600),
  TAILAPI_NODE_RATE_LIMIT: wholeNumber(0, 999_999_999, 1200),
  TAILAPI_RATE_LIMIT_SYNC_MS: wholeNumber(50, 60_000, 1000),
  TAILAPI_METRICS_PORT: wholeNumber(0, 65535, -1),
  TAILAPI_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  TAILAPI_CORS_ORIGINS: z
    .string()
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .superRefine((list, ctx) => {
      for (const o of list) {
        if (o !== "*" && !/^https?:\/\/[^/\s]+$/.test(o)) ctx.addIssue({ code: "custom", message: `"${o}" is not an origin like https://app.example.com (or *)` });
      }
    })
    .default([]),
  TAILAPI_OFFLINE_AFTER: duration("60s"),
  TAILAPI_EPHEMERAL_TIMEOUT: duration("30m"),
  TAILAPI_PUBLIC_URL: httpUrl("the address clients reach this server at, such as https://tailapi.example.com").optional(),
  TAILAPI_SEED: z.string().optional(),
  TAILAPI_URL: httpUrl("the server the CLI talks to, such as http://127.0.0.1:8080").optional(),
  TAILAPI_API_KEY: z.string().optional(),
  TAILAPI_OUTBOUND_ALLOW: z
    .string()
    .refine((v) => tryAllowList(v) !== undefined, "must be comma-separated IP addresses or CIDR prefixes, e.g. 127.0.0.0/8,::1/128")
    .default(""),
  TAILAPI_WEBHOOK_TIMEOUT_MS: wholeNumber(100, 120_000, 10_000),
  TAILAPI_WEBHOOK_RETRY_WINDOW: duration("24h"),
  TAILAPI_WEBHOOK_POLL_MS: wholeNumber(50, 60_000, 1000),
  TAILAPI_WEBHOOK_WORKER: z.enum(["on", "off"], { message: "must be on or off" }).default("on"),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { message: "must be one of fatal, error, warn, info, debug, trace, silent" })
    .default("info"),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  defaultTailnet: string;
  bootstrapApiKey: string | undefined;
  /** Master key for signing keys at rest (32 bytes); when unset, a key file in the data dir is used. */
  encryptionKey: Uint8Array | undefined;
  dbPoolSize: number;
  /** Server processes sharing the port (node:cluster); 1 means this process serves alone. */
  workers: number;
  /**
   * The same PostgreSQL without a connection pooler in between, for what needs
   * a session of its own: migrations (a session advisory lock) and LISTEN.
   * Unset: DATABASE_URL is used for those too.
   */
  databaseDirectUrl: string | undefined;
  /** Whether queries use named prepared statements (off behind a transaction-pooling PgBouncer older than 1.21). */
  dbPreparedStatements: boolean;
  /** statement_timeout of every connection (ms). */
  dbStatementTimeoutMs: number;
  /** Most requests waiting on the database at once; more get 503 at once. */
  dbMaxWaiting: number;
  /** Requests per minute: per credential, per address on the token endpoint (and failed logins), per address on the node API; 0 is off. */
  rateLimits: { credential: number; tokenPerAddress: number; nodePerAddress: number };
  /** Where /metrics is served (its own listener); undefined: off. */
  metrics: { host: string; port: number } | undefined;
  /** Origins browsers may call the API from (CORS); empty: none. */
  corsOrigins: string[];
  /** How often replicas share their rate-limit counts (ms). */
  rateLimitSyncMs: number;
  /** A device is shown as connected for this long after its last report. */
  offlineAfterMs: number;
  /** An ephemeral device silent for this long is deleted. */
  ephemeralTimeoutMs: number;
  /** Base of the links the server hands out (web registration's authUrl, invite URLs); else each request's own origin. */
  publicUrl: string | undefined;
  /** Files or directories imported into the default tailnet when a start creates it (CI stand-ins). */
  seed: string[];
  /** The CLI's remote mode: the server to call, with this API key; unset means the local database. */
  serverUrl: string | undefined;
  apiKey: string | undefined;
  logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
  /** Networks outbound requests may reach besides global unicast addresses (default: none). */
  outboundAllow: AllowList;
  webhooks: {
    /** Whether this process delivers webhooks (every replica may). */
    worker: boolean;
    timeoutMs: number;
    /** How long after an event its delivery is retried before it is marked failed. */
    retryWindowMs: number;
    pollMs: number;
  };
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", as in most shells' `FOO= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if (e.DATABASE_DIRECT_URL && !e.DATABASE_URL) {
    throw new ConfigError("invalid configuration:\n  DATABASE_DIRECT_URL: needs DATABASE_URL (it is the same database without the pooler)");
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.TAILAPI_DATA_DIR,
    defaultTailnet: e.TAILAPI_TAILNET,
    bootstrapApiKey: e.TAILAPI_BOOTSTRAP_API_KEY,
    encryptionKey: e.TAILAPI_ENCRYPTION_KEY ? decodeKey(e.TAILAPI_ENCRYPTION_KEY) : undefined,
    dbPoolSize: e.TAILAPI_DB_POOL_SIZE,
    workers: e.TAILAPI_WORKERS,
    databaseDirectUrl: e.DATABASE_DIRECT_URL,
    dbPreparedStatements: e.TAILAPI_DB_PREPARED_STATEMENTS === "true",
    dbStatementTimeoutMs: e.TAILAPI_DB_STATEMENT_TIMEOUT_MS,
    dbMaxWaiting: e.TAILAPI_DB_MAX_WAITING,
    rateLimits: { credential: e.TAILAPI_RATE_LIMIT, tokenPerAddress: e.TAILAPI_TOKEN_RATE_LIMIT, nodePerAddress: e.TAILAPI_NODE_RATE_LIMIT },
    rateLimitSyncMs: e.TAILAPI_RATE_LIMIT_SYNC_MS,
    corsOrigins: e.TAILAPI_CORS_ORIGINS,
    metrics: e.TAILAPI_METRICS_PORT >= 0 ? { host: e.TAILAPI_METRICS_HOST, port: e.TAILAPI_METRICS_PORT } : undefined,
    offlineAfterMs: e.TAILAPI_OFFLINE_AFTER,
    ephemeralTimeoutMs: e.TAILAPI_EPHEMERAL_TIMEOUT,
    publicUrl: e.TAILAPI_PUBLIC_URL?.replace(/\/+$/, ""),
    seed: (e.TAILAPI_SEED ?? "").split(",").map((p) => p.trim()).filter(Boolean),
    serverUrl: e.TAILAPI_URL?.replace(/\/+$/, ""),
    apiKey: e.TAILAPI_API_KEY,
    logLevel: e.LOG_LEVEL,
    outboundAllow: parseAllowList(e.TAILAPI_OUTBOUND_ALLOW),
    webhooks: {
      worker: e.TAILAPI_WEBHOOK_WORKER === "on",
      timeoutMs: e.TAILAPI_WEBHOOK_TIMEOUT_MS,
      retryWindowMs: e.TAILAPI_WEBHOOK_RETRY_WINDOW,
      pollMs: e.TAILAPI_WEBHOOK_POLL_MS,
    },
  };
}

function tryAllowList(text: string): AllowList | undefined {
  try {
    return parseAllowList(text);
  } catch {
    return undefined;
  }
}

/** 32 bytes from hex (64 digits) or base64/base64url; undefined if it is not that. */
export function decodeKey(text: string): Uint8Array | undefined {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, "hex") : /^[A-Za-z0-9+/_-]{43}=?$/.test(t) ? Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64") : undefined;
  return bytes && bytes.length === 32 ? new Uint8Array(bytes) : undefined;
}
