/**
 * The harness runs every black-box server with LOG_LEVEL=debug and, after
 * each test, greps every log line for every secret the test saw (test
 * cleanup fails on a hit). This test makes one of each kind of secret and
 * walks them through the paths most likely to log them: creation, use,
 * failed use, revocation, errors; then checks the logs itself too.
 */
import { afterEach, describe, expect, it } from "vitest";
import { call, cleanup, createAuthKey, createOAuthClient, databaseUrl, registerDevice, runCli, secretsInLogs, seedTailnet, spawnServer, tokenFor } from "./harness.js";

afterEach(cleanup);

describe("secrets never reach a log line", () => {
  it("API keys, auth keys, client secrets, access tokens, node tokens and webhook secrets, at debug level", async () => {
    const env = { DATABASE_URL: databaseUrl() };
    // Webhook deliveries to a closed local port: allowed for this test only, and they fail at once.
    const server = await spawnServer({ env: { ...env, TAILAPI_OUTBOUND_ALLOW: "127.0.0.1" } });
    expect(server.logs.some((l) => l.level === 20)).toBe(false); // nothing yet at debug…
    const { name, apiKey } = await seedTailnet(env);
    const authKey = await createAuthKey(server.url, apiKey, { reusable: true });
    const client = await createOAuthClient(server.url, apiKey, ["devices:core:read"], []);
    const token = (await tokenFor(server.url, client)).body.access_token as string;
    const reg = await registerDevice(server.url, authKey.key);
    await call(server.url, "POST", "/machine/update", { bearer: reg.nodeToken, body: { hostname: "x" } });
    // Failed and malformed uses of each, which are where secrets tend to end up in logs.
    for (const s of [apiKey, authKey.key, client.secret, token, reg.nodeToken]) {
      await call(server.url, "GET", "/api/v2/tailnet/-/devices", { bearer: s + "x" });
      await call(server.url, "GET", `/api/v2/device/${encodeURIComponent(s)}`, { key: apiKey });
      await call(server.url, "POST", "/machine/register", { body: { authKey: s, nodeKey: "bad" } });
      await call(server.url, "POST", "/api/v2/oauth/token", { rawBody: `client_id=${client.id}&client_secret=${encodeURIComponent(s)}x`, headers: { "content-type": "application/x-www-form-urlencoded" } });
    }
    const hook = await call(server.url, "POST", "/api/v2/tailnet/-/webhooks", { key: apiKey, body: { endpointUrl: "http://127.0.0.1:9/hook", subscriptions: ["nodeCreated"] } });
    expect(hook.status, hook.text).toBe(200);
    expect(typeof hook.body.secret).toBe("string");
    const rotated = await call(server.url, "POST", `/api/v2/webhooks/${hook.body.endpointId}/rotate`, { key: apiKey });
    expect(rotated.status, rotated.text).toBe(200);
    await call(server.url, "POST", `/api/v2/webhooks/${hook.body.endpointId}/test`, { key: apiKey });
    await registerDevice(server.url, authKey.key); // a nodeCreated event to deliver (and fail)
    const extra = await runCli(["apikeys", "create", "--tailnet", name], env);
    expect(extra.code).toBe(0);
    await call(server.url, "DELETE", `/api/v2/tailnet/-/keys/${authKey.id}`, { key: apiKey });
    expect(await server.stop()).toBe(0);
    // The requests were logged (debug), the secrets were not.
    expect(server.logs.filter((l) => l.msg === "request").length).toBeGreaterThan(20);
    expect(secretsInLogs()).toEqual([]);
  }, 120_000);
});
