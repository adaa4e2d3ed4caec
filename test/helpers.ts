import { randomBytes } from "node:crypto";
import pino from "pino";
import { inject } from "vitest";
import { createApp } from "../src/app.js";
import { CredentialCache } from "../src/auth/authenticate.js";
import { TokenService } from "../src/auth/tokens.js";
import { connect, type Sql } from "../src/db/sql.js";
import { createUser, type User } from "../src/db/users.js";
import { createTailnetWithKey } from "../src/domain/bootstrap.js";
import { createApiKey } from "../src/domain/keys.js";
import type { Tailnet } from "../src/db/tailnets.js";
import type { Role } from "../src/auth/actor.js";
import type { Clock, Services } from "../src/lib/context.js";
import type { App } from "../src/routes/define.js";

let pool: Sql | undefined;
let sharedTokens: TokenService | undefined;

/** This worker's connection pool to the test database (see setup/global.ts). */
export function testSql(): Sql {
  return (pool ??= connect(inject("databaseUrl"), { max: 8 }));
}

/** A clock tests can move. */
export class TestClock implements Clock {
  constructor(private t = Date.now()) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
  set(d: Date) {
    this.t = d.getTime();
  }
}

export type TestApp = { app: App; clock: TestClock; services: Services };

/** The real app with test services: this worker's pool, a movable clock, no credential cache, silent logs. */
export function makeApp(over: Partial<Services> = {}): TestApp {
  const clock = new TestClock();
  const services: Services = {
    sql: testSql(),
    clock,
    logger: pino({ level: "silent" }),
    credentials: new CredentialCache(0),
    tokens: (sharedTokens ??= new TokenService(randomBytes(32))),
    ...over,
  };
  return { app: createApp(services), clock, services };
}

export function uniqueName(prefix = "tn"): string {
  return `${prefix}-${randomBytes(5).toString("hex")}.test`;
}

export type SeededTailnet = { tailnet: Tailnet; owner: User; apiKey: string };

/** A fresh tailnet with an owner and an API key, straight through the domain layer. */
export async function seedTailnet(now = new Date()): Promise<SeededTailnet> {
  return createTailnetWithKey(testSql(), uniqueName(), now);
}

export async function seedUser(t: SeededTailnet, role: Role, now = new Date()): Promise<{ user: User; apiKey: string }> {
  const user = await createUser(testSql(), t.tailnet.tailnetId, { loginName: `${role}-${randomBytes(3).toString("hex")}@${t.tailnet.name}`, role });
  const { secret } = await createApiKey(testSql(), t.tailnet.tailnetId, user.userId, { expirySeconds: 86400, description: "" }, now);
  return { user, apiKey: secret };
}

export type Res<T = any> = { status: number; body: T; text: string; headers: Headers };

/** Calls the app in-process. `key` is sent as HTTP Basic username (what the Go client does). */
export async function call<T = any>(
  app: App,
  method: string,
  path: string,
  opts: { key?: string; bearer?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Res<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key) headers.authorization = `Basic ${Buffer.from(`${opts.key}:`).toString("base64")}`;
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  } else if (opts.rawBody !== undefined) body = opts.rawBody;
  const res = await app.request(path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

export const hex64 = () => randomBytes(32).toString("hex");

export type AuthKeyOpts = { reusable?: boolean; ephemeral?: boolean; preauthorized?: boolean; tags?: string[]; expirySeconds?: number };

/** Creates an auth key through the API, as the Go client does. */
export async function createAuthKey(app: App, apiKey: string, o: AuthKeyOpts = {}): Promise<{ id: string; key: string }> {
  const r = await call(app, "POST", "/api/v2/tailnet/-/keys", {
    key: apiKey,
    body: {
      capabilities: { devices: { create: { reusable: o.reusable ?? false, ephemeral: o.ephemeral ?? false, preauthorized: o.preauthorized ?? true, tags: o.tags ?? [] } } },
      expirySeconds: o.expirySeconds ?? 0,
      description: "",
    },
  });
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

/** Registers a device through the node API; returns the register response. */
export async function registerDevice(app: App, authKey: string, o: RegisterOpts = {}) {
  const r = await call(app, "POST", "/machine/register", { body: registerBody(authKey, o) });
  if (r.status !== 200) throw new Error(`register: ${r.status} ${r.text}`);
  return r.body as { device: Record<string, any> & { id: string; nodeId: string }; nodeToken: string; created: boolean };
}

/** A tailnet with an app, an API key and a reusable preauthorized auth key: the usual starting point. */
export async function setupTailnet(o: AuthKeyOpts = {}) {
  const t = await seedTailnet();
  const ta = makeApp();
  const authKey = await createAuthKey(ta.app, t.apiKey, { reusable: true, ...o });
  return { ...t, ...ta, authKey: authKey.key, authKeyId: authKey.id };
}

export type OAuthClient = { id: string; secret: string };

/** Creates an OAuth client through the keys API with an owner's API key. */
export async function createOAuthClient(app: App, apiKey: string, scopes: string[], tags: string[] = ["tag:ci"]): Promise<OAuthClient> {
  const r = await call(app, "POST", "/api/v2/tailnet/-/keys", { key: apiKey, body: { keyType: "client", scopes, tags, description: "test client" } });
  if (r.status !== 200) throw new Error(`create client: ${r.status} ${r.text}`);
  return { id: r.body.id, secret: r.body.key };
}

/** Runs the client-credentials grant in-process with HTTP Basic, as Go's oauth2 library does first. */
export async function tokenFor(app: App, client: OAuthClient, form: Record<string, string> = {}): Promise<Res> {
  const body = new URLSearchParams({ grant_type: "client_credentials", ...form }).toString();
  return call(app, "POST", "/api/v2/oauth/token", {
    rawBody: body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString("base64")}`,
    },
  });
}

/** An access token holding exactly `scopes` (its client carries `tags`). */
export async function accessToken(app: App, apiKey: string, scopes: string[], tags: string[] = ["tag:ci"]): Promise<string> {
  const client = await createOAuthClient(app, apiKey, scopes, tags);
  const r = await tokenFor(app, client);
  if (r.status !== 200) throw new Error(`token: ${r.status} ${r.text}`);
  return r.body.access_token;
}
