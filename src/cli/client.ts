import { randomBytes } from "node:crypto";
import { createApp } from "../app.js";
import { CredentialCache } from "../auth/authenticate.js";
import { TokenService } from "../auth/tokens.js";
import type { Config } from "../config.js";
import { operatorOf } from "../domain/tailnets.js";
import { createLogger } from "../lib/logger.js";
import { withRuntime } from "../runtime.js";

/**
 * How the CLI's administration verbs reach tailapi: always through its HTTP
 * API, so a verb is written once and the API's rules (scopes, roles, the
 * domain) decide the same way whichever way it runs.
 *
 * - Remote (`--server URL` or TAILAPI_URL, with TAILAPI_API_KEY): real HTTP
 *   to a running server, as the key's user.
 * - Local (the default): the same app, built in this process on the local
 *   database (the embedded one, or DATABASE_URL), every request acting as
 *   the operator of the chosen tailnet (its owner). Nothing listens.
 */
export type ApiResponse = { status: number; body: any; text: string; headers: Headers };

/** An API error answer, told as the API told it (its `message`, and `data` for failing policy tests). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export type RequestOptions = { body?: unknown; text?: string; contentType?: string; accept?: string; query?: Record<string, string | undefined> };

export class Api {
  constructor(
    private readonly send: (path: string, init: RequestInit) => Promise<Response>,
    /** The `{tailnet}` path segment: `-` locally (the operator's tailnet), else --tailnet or `-` (the key's). */
    readonly tailnet: string,
    /** Where requests go, for messages. */
    readonly where: string,
  ) {}

  /** `/api/v2/tailnet/<tailnet>` + rest. */
  tailnetPath(rest: string): string {
    return `/api/v2/tailnet/${encodeURIComponent(this.tailnet)}${rest}`;
  }

  async request(method: string, path: string, o: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers["content-type"] = "application/json";
    } else if (o.text !== undefined) {
      body = o.text;
      headers["content-type"] = o.contentType ?? "application/json";
    }
    headers.accept = o.accept ?? "application/json";
    const q = Object.entries(o.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
    const url = q.length ? `${path}?${new URLSearchParams(q).toString()}` : path;
    const res = await this.send(url, { method, headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.status >= 400) {
      const b = parsed as { message?: unknown; data?: unknown } | undefined;
      throw new ApiError(res.status, typeof b?.message === "string" ? b.message : `${method} ${path}: HTTP ${res.status}`, b?.data);
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  async get<T = any>(path: string, query?: RequestOptions["query"]): Promise<T> {
    return (await this.request("GET", path, { query })).body as T;
  }

  async post<T = any>(path: string, body?: unknown, query?: RequestOptions["query"]): Promise<T> {
    return (await this.request("POST", path, { body, query })).body as T;
  }
}

export type Target = { server?: string; tailnet?: string };

/** Runs `fn` with an API client: remote when a server is named, else local on the database. */
export async function withApi<T>(config: Config, target: Target, fn: (api: Api) => Promise<T>): Promise<T> {
  const server = (target.server ?? config.serverUrl)?.replace(/\/+$/, "");
  if (server) {
    if (!/^https?:\/\//.test(server)) throw new ApiError(0, `--server must be an http:// or https:// URL, not ${JSON.stringify(server)}`);
    const key = config.apiKey;
    const auth: Record<string, string> = key ? { authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` } : {};
    const send = async (path: string, init: RequestInit) => {
      try {
        return await fetch(server + path, { ...init, headers: { ...(init.headers as Record<string, string>), ...auth, "user-agent": "tailapi-cli" } });
      } catch (err) {
        throw new ApiError(0, `cannot reach ${server}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
      }
    };
    return fn(new Api(send, target.tailnet ?? "-", server));
  }
  return withRuntime(config, async (d) => {
    const actAs = await operatorOf(d, target.tailnet ?? config.defaultTailnet);
    const app = createApp({
      sql: d.sql,
      clock: d.clock,
      ids: d.ids,
      logger: createLogger("silent"),
      credentials: new CredentialCache(),
      // Nothing here mints or checks OAuth tokens: a throwaway signing key will do.
      tokens: new TokenService(randomBytes(32)),
      presence: d.presence,
      secrets: d.secrets,
      outbound: d.outbound,
      defaultTailnet: config.defaultTailnet,
      publicUrl: config.publicUrl,
      actAs,
    });
    const base = config.publicUrl ?? `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`;
    return fn(new Api(async (path, init) => app.request(base + path, init), "-", `the local database (tailnet ${actAs.tailnetName})`));
  });
}
