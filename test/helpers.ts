/**
 * In-process test helpers: the real app with test services, seeded tailnets,
 * and a check of every answer against its route's documented schema. The
 * client-side helpers (call, createAuthKey, registerDevice, …) are shared with
 * the black-box suite and live in test/support/http.ts.
 */
import { isDeepStrictEqual } from "node:util";
import { randomBytes } from "node:crypto";
import pino from "pino";
import { expect, inject } from "vitest";
import type { z } from "@hono/zod-openapi";
import { createApp } from "../src/app.js";
import { CredentialCache } from "../src/auth/authenticate.js";
import { TokenService } from "../src/auth/tokens.js";
import { DatabaseHealth } from "../src/db/health.js";
import { NO_LIMITS } from "../src/http/rate-limit.js";
import { RateLimiter } from "../src/lib/rate-limit.js";
import { connect, type Sql } from "../src/db/sql.js";
import type { Actor, Role } from "../src/domain/actor.js";
import { DEFAULT_PRESENCE, type Deps } from "../src/domain/deps.js";
import { createApiKey } from "../src/domain/keys.js";
import { setPolicyFile } from "../src/domain/policies.js";
import { createTailnetWithKey, operatorOf, type Tailnet } from "../src/domain/tailnets.js";
import { createUser, type User } from "../src/domain/users.js";
import type { Services } from "../src/http/context.js";
import type { Clock } from "../src/lib/clock.js";
import { newOperationId, randomIds } from "../src/lib/ids.js";
import { secretBox, type SecretBox } from "../src/lib/secret-box.js";
import type { App } from "../src/routes/define.js";
import { ROUTES } from "../src/routes/index.js";
import { call, createAuthKey, setResponseChecker, TEST_POLICY, uniqueName, type AuthKeyOpts, type Res } from "./support/http.js";

export * from "./support/http.js";

let pool: Sql | undefined;
let sharedTokens: TokenService | undefined;
let sharedSecrets: SecretBox | undefined;

/** One master key per test worker for sealed webhook secrets. */
export function testSecrets(): SecretBox {
  return (sharedSecrets ??= secretBox(randomBytes(32)));
}

/** A pool the way the server makes one here: without prepared statements behind a transaction-pooling PgBouncer. */
export function testConnect(url: string, o: { max?: number } = {}): Sql {
  return connect(url, { ...o, prepare: process.env.TAILAPI_DB_PREPARED_STATEMENTS !== "false" });
}

/** This worker's connection pool to the test database (see setup/global.ts). */
export function testSql(): Sql {
  return (pool ??= testConnect(inject("databaseUrl"), { max: 8 }));
}

