/**
 * Webhook delivery across process death: a server killed with SIGKILL while a
 * delivery is in flight loses no event; another replica delivers it once the
 * dead one's lease runs out.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { startReceiver, verifySignature, type Receiver } from "../support/receiver.js";
import { call, cleanup, createAuthKey, databaseUrl, registerDevice, seedTailnet, spawnServer } from "./harness.js";

let rx: Receiver | undefined;
afterEach(async () => {
  await cleanup();
  await rx?.close();
  rx = undefined;
});

describe("webhooks across a crash", () => {
  it("an event whose delivery was in flight when the server was killed is delivered by the next server", async () => {
    rx = await startReceiver();
    rx.respond = (n) => (n === 0 ? "hang" : 200);
    const env = {
      DATABASE_URL: databaseUrl(),
      // A key of this test's own: only its servers can open (and so claim) its webhooks' jobs.
      TAILAPI_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      TAILAPI_OUTBOUND_ALLOW: "127.0.0.0/8",
      TAILAPI_WEBHOOK_POLL_MS: "100",
      TAILAPI_WEBHOOK_TIMEOUT_MS: "1000",
    };
    const { apiKey } = await seedTailnet(env);
    const a = await spawnServer({ env });
    const hook = await call(a.url, "POST", "/api/v2/tailnet/-/webhooks", { key: apiKey, body: { endpointUrl: `${rx.url}/in`, subscriptions: ["nodeCreated"] } });
    expect(hook.status, hook.text).toBe(200);
    const authKey = (await createAuthKey(a.url, apiKey, { reusable: true })).key;
    const nodes = [];
    for (const h of ["a", "b", "c"]) nodes.push((await registerDevice(a.url, authKey, { hostname: h })).device.nodeId);

    await rx.waitFor(1);
    await a.stop("SIGKILL");

    const b = await spawnServer({ env });
    const seen = new Set<string>();
    const deadline = Date.now() + 20_000;
    while (seen.size < 3 && Date.now() < deadline) {
      for (const r of rx.received.slice(1)) {
        expect(await verifySignature(hook.body.secret, r.body, r.headers["tailscale-webhook-signature"] as string)).toBe(true);
        seen.add(JSON.parse(r.body)[0].data.nodeID);
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    expect([...seen].sort()).toEqual([...nodes].sort());
    await b.stop();
  });
});
