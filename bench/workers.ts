/**
 * Every core: the production server (`node dist/cli.js serve`, compiled, on the
 * bench's database) with TAILAPI_WORKERS=1, then 2, under the same load as
 * variant A (GET device with an API key). Reports req/s and the ratio 2 ÷ 1.
 *
 * On a 2-core machine the ceiling is plain: PostgreSQL, the load generator and
 * the workers share the two cores, so a second worker can only use what the
 * others leave idle.
 */
import autocannon, { type RawRequest } from "autocannon";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export type WorkersFigure = { workers: number; rps: number; p99: number };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli.js");

async function serve(databaseUrl: string, dataDir: string, workers: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, [CLI, "serve"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: databaseUrl,
      TAILAPI_DATA_DIR: dataDir,
      TAILAPI_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      TAILAPI_WORKERS: String(workers),
      TAILAPI_RATE_LIMIT: "0",
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const want = workers > 1 ? "tailapi workers listening" : "tailapi listening";
  let url: string | undefined;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tailapi serve (${workers} workers) did not start within 60 s`)), 60_000);
    proc.once("exit", (code) => reject(new Error(`tailapi serve exited with status ${code} during start-up`)));
    createInterface({ input: proc.stdout! }).on("line", (line) => {
      let l: { msg?: string; url?: string };
      try {
        l = JSON.parse(line);
      } catch {
        return;
      }
      url ??= l.url;
      if (l.msg === want) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: url!,
    stop: async () => {
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

export async function workersPhase(o: {
  databaseUrl: string;
  dataDir: string;
  apiKey: string;
  pickId: () => string;
  connections: number;
  warmupS: number;
  seconds: number;
  log: (line: string) => void;
}): Promise<WorkersFigure[] | undefined> {
  if (!existsSync(CLI)) {
    o.log("workers: dist/cli.js is missing (npm run build): skipped");
    return undefined;
  }
  const out: WorkersFigure[] = [];
  const authorization = `Basic ${Buffer.from(`${o.apiKey}:`).toString("base64")}`;
  for (const workers of [1, 2, 1, 2]) {
    const s = await serve(o.databaseUrl, o.dataDir, workers);
    try {
      const opts = (duration: number) => ({
        url: s.url,
        connections: o.connections,
        duration,
        requests: [{ method: "GET" as const, headers: { authorization }, setupRequest: (req: RawRequest) => ({ ...req, path: `/api/v2/device/${o.pickId()}` }) }],
      });
      await autocannon(opts(o.warmupS));
      const r = await autocannon(opts(o.seconds));
      if (r.non2xx || r.errors) throw new Error(`workers=${workers}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      out.push({ workers, rps: r.requests.average, p99: r.latency.p99 });
      o.log(`  TAILAPI_WORKERS=${workers}: ${Math.round(r.requests.average)} req/s  p99 ${r.latency.p99} ms`);
    } finally {
      await s.stop();
    }
  }
  return out;
}
