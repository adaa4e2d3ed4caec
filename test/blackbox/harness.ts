/**
 * Black-box harness: real `tailapi` processes (node --import tsx src/cli.ts …),
 * spoken to over real HTTP. Nothing here imports the application.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { inject } from "vitest";
import { observeResponses, uniqueName } from "../support/http.js";

export * from "../support/http.js";

/** The repository root (this file is test/blackbox/harness.ts). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = ["--import", "tsx", "src/cli.ts"];

/** Generous: a server on a loaded two-core box (initdb included) comes up well within this. */
const START_TIMEOUT_MS = 45_000;
const CLI_TIMEOUT_MS = 45_000;

export type LogLine = Record<string, any> & { msg?: string };

export type ServerEnv = Record<string, string | undefined>;

export type Server = {
  url: string;
  proc: ChildProcess;
  /** Every JSON log line seen on stdout so far (keeps growing while the process runs). */
  logs: LogLine[];
  /** Every raw stdout line seen so far. */
  lines: string[];
  /** The key printed as `TAILAPI_API_KEY=…` when the server minted a first API key. */
  firstApiKey?: string;
  /** The server's own measure: database start + migrate + bootstrap + listen. */
  readyMs: number;
  /** Wall time from spawn to the "tailapi listening" line (tsx start-up included). */
  wallReadyMs: number;
  stderr(): string;
  /** Resolves with the exit status once the process is gone (null if it died of a signal). */
  exited: Promise<number | null>;
  /** Sends `sig` and resolves with the exit status. */
  stop(sig?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
};

const live = new Set<ChildProcess>();
const dataDirs = new Set<string>();

// ---- secrets: every one a test saw, and every log line of every server ----

/** Every secret seen in an answer or in a CLI's output: API keys, auth keys, client secrets, node tokens, access tokens. */
const secrets = new Set<string>();
const SECRET = /tskey-(?:api|auth|client|node)-[A-Za-z0-9]+-[A-Za-z0-9]{16,}/g;
const ACCESS_TOKEN = /"access_token"\s*:\s*"([^"]+)"/g;
/** Webhook signing secrets (and any other field named secret). */
const SECRET_FIELD = /"secret"\s*:\s*"([^"]{16,})"/g;
function collectSecrets(text: string): void {
  for (const m of text.matchAll(SECRET)) secrets.add(m[0]);
  for (const m of text.matchAll(ACCESS_TOKEN)) secrets.add(m[1]!);
  for (const m of text.matchAll(SECRET_FIELD)) secrets.add(m[1]!);
}
observeResponses(collectSecrets);
/** A secret a test made itself (a bootstrap key): also one no log may show. */
export function rememberSecret(s: string): void {
  secrets.add(s);
}
/** The log lines (JSON, stdout) and stderr of every server this harness started, still to be checked. */
const unchecked: { logLines: () => string[]; stderr: () => string }[] = [];

/** Every secret found in a log line or on stderr, as "secret in: line" (none expected). */
export function secretsInLogs(): string[] {
  const hits: string[] = [];
  const needles = [...secrets].flatMap((s) => [s, s.startsWith("tskey-") ? s.slice(s.lastIndexOf("-") + 1) : s.split(".")[2] ?? s]);
  for (const srv of unchecked) {
    for (const text of [...srv.logLines(), srv.stderr()]) {
      for (const n of needles) if (n.length >= 16 && text.includes(n)) hits.push(`${n.slice(0, 12)}… in: ${text.slice(0, 300)}`);
    }
  }
  return hits;
}

/**
 * The environment of a child: ours minus everything tailapi reads, plus `env`.
 * Exactly one of DATABASE_URL / TAILAPI_DATA_DIR must be given, so a test can
 * never fall back to ./data in the repository.
 */
function childEnv(env: ServerEnv): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === "DATABASE_URL" || k === "DATABASE_DIRECT_URL" || k === "PORT" || k === "HOST" || k === "LOG_LEVEL" || k.startsWith("TAILAPI_")) continue;
    base[k] = v;
  }
  if (!env.DATABASE_URL === !env.TAILAPI_DATA_DIR) {
    throw new Error("harness: give exactly one of DATABASE_URL and TAILAPI_DATA_DIR");
  }
  for (const [k, v] of Object.entries(env)) if (v !== undefined) base[k] = v;
  // The suite's database behind a pooler: its children reach it the same way the suite does.
  if (base.DATABASE_URL === process.env.DATABASE_URL) {
    for (const k of ["DATABASE_DIRECT_URL", "TAILAPI_DB_PREPARED_STATEMENTS"]) if (process.env[k] && base[k] === undefined) base[k] = process.env[k];
  }
  // A server on DATABASE_URL would otherwise keep its master key in ./data of the checkout.
  if (base.DATABASE_URL && !base.TAILAPI_ENCRYPTION_KEY) base.TAILAPI_ENCRYPTION_KEY = SUITE_ENCRYPTION_KEY;
  return base;
}

