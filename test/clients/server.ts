/**
 * A tailapi server for the client suites: a real process (`tailapi serve`) on
 * an embedded PostgreSQL in a fresh temporary directory, a random port, and a
 * known owner's API key of its default tailnet.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export type Server = { url: string; apiKey: string; tailnet: string; stop(): Promise<void> };

const alnum = (n: number) =>
  [...randomBytes(n)].map((b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[b % 62]).join("");

export async function startServer(): Promise<Server> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "tailapi-clients-"));
  // As root, PostgreSQL runs as user postgres, which must traverse this directory.
  await chmod(dataDir, 0o755);
  const apiKey = `tskey-api-k${alnum(10)}CNTRL-${alnum(32)}`;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === "DATABASE_URL" || k === "DATABASE_DIRECT_URL" || k === "PORT" || k === "HOST" || k === "LOG_LEVEL" || k.startsWith("TAILAPI_")) continue;
    env[k] = v;
  }
  Object.assign(env, {
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    TAILAPI_DATA_DIR: dataDir,
    TAILAPI_BOOTSTRAP_API_KEY: apiKey,
  });
  const proc = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "serve"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const ready = new Promise<{ url: string; tailnet: string }>((resolve, reject) => {
    let pending = "";
    proc.stdout!.setEncoding("utf8");
    proc.stdout!.on("data", (chunk: string) => {
      output += chunk;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        try {
          const l = JSON.parse(line);
          if (l.msg === "tailapi listening") resolve({ url: l.url, tailnet: l.tailnet ?? "example.com" });
        } catch {
          /* not a log line */
        }
      }
    });
    proc.stderr!.setEncoding("utf8");
    proc.stderr!.on("data", (chunk: string) => (output += chunk));
    void exited.then((code) => reject(new Error(`tailapi serve exited with status ${code} before listening:\n${output}`)));
    setTimeout(() => reject(new Error(`tailapi serve did not listen within 90 s:\n${output}`)), 90_000).unref();
  });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const r = await ready;
    return { url: r.url, tailnet: r.tailnet, apiKey, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** One call to tailapi's API with the API key; the parsed JSON (or undefined) and the status. */
export async function api(
  server: Server,
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}/api/v2${p}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${server.apiKey}:`).toString("base64")}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** The endpoints tailapi serves, as "METHOD /path" with parameters written {} (from its OpenAPI document). */
export async function servedEndpoints(server: Server): Promise<Set<string>> {
  const doc = (await (await fetch(`${server.url}/api/v2/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const out = new Set<string>();
  for (const [p, ops] of Object.entries(doc.paths)) for (const m of Object.keys(ops)) out.add(endpointKey(m, p));
  return out;
}

export function endpointKey(method: string, p: string): string {
  return `${method.toUpperCase()} ${p.replace(/\{[^}]*\}/g, "{}")}`;
}

/** Registers a device through the node API with a fresh auth key; returns its nodeId. */
export async function registerDevice(server: Server, o: { hostname: string; tags?: string[]; routes?: string[] }): Promise<string> {
  const key = await api(server, "POST", "/tailnet/-/keys", {
    capabilities: { devices: { create: { reusable: false, ephemeral: false, preauthorized: true, tags: o.tags ?? [] } } },
    expirySeconds: 3600,
    description: `device ${o.hostname}`,
  });
  if (key.status !== 200) throw new Error(`creating an auth key: ${key.status} ${JSON.stringify(key.json)}`);
  const hex = () => randomBytes(32).toString("hex");
  const res = await fetch(`${server.url}/machine/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      authKey: key.json.key,
      nodeKey: `nodekey:${hex()}`,
      machineKey: `mkey:${hex()}`,
      hostname: o.hostname,
      os: "linux",
      advertiseRoutes: o.routes ?? [],
    }),
  });
  const body: any = await res.json();
  if (res.status !== 200) throw new Error(`registering ${o.hostname}: ${res.status} ${JSON.stringify(body)}`);
  return body.device.nodeId as string;
}
