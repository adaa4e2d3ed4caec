/**
 * Builds the real clients from their published Go modules at pinned versions,
 * into a cache outside the repository (nothing of theirs is committed):
 *
 *   $TAILAPI_CLIENTS_CACHE (default ~/.cache/tailapi-clients)/
 *     opentofu-<version>/tofu
 *     terraform-provider-tailscale-<version>/terraform-provider-tailscale
 *
 * Sources come from the Go module proxy through `go mod download` (Go's own
 * module cache), compiled with Go's build cache; a binary is built once per
 * version and reused. OpenTofu's go.mod has a `replace`, so it is built inside
 * its downloaded module directory, never with `go install …@version`.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import versions from "./versions.json" with { type: "json" };

const run = promisify(execFile);

export { versions };

export const CACHE = process.env.TAILAPI_CLIENTS_CACHE ?? path.join(homedir(), ".cache", "tailapi-clients");

/** `go version`'s answer, or undefined where Go is not installed. */
export async function goVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run("go", ["version"], { timeout: 30_000 });
    return stdout.trim();
  } catch (err: any) {
    if (err?.code === "ENOENT") return undefined;
    throw new Error(`go version failed: ${err?.stderr ?? err}`);
  }
}

export type Built = { ok: true; path: string; built: boolean; seconds: number } | { ok: false; reason: string };

type DownloadInfo = { Dir?: string; Error?: string };

/** `go mod download -json module@version`: the module's source directory, or why the proxy would not serve it. */
async function download(module: string, version: string): Promise<{ dir: string } | { error: string }> {
  let stdout: string;
  try {
    ({ stdout } = await run("go", ["mod", "download", "-json", `${module}@${version}`], {
      timeout: 10 * 60_000,
      maxBuffer: 16 << 20,
      cwd: CACHE, // outside any module: a plain download
    }));
  } catch (err: any) {
    stdout = err?.stdout ?? "";
    if (!stdout) return { error: String(err?.stderr || err).trim() };
  }
  const info = JSON.parse(stdout) as DownloadInfo;
  if (info.Error || !info.Dir) return { error: (info.Error ?? "no module directory").split("\n")[0]! };
  return { dir: info.Dir };
}

/** Builds `pkg` inside a downloaded module into the cache, once per version. */
async function buildFromModule(o: {
  module: string;
  version: string;
  pkg: string;
  name: string;
  ldflags?: string;
  log: (line: string) => void;
}): Promise<Built> {
  const dir = path.join(CACHE, `${path.basename(o.module)}-${o.version}`);
  const bin = path.join(dir, o.name);
  if (existsSync(bin)) return { ok: true, path: bin, built: false, seconds: 0 };
  await mkdir(dir, { recursive: true });
  const started = performance.now();
  o.log(`downloading ${o.module}@${o.version} from the Go module proxy`);
  const src = await download(o.module, o.version);
  if ("error" in src) return { ok: false, reason: `the Go module proxy does not serve ${o.module}@${o.version}: ${src.error}` };
  o.log(`building ${o.name} ${o.version} (once per version; minutes on a cold Go cache)`);
  const tmp = `${bin}.tmp-${process.pid}`;
  try {
    await run("go", ["build", "-trimpath", "-ldflags", `-s -w ${o.ldflags ?? ""}`.trim(), "-o", tmp, o.pkg], {
      cwd: src.dir,
      timeout: 40 * 60_000,
      maxBuffer: 64 << 20,
      // The module cache is read-only; nothing may be written next to the sources.
      env: { ...process.env, GOFLAGS: [process.env.GOFLAGS, "-mod=readonly"].filter(Boolean).join(" ") },
    });
  } catch (err: any) {
    await rm(tmp, { force: true });
    throw new Error(`building ${o.module}@${o.version} failed:\n${err?.stderr ?? err}`);
  }
  await rename(tmp, bin);
  return { ok: true, path: bin, built: true, seconds: (performance.now() - started) / 1000 };
}

export function buildOpenTofu(log: (line: string) => void): Promise<Built> {
  return buildFromModule({
    module: "github.com/opentofu/opentofu",
    version: versions.opentofu,
    pkg: "./cmd/tofu",
    name: "tofu",
    // A release build reports its plain version (no "-dev" suffix).
    ldflags: "-X github.com/opentofu/opentofu/version.dev=no",
    log,
  });
}

/**
 * The official provider. TAILAPI_TF_PROVIDER may name a provider binary built
 * or downloaded elsewhere (it must be terraform-provider-tailscale).
 */
export async function buildProvider(log: (line: string) => void): Promise<Built> {
  const given = process.env.TAILAPI_TF_PROVIDER;
  if (given) {
    if (!existsSync(given)) return { ok: false, reason: `TAILAPI_TF_PROVIDER=${given} does not exist` };
    return { ok: true, path: path.resolve(given), built: false, seconds: 0 };
  }
  return buildFromModule({
    module: "github.com/tailscale/terraform-provider-tailscale",
    version: versions["terraform-provider-tailscale"],
    pkg: ".",
    name: "terraform-provider-tailscale",
    log,
  });
}