/** One master key for every DATABASE_URL server of this test process (replicas of one database share it, as they should). */
const SUITE_ENCRYPTION_KEY = randomBytes(32).toString("base64");

/** The suite's database (see test/setup/global.ts). */
export function databaseUrl(): string {
  return inject("databaseUrl");
}

/** The suite's database without a pooler in between (for CREATE DATABASE and backups' sessions). */
export function directDatabaseUrl(): string {
  return inject("directDatabaseUrl");
}

/**
 * The environment for servers on a fresh, empty database of the suite's
 * PostgreSQL, reached the way the suite reaches its own (through the pooler
 * when there is one). For tests whose servers must not meet the suite's other
 * servers: every server on one database is a replica of one cluster (they
 * share rate limits, webhook deliveries and their count of live replicas).
 * Dropped at the end of the run, not here: DROP DATABASE forces a checkpoint,
 * which would stall other tests' new connections.
 */
export async function isolatedDatabaseEnv(): Promise<ServerEnv> {
  const name = `${inject("isolatedDatabasePrefix")}${randomBytes(4).toString("hex")}`;
  const admin = postgres(directDatabaseUrl(), { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
  const on = (u: string) => {
    const url = new URL(u);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const env: ServerEnv = { DATABASE_URL: on(databaseUrl()) };
  if (process.env.DATABASE_DIRECT_URL) env.DATABASE_DIRECT_URL = on(directDatabaseUrl());
  if (process.env.TAILAPI_DB_PREPARED_STATEMENTS) env.TAILAPI_DB_PREPARED_STATEMENTS = process.env.TAILAPI_DB_PREPARED_STATEMENTS;
  return env;
}

/** A fresh, empty data directory for an embedded-default server; removed by `cleanup`. */
export async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "tailapi-bb-"));
  // As root, PostgreSQL runs as user postgres, which must traverse this directory.
  await chmod(dir, 0o755);
  dataDirs.add(dir);
  return dir;
}


/** The compiled CLI, as `npm start` and the Docker image run it (built by `npm ci` / `npm run build`). */
export const COMPILED_CLI = path.join(ROOT, "dist", "cli.js");

