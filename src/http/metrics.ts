import http from "node:http";
import type { AddressInfo } from "node:net";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import client from "prom-client";
import type { DatabaseHealth } from "../db/health.js";
import type { AppEnv } from "./context.js";

/**
 * Prometheus metrics (prom-client, on a registry of its own): requests by
 * route template, method and status with latency histograms, the database's
 * reachability, requests waiting on it, pool size and errors, and Node's
 * process metrics. Served on a separate port (TAILAPI_METRICS_PORT, off by
 * default), never behind API credentials and never on the API's port.
 */
export class Metrics {
  readonly registry = new client.Registry();
  private readonly requests: client.Counter<"method" | "route" | "status">;
  private readonly duration: client.Histogram<"method" | "route" | "status">;

  constructor(deps: { health: DatabaseHealth; poolMax: number; webhookQueue?: () => Promise<number> }) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: "tailapi_" });
    this.requests = new client.Counter({ name: "tailapi_http_requests_total", help: "HTTP requests by route template, method and status.", labelNames: ["method", "route", "status"], registers });
    this.duration = new client.Histogram({
      name: "tailapi_http_request_duration_seconds",
      help: "HTTP request latency by route template, method and status.",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    const { health } = deps;
    new client.Gauge({ name: "tailapi_db_up", help: "1 while the database is reachable, 0 while requests get 503.", registers, collect() {
      this.set(health.up ? 1 : 0);
    } });
    new client.Gauge({ name: "tailapi_db_requests_waiting", help: "Requests in flight that need the database (bounded by TAILAPI_DB_MAX_WAITING).", registers, collect() {
      this.set(health.inFlight);
    } });
    new client.Gauge({ name: "tailapi_db_pool_max", help: "Connections the pool may open (TAILAPI_DB_POOL_SIZE).", registers, collect() {
      this.set(deps.poolMax);
    } });
    const queue = deps.webhookQueue;
    if (queue) {
      new client.Gauge({ name: "tailapi_webhook_queue_depth", help: "Webhook deliveries waiting (pending in the outbox, all replicas).", registers, async collect() {
        this.set(await queue().catch(() => -1));
      } });
    }
    new client.Counter({ name: "tailapi_db_errors_total", help: "Database errors seen by requests: connection failures and statement timeouts.", labelNames: ["kind"], registers, collect() {
      this.reset();
      this.inc({ kind: "connection" }, health.errors.connection);
      this.inc({ kind: "statement_timeout" }, health.errors.timeout);
    } });
  }

  /** Times every request; the route label is the matched template (`/api/v2/device/:deviceId`), or `unmatched`. */
  middleware(): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      const start = performance.now();
      try {
        await next();
      } finally {
        const route = routePath(c, -1);
        const labels = { method: c.req.method, route: route && route !== "*" && route !== "/*" ? route : "unmatched", status: String(c.res.status) };
        this.requests.inc(labels);
        this.duration.observe(labels, (performance.now() - start) / 1000);
      }
    };
  }

  /** Serves GET /metrics on its own listener. */
  async listen(host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
    const server = http.createServer((req, res) => {
      if (req.method === "GET" && (req.url === "/metrics" || req.url?.startsWith("/metrics?"))) {
        this.registry.metrics().then(
          (body) => {
            res.writeHead(200, { "content-type": this.registry.contentType, "cache-control": "no-store" });
            res.end(body);
          },
          () => {
            res.writeHead(500, { "content-type": "application/json" });
            res.end(JSON.stringify({ message: "internal server error" }));
          },
        );
        return;
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "not found" }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    const actual = (server.address() as AddressInfo).port;
    return {
      url: `http://${host.includes(":") ? `[${host}]` : host}:${actual}/metrics`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }
}
