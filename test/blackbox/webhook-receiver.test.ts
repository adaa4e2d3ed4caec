/**
 * The README's webhook receiver (examples/webhook-receiver.mjs, shown there
 * verbatim) verifies what a real server sends, and refuses a forged request.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { call, cleanup, databaseUrl, ROOT, seedTailnet, spawnServer } from "./harness.js";

const kids: ReturnType<typeof spawn>[] = [];
afterEach(async () => {
  for (const k of kids.splice(0)) k.kill("SIGKILL");
  await cleanup();
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

describe("the README's webhook receiver", () => {
  it("is in the README verbatim, verifies a real delivery, and rejects a forged one", async () => {
    const example = await readFile(path.join(ROOT, "examples/webhook-receiver.mjs"), "utf8");
    expect(await readFile(path.join(ROOT, "README.md"), "utf8")).toContain(example.trim());

    const env = { DATABASE_URL: databaseUrl(), TAILAPI_ENCRYPTION_KEY: randomBytes(32).toString("base64"), TAILAPI_OUTBOUND_ALLOW: "127.0.0.0/8", TAILAPI_WEBHOOK_POLL_MS: "100" };
    const { apiKey } = await seedTailnet(env);
    const server = await spawnServer({ env });
    const port = await freePort();
    const hook = await call(server.url, "POST", "/api/v2/tailnet/-/webhooks", { key: apiKey, body: { endpointUrl: `http://127.0.0.1:${port}/`, subscriptions: ["nodeCreated"] } });
    expect(hook.status, hook.text).toBe(200);

    const rx = spawn(process.execPath, ["examples/webhook-receiver.mjs"], { cwd: ROOT, env: { ...process.env, PORT: String(port), WEBHOOK_SECRET: hook.body.secret } });
    kids.push(rx);
    let out = "";
    rx.stdout!.setEncoding("utf8").on("data", (c: string) => (out += c));
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 15_000;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`receiver printed:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(/listening on/);

    expect((await call(server.url, "POST", `/api/v2/webhooks/${hook.body.endpointId}/test`, { key: apiKey })).status).toBe(202);
    await waitFor(/verified test event: This is a test event/);

    const forged = await fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      headers: { "Tailscale-Webhook-Signature": `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}` },
      body: "[]",
    });
    expect(forged.status).toBe(401);
    await waitFor(/rejected: bad signature/);
  });
});