export async function spawnServer(opts: { env?: ServerEnv; dataDir?: string; compiled?: boolean } = {}): Promise<Server> {
  // Debug logging everywhere: every black-box test is also a test that no secret reaches a log line (see cleanup).
  const env: ServerEnv = { PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "debug", ...(opts.env ?? {}) };
  for (const k of ["TAILAPI_BOOTSTRAP_API_KEY", "TAILAPI_ENCRYPTION_KEY"]) if (env[k]) secrets.add(env[k]!);
  if (opts.dataDir) env.TAILAPI_DATA_DIR = opts.dataDir;
  const spawnedAt = performance.now();
  const proc = spawn(process.execPath, [...(opts.compiled ? [COMPILED_CLI] : CLI), "serve"], { cwd: ROOT, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  live.add(proc);

  const logs: LogLine[] = [];
  const lines: string[] = [];
  let stderr = "";
  let firstApiKey: string | undefined;
  const waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  const exited = new Promise<number | null>((resolve) => {
    proc.once("exit", (code) => {
      live.delete(proc);
      resolve(code);
    });
  });

  let pending = "";
  proc.stdout!.setEncoding("utf8");
  proc.stdout!.on("data", (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      lines.push(line);
      const key = /^TAILAPI_API_KEY=(\S+)$/.exec(line.trim());
      if (key) {
        firstApiKey = key[1];
        secrets.add(key[1]!);
      }
      if (line.startsWith("{")) {
        try {
          const l = JSON.parse(line) as LogLine;
          logs.push(l);
          for (const w of [...waiters]) {
            if (w.pred(l)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(l);
            }
          }
        } catch {
          /* not a log line */
        }
      }
    }
  });
  proc.stderr!.setEncoding("utf8");
  proc.stderr!.on("data", (chunk: string) => (stderr += chunk));

  const waitForLog = (pred: (l: LogLine) => boolean, timeoutMs = START_TIMEOUT_MS) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = logs.find(pred);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`harness: no matching log line within ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
      timer.unref();
      waiters.push({
        pred,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });

  const listening = await Promise.race([
    waitForLog((l) => l.msg === "tailapi listening").then((l) => ({ l, wall: performance.now() - spawnedAt })),
    exited.then((code) => {
      throw new Error(`tailapi serve exited with status ${code} before listening; stderr:\n${stderr}\nstdout:\n${lines.join("\n")}`);
    }),
  ]).catch((err) => {
    proc.kill("SIGKILL");
    throw err;
  });

  unchecked.push({ logLines: () => lines.filter((l) => l.startsWith("{")), stderr: () => stderr });
  return {
    url: listening.l.url as string,
    proc,
    logs,
    lines,
    // The key line is printed before the listening line, so it is known by now.
    firstApiKey,
    readyMs: listening.l.readyMs as number,
    wallReadyMs: listening.wall,
    stderr: () => stderr,
    exited,
    waitForLog,
    stop: async (sig: NodeJS.Signals = "SIGTERM") => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
      return exited;
    },
  };
}

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Runs `tailapi <args>` (node --import tsx src/cli.ts …) to completion. */
export function runCli(args: string[], env: ServerEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...CLI, ...args],
      { cwd: ROOT, env: childEnv(env), timeout: CLI_TIMEOUT_MS, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        live.delete(child);
        collectSecrets(stdout);
        collectSecrets(stderr);
        const code = err ? (typeof (err as any).code === "number" ? (err as any).code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    live.add(child);
  });
}

/** `tailapi tailnets create <fresh name>`: a new tailnet of this test, with its first API key. */
export async function seedTailnet(env: ServerEnv): Promise<{ name: string; apiKey: string }> {
  const name = uniqueName();
  const r = await runCli(["tailnets", "create", name], env);
  if (r.code !== 0) throw new Error(`tailnets create ${name}: status ${r.code}\n${r.stderr}`);
  const apiKey = r.stdout.trim();
  if (!/^tskey-api-\S+$/.test(apiKey)) throw new Error(`tailnets create printed no API key: ${JSON.stringify(r.stdout)}`);
  return { name, apiKey };
}

/** PIDs of postmasters whose data directory lies in `dataDir` (`postgres -D <dataDir>/postgres …`). */
export function postgresPids(dataDir: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    execFile("ps", ["-eo", "pid,args"], (err, stdout) => {
      if (err) return reject(err);
      const needle = `-D ${path.join(dataDir, "postgres")}`;
      resolve(
        stdout
          .split("\n")
          .filter((l) => /\bpostgres\b/.test(l) && (l.includes(needle + " ") || l.trimEnd().endsWith(needle)))
          .map((l) => Number(l.trim().split(/\s+/)[0]))
          .filter((p) => Number.isInteger(p) && p > 0),
      );
    });
  });
}

/**
 * Kills every process this harness started and is still running, then any
 * postmaster left behind in a data directory it created (by pid), and removes
 * those directories. For afterEach/afterAll.
 */
export async function cleanup(): Promise<void> {
  const leaked = secretsInLogs();
  unchecked.length = 0;
  await killAll();
  if (leaked.length) throw new Error(`secrets in server logs (LOG_LEVEL=debug):\n${leaked.join("\n")}`);
}

async function killAll(): Promise<void> {
  const procs = [...live];
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          p.once("exit", () => resolve());
          p.kill("SIGKILL");
        }),
    ),
  );
  live.clear();
  for (const dir of [...dataDirs]) {
    for (const pid of await postgresPids(dir)) {
      try {
        process.kill(pid, "SIGQUIT");
      } catch {
        /* gone */
      }
    }
    for (let i = 0; i < 50 && (await postgresPids(dir)).length > 0; i++) await sleep(100);
    await rm(dir, { recursive: true, force: true });
    dataDirs.delete(dir);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A request whose headers reach the server before its body: resolves `sent`
 * once the server has answered `100 Continue` (so the request is being
 * handled), and `finish()` then sends the body. For in-flight requests.
 */
export function startSlowRequest(
  base: string,
  method: string,
  p: string,
  o: { key?: string; body: unknown },
): { accepted: Promise<void>; finish(): void; response: Promise<{ status: number; text: string }> } {
  const u = new URL(base + p);
  const payload = Buffer.from(JSON.stringify(o.body));
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "content-length": String(payload.length),
    expect: "100-continue",
    connection: "close",
  };
  if (o.key) headers.authorization = `Basic ${Buffer.from(`${o.key}:`).toString("base64")}`;
  const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent: false });
  let onAccepted!: () => void;
  let onFailed!: (e: Error) => void;
  const accepted = new Promise<void>((resolve, reject) => {
    onAccepted = resolve;
    onFailed = reject;
  });
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on("continue", () => onAccepted());
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("error", (e) => {
      onFailed(e);
      reject(e);
    });
  });
  accepted.catch(() => undefined);
  req.flushHeaders();
  return { accepted, finish: () => req.end(payload), response };
}

/**
 * One request through node:http with a given agent (so a test controls which
 * connection is used). `chunks` are written one by one without a
 * Content-Length (chunked); `body` is sent with one.
 */
export function httpRequest(
  agent: http.Agent,
  base: string,
  method: string,
  p: string,
  o: { key?: string; body?: string; chunks?: string[]; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const u = new URL(base + p);
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.key) headers.authorization = `Basic ${Buffer.from(`${o.key}:`).toString("base64")}`;
  if (o.body !== undefined) headers["content-length"] = String(Buffer.byteLength(o.body));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (o.chunks) {
      for (const c of o.chunks) req.write(c);
      req.end();
    } else req.end(o.body);
  });
}
