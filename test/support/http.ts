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
  for (const o of observers) o(text);
  return res;
}

const observers: ((text: string) => void)[] = [];

/** Sees the text of every answer (the black-box harness collects the secrets they carry). */
export function observeResponses(fn: (text: string) => void): void {
  observers.push(fn);
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

// ---- the web console, as a browser without JavaScript uses it: cookies, forms, redirects ----

export type Page = { status: number; text: string; headers: Headers; location: string | null };

/**
 * A cookie-keeping client of the console (/admin): GETs pages and posts
 * forms (application/x-www-form-urlencoded), following nothing by itself so
 * tests see each redirect. `csrf` is the token of the last page that had one.
 */
export class ConsoleAgent {
  readonly cookies = new Map<string, string>();
  csrf = "";
  constructor(
    private readonly target: Target,
    private readonly defaults: Record<string, string> = {},
  ) {}

  async request(method: string, path: string, o: { form?: Record<string, string | string[]>; headers?: Record<string, string> } = {}): Promise<Page> {
    const headers: Record<string, string> = { ...this.defaults, ...(o.headers ?? {}) };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (o.form) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(o.form)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
      body = params.toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    const init: RequestInit = { method, headers, body, redirect: "manual" };
    const res = typeof this.target === "string" ? await fetch(this.target + path, init) : await this.target.request(path, init);
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(text);
    if (csrf) this.csrf = csrf[1]!;
    return { status: res.status, text, headers: res.headers, location: res.headers.get("location") };
  }

  get(path: string, headers?: Record<string, string>): Promise<Page> {
    return this.request("GET", path, { headers });
  }

  /** Posts a form with this session's CSRF token (unless the form names its own `csrf`). */
  post(path: string, form: Record<string, string | string[]> = {}, headers?: Record<string, string>): Promise<Page> {
    return this.request("POST", path, { form: { csrf: this.csrf, ...form }, headers });
  }

  /** Follows a redirect answer with a GET. */
  async follow(page: Page): Promise<Page> {
    if (!page.location) throw new Error(`not a redirect: ${page.status} ${page.text.slice(0, 200)}`);
    return this.get(page.location);
  }

  /** Signs in through the sign-in form; answers the redirect (303) or the refusal. */
  async signIn(creds: { apiKey: string } | { clientId: string; clientSecret: string }): Promise<Page> {
    const login = await this.get("/admin/login");
    const token = /name="login_csrf" value="([^"]+)"/.exec(login.text)?.[1] ?? "";
    const form: Record<string, string> = "apiKey" in creds ? { method: "apikey", apikey: creds.apiKey } : { method: "oauth", client_id: creds.clientId, client_secret: creds.clientSecret };
    return this.request("POST", "/admin/login", { form: { login_csrf: token, ...form } });
  }
}

/** The text a page shows in its message box (what the last form post did), if any. */
export function flashOf(page: Page): string | undefined {
  const m = /<div class="flash flash-(?:ok|error)" role="(?:status|alert)">([^<]*)<\/div>/.exec(page.text);
  return m ? decodeEntities(m[1]!) : undefined;
}

export function decodeEntities(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
