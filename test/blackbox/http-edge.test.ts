/**
 * What the HTTP layer itself refuses, over raw sockets: every answer is
 * Tailscale's JSON error shape with the right status, never an empty body,
 * and the server goes on serving.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, cleanup, databaseUrl, seedTailnet, spawnServer, type Server } from "./harness.js";

let server: Server;
let apiKey: string;

beforeAll(async () => {
  server = await spawnServer({ env: { DATABASE_URL: databaseUrl() } });
  apiKey = (await seedTailnet({ DATABASE_URL: databaseUrl() })).apiKey;
}, 90_000);
afterAll(cleanup);

/** Sends raw bytes, returns everything the server wrote before closing (or 3 s). */
function raw(bytes: string | Buffer): Promise<string> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port), u.hostname);
    let out = "";
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(out);
    }, 3000);
    sock.setEncoding("latin1");
    sock.on("data", (d: string) => (out += d));
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
    sock.on("error", (e) => {
      clearTimeout(timer);
      if (out) resolve(out);
      else reject(e);
    });
    sock.write(bytes);
  });
}

function parse(response: string): { status: number; headers: string; body: string } {
  const head = response.slice(0, response.indexOf("\r\n\r\n"));
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  return { status, headers: head, body: response.slice(head.length + 4) };
}

const CASES: [string, string | Buffer, number][] = [
  ["a malformed Authorization header (control bytes)", Buffer.concat([Buffer.from("GET /api/v2/tailnet/-/devices HTTP/1.1\r\nHost: x\r\nAuthorization: Basic "), Buffer.from([1, 2]), Buffer.from("\r\n\r\n")]), 400],
  ["16 KiB of headers", `GET /api/v2/tailnet/-/devices HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(16 * 1024)}\r\n\r\n`, 431],
  ["bad chunked encoding", "POST /api/v2/tailnet/-/keys HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400],
  ["Content-Length and Transfer-Encoding together", "POST /api/v2/tailnet/-/keys HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400],
  ["two conflicting Content-Lengths", "POST /api/v2/tailnet/-/keys HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400],
  ["an unknown Expect", "GET /api/v2/tailnet/-/devices HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", 417],
  ["a bad Host", "GET /api/v2/tailnet/-/devices HTTP/1.1\r\nHost: a b@c\r\nConnection: close\r\n\r\n", 400],
  ["no Host", "GET /api/v2/tailnet/-/devices HTTP/1.1\r\nConnection: close\r\n\r\n", 400],
  ["a garbage request line", "\u0001\u0002 / HTTP/1.1\r\n\r\n", 400],
  ["a backslash in the path", "GET /api\\v2/tailnet/-/devices HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400],
];

describe("the HTTP layer's own refusals", () => {
  it.each(CASES)("%s → JSON {message}", async (_name, bytes, status) => {
    const r = parse(await raw(bytes));
    expect(r.status).toBe(status);
    expect(r.headers).toMatch(/^content-type: application\/json/im);
    expect(JSON.parse(r.body)).toEqual({ message: expect.any(String) });
    expect(JSON.parse(r.body).message.length).toBeGreaterThan(5);
  });

  it("logs client disconnects at most at debug level, and keeps serving", async () => {
    for (let i = 0; i < 5; i++) {
      const u = new URL(server.url);
      await new Promise<void>((resolve) => {
        const s = net.connect(Number(u.port), u.hostname, () => {
          s.write("POST /api/v2/tailnet/-/keys HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
          setTimeout(() => {
            s.resetAndDestroy();
            resolve();
          }, 50);
        });
      });
    }
    const ok = await call(server.url, "GET", "/api/v2/tailnet/-/devices", { key: apiKey });
    expect(ok.status).toBe(200);
    // Over real HTTP too: no banner, no caching, no sniffing.
    expect([ok.headers.get("server"), ok.headers.get("x-powered-by")]).toEqual([null, null]);
    expect([ok.headers.get("cache-control"), ok.headers.get("x-content-type-options")]).toEqual(["no-store", "nosniff"]);
    expect(server.logs.filter((l) => l.level >= 50)).toEqual([]);
    expect(server.stderr()).toBe("");
  });
});
