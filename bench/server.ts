/**
 * The server under test, run as a child process of bench.ts (so the load
 * generator does not share its event loop). Serves on two loopback ports:
 *
 *   app      — the real tailapi app (createApp with production services and
 *              logger config), as src/server.ts builds it (the token
 *              service's master key is random: nothing outlives the bench);
 *   baseline — a bare Hono app whose GET /device/:id does only the device
 *              SELECT (getDevice) and the same wire JSON, and whose POST
 *              /device/:id/routes does only the same UPDATE (setEnabledRoutes)
 *              and answers the same JSON; no auth, no validation.
 *
 * Both use the same postgres.js pool (max 10, like production's default); the
 * load phases never overlap, so they do not compete for it.
 *
 * Env: BENCH_DATABASE_URL, BENCH_TAILNET_ID. Talks to the parent over IPC:
 * sends {type:"ready", ports} once listening; exits cleanly on "stop" or when
 * the IPC channel closes (parent gone).
 */
import { secretBox } from "../src/lib/secret-box.js";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { randomBytes } from "node:crypto";
import { createApp } from "../src/app.js";
import { CredentialCache } from "../src/auth/authenticate.js";
import { TokenService } from "../src/auth/tokens.js";
import { getDevice, setEnabledRoutes } from "../src/db/devices.js";
import { DatabaseHealth } from "../src/db/health.js";
import { RateLimiter } from "../src/lib/rate-limit.js";
import { connect } from "../src/db/sql.js";
import { systemClock } from "../src/lib/clock.js";
import { randomIds } from "../src/lib/ids.js";
import { DEFAULT_PRESENCE, presenceNow } from "../src/domain/deps.js";
import { createLogger } from "../src/lib/logger.js";
import { tuneHeap } from "../src/lib/heap.js";
import { toWireDevice } from "../src/routes/devices/wire.js";

export type ServerPorts = Record<"app" | "baseline", number>;
export type ChildMessage = { type: "ready"; ports: ServerPorts };

const url = process.env.BENCH_DATABASE_URL;
const tailnetId = process.env.BENCH_TAILNET_ID;
if (!url || !tailnetId || !process.send) {
  console.error("bench/server.ts is started by bench/bench.ts (needs BENCH_DATABASE_URL, BENCH_TAILNET_ID and an IPC channel)");
  process.exit(2);
}

// As startServer does in every serving process.
tuneHeap();
const logger = createLogger("info");
const sql = connect(url, { max: 10 });

const app = createApp({
  sql,
  clock: systemClock,
  ids: randomIds,
  presence: DEFAULT_PRESENCE,
  logger,
  credentials: new CredentialCache(),
  tokens: new TokenService(randomBytes(32)),
  health: new DatabaseHealth(sql, { log: () => undefined }),
  // The limiter runs as in production, with a limit the load never reaches.
  limiter: new RateLimiter({ replica: "bench" }),
  limits: { credential: 1e12, tokenPerAddress: 1e12, nodePerAddress: 1e12 },
  secrets: secretBox(randomBytes(32)),
  outbound: { allow: [] },
  defaultTailnet: "example.com",
});

const baseline = new Hono();
baseline.get("/device/:id", async (c) => {
  const row = await getDevice(sql, tailnetId, c.req.param("id"), presenceNow({ clock: systemClock, presence: DEFAULT_PRESENCE }));
  if (!row) return c.json({ message: "not found" }, 404);
  return c.json(toWireDevice(row, false));
});
baseline.post("/device/:id/routes", async (c) => {
  const { routes } = (await c.req.json()) as { routes: string[] };
  const presence = presenceNow({ clock: systemClock, presence: DEFAULT_PRESENCE });
  const row = await setEnabledRoutes(sql, { tailnetId, id: c.req.param("id"), onlyUser: null, ephemeralSince: presence.ephemeralSince }, routes);
  if (!row) return c.json({ message: "not found" }, 404);
  return c.json({ advertisedRoutes: row.advertised_routes, enabledRoutes: row.enabled_routes });
});
// Hono's default onError prints every error; a failure shows up as a non-2xx in the bench anyway.
baseline.onError((err, c) => c.json({ message: String(err) }, 500));

function listen(fetch: (req: Request) => Response | Promise<Response>): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve({ server, port: info.port }));
    server.once("error", reject);
  });
}

const a = await listen(app.fetch);
const b = await listen(baseline.fetch);
logger.info({ app: a.port, baseline: b.port }, "bench servers listening");

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const s of [a.server, b.server]) {
    (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    s.close();
  }
  await sql.end({ timeout: 2 }).catch(() => undefined);
  process.exit(0);
}

// Once stopping (or when postgres went away under a Ctrl-C), in-flight queries fail: not worth a stack trace.
for (const ev of ["unhandledRejection", "uncaughtException"] as const) {
  process.on(ev, (err) => {
    if (stopping) return;
    console.error(err);
    process.exit(1);
  });
}

process.on("message", (m) => {
  if (m === "stop") void stop();
});
process.on("disconnect", () => void stop());
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());

process.send({ type: "ready", ports: { app: a.port, baseline: b.port } } satisfies ChildMessage);
