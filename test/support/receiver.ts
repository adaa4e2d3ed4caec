/**
 * A webhook receiver on loopback for tests: records every request (headers
 * and raw body) and answers with the status `respond` picks. Its signature
 * check is an independent implementation (WebCrypto HMAC), not tailapi's.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Received = { path: string; headers: http.IncomingHttpHeaders; body: string; at: number };

export type Receiver = {
  url: string;
  received: Received[];
  /** Status for the n-th request (0-based); 200 by default. Return "hang" to never answer. */
  respond: (n: number, r: Received) => number | "hang";
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<http.ServerResponse>();
  const r: Receiver = {
    url: "",
    received,
    respond: () => 200,
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver: ${received.length} of ${count} requests after ${timeoutMs} ms`);
        await new Promise((res) => setTimeout(res, 25));
      }
      return received;
    },
    async close() {
      for (const res of hanging) res.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rec: Received = { path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
      const n = received.length;
      received.push(rec);
      const status = r.respond(n, rec);
      if (status === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(status, { "content-type": "text/plain" }).end(status >= 300 ? "receiver says no: internal detail" : "ok");
    });
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return r;
}

/** Verifies `Tailscale-Webhook-Signature: t=<unix>,v1=<hex>` with WebCrypto, as a receiver written for Tailscale would. */
export async function verifySignature(secret: string, body: string, header: string | undefined): Promise<boolean> {
  if (!header) return false;
  const fields = Object.fromEntries(header.split(",").map((kv) => kv.split("=") as [string, string]));
  if (!fields.t || !fields.v1) return false;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${fields.t}.${body}`)));
  const hex = Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
  return hex === fields.v1 && Math.abs(Date.now() / 1000 - Number(fields.t)) < 300;
}
