/**
 * The one set of client-side test helpers, for every layer: in-process tests
 * pass the app (requests go through `app.request`), black-box tests a base URL
 * (real HTTP). Nothing here imports the application, so the black-box suite
 * stays black-box; in-process tests register a response checker (see
 * test/helpers.ts) that validates every 2xx body against its route's schema.
 */
import { randomBytes } from "node:crypto";

/** A running server's base URL, or an in-process app. */
export type Target = string | { request(path: string, init: RequestInit): Response | Promise<Response> };

export type Res<T = any> = { status: number; body: T; text: string; headers: Headers };

export type CallOpts = {
  /** An API key sent the way the Go client does: HTTP Basic, key as user, empty password. */
  key?: string;
  bearer?: string;
  body?: unknown;
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
};

type Checker = (method: string, path: string, res: Res) => void;
let checker: Checker | undefined;

/** In-process suites install a checker for every answer of the app (see test/helpers.ts). */
export function setResponseChecker(c: Checker): void {
  checker = c;
}

export async function call<T = any>(target: Target, method: string, path: string, o: CallOpts = {}): Promise<Res<T>> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.key) headers.authorization = `Basic ${Buffer.from(`${o.key}:`).toString("base64")}`;
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
  let body: string | Uint8Array | undefined;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers["content-type"] ??= "application/json";
  } else if (o.rawBody !== undefined) body = o.rawBody;
  const init: RequestInit = { method, headers, body: body as RequestInit["body"] };
  const response = typeof target === "string" ? await fetch(target + path, init) : await target.request(path, init);
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const res = { status: response.status, body: parsed as T, text, headers: response.headers };
  if (typeof target !== "string") checker?.(method, path, res);
  return res;
}

export const hex64 = () => randomBytes(32).toString("hex");

export function uniqueName(prefix = "tn"): string {
  return `${prefix}-${randomBytes(5).toString("hex")}.test`;
}

export type AuthKeyOpts = { reusable?: boolean; ephemeral?: boolean; preauthorized?: boolean; tags?: string[]; expirySeconds?: number; description?: string };

/** The exact body the Go client sends for "create an auth key" (it always sends expirySeconds and description). */
export function authKeyBody(o: AuthKeyOpts = {}) {
  return {
    capabilities: {
      devices: {
        create: { reusable: o.reusable ?? false, ephemeral: o.ephemeral ?? false, tags: o.tags ?? [], preauthorized: o.preauthorized ?? true },
      },
    },
    expirySeconds: o.expirySeconds ?? 0,
    description: o.description ?? "",
  };
}

/** Creates an auth key through the API, as the Go client does. */
export async function createAuthKey(target: Target, apiKey: string, o: AuthKeyOpts = {}): Promise<{ id: string; key: string }> {
  const r = await call(target, "POST", "/api/v2/tailnet/-/keys", { key: apiKey, body: authKeyBody(o) });
  if (r.status !== 200) throw new Error(`create auth key: ${r.status} ${r.text}`);
  return { id: r.body.id, key: r.body.key };
}

export type RegisterOpts = { hostname?: string; machineKey?: string; advertiseRoutes?: string[]; advertiseTags?: string[]; os?: string };

export function registerBody(authKey: string, o: RegisterOpts = {}) {
  return {
    authKey,
    nodeKey: `nodekey:${hex64()}`,
    machineKey: o.machineKey ?? `mkey:${hex64()}`,
    hostname: o.hostname ?? "host",
    os: o.os ?? "linux",
    osVersion: "6.1",
    clientVersion: "1.80.0",
    advertiseRoutes: o.advertiseRoutes ?? [],
    advertiseTags: o.advertiseTags ?? [],
  };
}

export type Registered = { device: Record<string, any> & { id: string; nodeId: string }; nodeToken: string; created: boolean };

/** Registers a device through the node API; returns the register response. */
export async function registerDevice(target: Target, authKey: string, o: RegisterOpts = {}): Promise<Registered> {
  const r = await call(target, "POST", "/machine/register", { body: registerBody(authKey, o) });
  if (r.status !== 200) throw new Error(`register: ${r.status} ${r.text}`);
  return r.body as Registered;
}

export type OAuthClient = { id: string; secret: string };

/** Creates an OAuth client through the keys API. */
export async function createOAuthClient(target: Target, apiKey: string, scopes: string[], tags: string[] = ["tag:ci"]): Promise<OAuthClient> {
  const r = await call(target, "POST", "/api/v2/tailnet/-/keys", { key: apiKey, body: { keyType: "client", scopes, tags, description: "test client" } });
  if (r.status !== 200) throw new Error(`create client: ${r.status} ${r.text}`);
  return { id: r.body.id, secret: r.body.key };
}

/** Runs the client-credentials grant with HTTP Basic, as Go's oauth2 library does first. */
export async function tokenFor(target: Target, client: OAuthClient, form: Record<string, string> = {}): Promise<Res> {
  const body = new URLSearchParams({ grant_type: "client_credentials", ...form }).toString();
  return call(target, "POST", "/api/v2/oauth/token", {
    rawBody: body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString("base64")}`,
    },
  });
}

/** An access token holding exactly `scopes` (its client carries `tags`). */
export async function accessToken(target: Target, apiKey: string, scopes: string[], tags: string[] = ["tag:ci"]): Promise<string> {
  const client = await createOAuthClient(target, apiKey, scopes, tags);
  const r = await tokenFor(target, client);
  if (r.status !== 200) throw new Error(`token: ${r.status} ${r.text}`);
  return r.body.access_token;
}

/** Tags the test policy defines (owned by admins); tests that need others set their own policy. */
export const TEST_TAGS = ["tag:ci", "tag:prod", "tag:server", "tag:staging", "tag:web", "tag:a", "tag:b", "tag:c", "tag:x", "tag:other"];

/** The policy every seeded test tailnet starts with: allow all, and the test tags, owned by admins. */
export const TEST_POLICY = JSON.stringify(
  { tagOwners: Object.fromEntries(TEST_TAGS.map((t) => [t, ["autogroup:admin"]])), acls: [{ action: "accept", src: ["*"], dst: ["*:*"] }] },
  null,
  2,
);

/** Replaces the policy file through the API (as HuJSON, the way the Go client sends a string policy). */
export async function setPolicy(target: Target, apiKey: string, text: string = TEST_POLICY): Promise<Res> {
  const r = await call(target, "POST", "/api/v2/tailnet/-/acl", { key: apiKey, rawBody: text, headers: { "content-type": "application/hujson" } });
  if (r.status !== 200) throw new Error(`set policy: ${r.status} ${r.text}`);
  return r;
}

/** Whether a content type is JSON. */
export const isJson = (h: Headers) => /^application\/json\b/i.test(h.get("content-type") ?? "");