let directPool: Sql | undefined;
/** A pool straight to PostgreSQL (DATABASE_DIRECT_URL when a pooler is in between): for CREATE DATABASE and sessions of their own. */
export function directSql(): Sql {
  return (directPool ??= testConnect(inject("directDatabaseUrl"), { max: 2 }));
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

const silent = pino({ level: "silent" });

/** Domain dependencies for seeding and for calling the domain directly. */
export function testDeps(over: Partial<Deps> = {}): Deps {
  return {
    sql: testSql(),
    clock: new TestClock(),
    ids: randomIds,
    log: silent,
    presence: DEFAULT_PRESENCE,
    origin: "cli",
    requestId: `test-${newOperationId().slice(0, 8)}`,
    operationId: newOperationId(),
    secrets: testSecrets(),
    outbound: { allow: [] },
    ...over,
  };
}

export type TestApp = { app: App; clock: TestClock; services: Services };

/** The real app with test services: this worker's pool, a movable clock, no credential cache, silent logs. */
export function makeApp(over: Partial<Services> = {}): TestApp {
  const clock = new TestClock();
  const services = {
    sql: testSql(),
    clock,
    ids: randomIds,
    logger: silent,
    credentials: new CredentialCache(0),
    tokens: (sharedTokens ??= new TokenService(randomBytes(32))),
    presence: DEFAULT_PRESENCE,
    defaultTailnet: "example.com",
    secrets: testSecrets(),
    outbound: { allow: [] },
    ...over,
  } as Services;
  services.health ??= new DatabaseHealth(services.sql, { log: () => undefined });
  // No limits unless a test sets them: tests send many requests from one "address".
  services.limiter ??= new RateLimiter({ replica: "test" });
  services.limits ??= NO_LIMITS;
  return { app: createApp(services), clock, services };
}

export type SeededTailnet = { tailnet: Tailnet; owner: User; apiKey: string };

/**
 * A fresh tailnet with an owner, an API key and the test policy (TEST_TAGS
 * defined, owned by admins), straight through the domain layer. With
 * `{ policy: false }` it keeps the default policy (no tags defined).
 */
export async function seedTailnet(now = new Date(), o: { policy?: boolean } = {}): Promise<SeededTailnet> {
  const d = testDeps({ clock: new TestClock(now.getTime()) });
  const t = await createTailnetWithKey(d, uniqueName());
  if (o.policy !== false) await setPolicyFile(d, await operatorOf(d, t.tailnet.name), TEST_POLICY, undefined);
  return t;
}

/** The CLI's actor for a seeded tailnet (its owner, every scope). */
export function operator(t: SeededTailnet): Promise<Actor> {
  return operatorOf(testDeps(), t.tailnet.name);
}

/** An API key of the tailnet's owner (or of `userLogin`), made as the CLI makes it. */
export async function seedApiKey(t: SeededTailnet, o: { userLogin?: string; expirySeconds?: number; now?: Date } = {}) {
  const d = testDeps({ clock: new TestClock((o.now ?? new Date()).getTime()) });
  return createApiKey(d, await operator(t), { userLogin: o.userLogin, expirySeconds: o.expirySeconds ?? 86400, description: "" });
}

export async function seedUser(t: SeededTailnet, role: Role, now = new Date()): Promise<{ user: User; apiKey: string }> {
  const user = await createUser(testDeps(), await operator(t), { loginName: `${role}-${randomBytes(3).toString("hex")}@${t.tailnet.name}`, role });
  const { secret } = await seedApiKey(t, { userLogin: user.loginName, now });
  return { user, apiKey: secret };
}

/**
 * A tailnet with an app, an API key and a reusable preauthorized auth key: the
 * usual starting point. `approval: true` turns the tailnet's device approval on
 * (off by default, as on Tailscale), so that keys that are not preauthorized
 * make unauthorized devices.
 */
export async function setupTailnet(opts: AuthKeyOpts & { approval?: boolean } = {}) {
  const { approval, ...o } = opts;
  const t = await seedTailnet();
  const ta = makeApp();
  if (approval) await call(ta.app, "PATCH", "/api/v2/tailnet/-/settings", { key: t.apiKey, body: { devicesApprovalOn: true } });
  const authKey = await createAuthKey(ta.app, t.apiKey, { reusable: true, ...o });
  return { ...t, ...ta, authKey: authKey.key, authKeyId: authKey.id };
}

// ---- every in-process answer is checked against the route's documented responses ----

type Matcher = { method: string; re: RegExp; responses: Record<string, { content?: Record<string, { schema: z.ZodType }> }> };

const MATCHERS: Matcher[] = ROUTES.map((r) => ({
  method: r.route.method.toUpperCase(),
  re: new RegExp(`^${r.route.path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
  responses: r.route.responses as Matcher["responses"],
}));

/** Routes whose errors are not Tailscale's `{"message"}` (RFC 6749 bodies). */
const OWN_ERROR_SHAPE = new Set(["/api/v2/oauth/token"]);

function checkResponse(method: string, path: string, res: Res): void {
  const pathname = path.split("?")[0]!;
  if (res.status >= 300) {
    if (OWN_ERROR_SHAPE.has(pathname)) return;
    expect(typeof res.body?.message, `${method} ${path} → ${res.status}: error body must be {"message": …}, got ${res.text}`).toBe("string");
    return;
  }
  const m = MATCHERS.find((x) => x.method === method && x.re.test(pathname));
  if (!m) return; // not an API route (docs, health, the OpenAPI document)
  const documented = m.responses[String(res.status)];
  expect(documented, `${method} ${path}: status ${res.status} is not documented`).toBeTruthy();
  const content = documented!.content;
  if (!content) {
    expect(res.text, `${method} ${path} → ${res.status}: documented as empty`).toBe("");
    return;
  }
  const mediaType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const documentedMedia = content[mediaType];
  expect(documentedMedia, `${method} ${path} → ${res.status}: media type ${mediaType} is not documented`).toBeTruthy();
  if (mediaType !== "application/json") {
    // A text media type (the policy file's HuJSON): the body is the text itself.
    expect(documentedMedia!.schema.safeParse(res.text).success, `${method} ${path}: ${mediaType} body does not match its schema`).toBe(true);
    return;
  }
  const parsed = documentedMedia!.schema.safeParse(res.body);
  expect(parsed.success, `${method} ${path} → ${res.status}: body does not match its schema: ${parsed.error?.message}\n${res.text}`).toBe(true);
  // Parsing drops fields the schema does not know: any difference is an undocumented field.
  expect(isDeepStrictEqual(JSON.parse(JSON.stringify(parsed.data)), res.body), `${method} ${path}: undocumented fields in ${res.text}`).toBe(true);
}

setResponseChecker(checkResponse);

/** A fresh, empty database on the suite's server (skips where the role may not create databases). */
export async function freshDatabase(ctx: { skip(): void }, prefix: string): Promise<{ sql: Sql; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  try {
    await directSql().unsafe(`CREATE DATABASE ${name}`);
  } catch (err) {
    if ((err as { code?: string }).code === "42501") ctx.skip();
    throw err;
  }
  // Straight to PostgreSQL: what a fresh database is used for (migrations, backups) needs sessions of its own.
  const url = new URL(inject("directDatabaseUrl"));
  url.pathname = `/${name}`;
  const sql = testConnect(url.toString(), { max: 2 });
  return {
    sql,
    url: url.toString(),
    drop: async () => {
      await sql.end({ timeout: 1 });
      await directSql().unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
