import { afterEach, describe, expect, it } from "vitest";
import { call, cleanup, databaseUrl, seedTailnet, spawnServer } from "./harness.js";

afterEach(cleanup);

describe("/metrics", () => {
  it("is off by default, and with TAILAPI_METRICS_PORT served on its own port in Prometheus' format, without credentials", async () => {
    const plain = await spawnServer({ env: { DATABASE_URL: databaseUrl() } });
    expect(plain.logs.some((l) => l.msg === "metrics listening")).toBe(false);
    expect((await call(plain.url, "GET", "/metrics")).status).toBe(404);
    await plain.stop();

    const server = await spawnServer({ env: { DATABASE_URL: databaseUrl(), TAILAPI_METRICS_PORT: "0" } });
    const url = (await server.waitForLog((l) => l.msg === "metrics listening")).url as string;
    expect(new URL(url).port).not.toBe(new URL(server.url).port);
    const { apiKey } = await seedTailnet({ DATABASE_URL: databaseUrl() });
    for (let i = 0; i < 3; i++) expect((await call(server.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey })).status).toBe(200);
    expect((await call(server.url, "GET", "/api/v2/device/nNOPE1234CNTRL", { key: apiKey })).status).toBe(404);
    // Not on the API's port.
    expect((await call(server.url, "GET", "/metrics")).status).toBe(404);

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^tailapi_http_requests_total\{method="GET",route="\/api\/v2\/tailnet\/:tailnet\/devices",status="200"\} 3$/m);
    expect(text).toMatch(/^tailapi_http_requests_total\{method="GET",route="\/api\/v2\/device\/:deviceId",status="404"\} 1$/m);
    expect(text).toMatch(/^tailapi_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/api\/v2\/tailnet\/:tailnet\/devices",status="200"\} \d+$/m);
    expect(text).toMatch(/^tailapi_db_up 1$/m);
    expect(text).toMatch(/^tailapi_db_pool_max 10$/m);
    expect(text).toMatch(/^tailapi_db_requests_waiting 0$/m);
    expect(text).toMatch(/^tailapi_db_errors_total\{kind="connection"\} 0$/m);
    expect(text).toMatch(/^tailapi_process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^tailapi_webhook_queue_depth \d+$/m);
    // No secret or credential ever appears in a label.
    expect(text).not.toContain(apiKey);
    expect(await server.stop()).toBe(0);
  }, 90_000);
});
