/**
 * npm run test:clients — the real clients against a real tailapi:
 *
 * 1. the official Go client (test/clients/go, tailscale.com/client/tailscale/v2 pinned in its go.mod),
 *    every method with an API key and with the client's own OAuth support;
 * 2. OpenTofu with the official Tailscale provider (pinned in test/clients/versions.json), running the
 *    README's Terraform section on examples/terraform (test/clients/terraform.ts).
 *
 * Needs Go; without it, says so and exits 0. Built binaries are cached outside the repository
 * (test/clients/build.ts). Cases whose endpoints tailapi does not serve yet are skipped, each with
 * the endpoints it waits for. Ends with "N passed, N failed, N skipped"; exits 1 on any failure.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { buildOpenTofu, buildProvider, CACHE, goVersion, versions, type Built } from "./build.js";
import { ROOT, startServer, type Server } from "./server.js";
import { runTerraform, type Report } from "./terraform.js";

const GO_DIR = path.join(ROOT, "test/clients/go");

const counts = { passed: 0, failed: 0, skipped: 0 };
const failures: string[] = [];
const report: Report = {
  pass: (name) => {
    counts.passed++;
    console.log(`PASS  ${name}`);
  },
  fail: (name, why) => {
    counts.failed++;
    failures.push(`${name}\n${indent(why)}`);
    console.log(`FAIL  ${name}`);
  },
  skip: (name, why) => {
    counts.skipped++;
    console.log(`SKIP  ${name}: ${why}`);
  },
  log: (line) => console.log(`      ${line}`),
};

const indent = (s: string) =>
  s
    .trimEnd()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");

function section(title: string) {
  console.log(`\n---- ${title} ----`);
}

/** `go test -json` of the Go module, one report line per leaf test. */
function runGoSuite(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const env = { ...process.env, TAILAPI_URL: server.url, TAILAPI_API_KEY: server.apiKey };
    execFile("go", ["test", "-count=1", "-json", "./..."], { cwd: GO_DIR, env, timeout: 20 * 60_000, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      const output = new Map<string, string[]>();
      const results: { test: string; action: string }[] = [];
      const parents = new Set<string>();
      let other = "";
      for (const line of stdout.split("\n")) {
        if (!line.startsWith("{")) {
          other += line ? `${line}\n` : "";
          continue;
        }
        const e = JSON.parse(line) as { Action: string; Test?: string; Output?: string };
        if (!e.Test) {
          if (e.Action === "output" && e.Output && !/^(ok|PASS|FAIL)\b/.test(e.Output)) other += e.Output;
          continue;
        }
        if (e.Test.includes("/")) parents.add(e.Test.slice(0, e.Test.lastIndexOf("/")));
        if (e.Action === "output") {
          const o = e.Output ?? "";
          if (!/^\s*(=== |--- )/.test(o)) (output.get(e.Test) ?? output.set(e.Test, []).get(e.Test)!).push(o.trim());
        } else if (e.Action === "pass" || e.Action === "fail" || e.Action === "skip") results.push({ test: e.Test, action: e.Action });
      }
      for (const r of results) {
        if (parents.has(r.test) && r.action !== "fail") continue; // a group: its cases are reported
        const name = `go: ${r.test}`;
        const said = (output.get(r.test) ?? []).map((l) => l.replace(/^\S+_test\.go:\d+: /, "")).filter(Boolean);
        if (r.action === "pass") report.pass(name);
        else if (r.action === "skip") report.skip(name, said.join(" ") || "skipped");
        else if (!parents.has(r.test) || said.length) report.fail(name, said.join("\n") || "failed");
      }
      if (err && results.every((r) => r.action !== "fail")) {
        report.fail("go: the Go client suite", `go test exited with ${(err as any).code ?? err}\n${other}${stderr}`);
      }
      resolve();
    });
  });
}

async function main() {
  const started = performance.now();
  const go = await goVersion();
  if (!go) {
    console.log("test:clients: skipped: Go is not installed. The Go client and Terraform suites build the real clients with Go (1.24 or newer); install Go to run them.");
    return;
  }
  console.log(`test:clients: ${go}; built clients are cached in ${CACHE}`);
  await mkdir(CACHE, { recursive: true });

  section("build");
  const log = (l: string) => console.log(`      ${l}`);
  const buildStart = performance.now();
  // The Go module's test binary (Go's build cache makes a warm build quick).
  await new Promise<void>((resolve, reject) =>
    execFile("go", ["test", "-count=1", "-run", "^$", "./..."], { cwd: GO_DIR, timeout: 20 * 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`building the Go client suite failed:\n${stdout}${stderr}`)) : resolve(),
    ),
  );
  const describe = (what: string, b: Built) =>
    b.ok ? `${what}: ${b.path} (${b.built ? `built in ${b.seconds.toFixed(0)} s` : "cached"})` : `${what}: unavailable: ${b.reason}`;
  const provider = await buildProvider(log);
  console.log(`      ${describe(`terraform-provider-tailscale ${versions["terraform-provider-tailscale"]}`, provider)}`);
  // OpenTofu is only worth minutes of building when there is a provider to run it with (or it is cached already).
  const tofuCached = existsSync(path.join(CACHE, `opentofu-${versions.opentofu}`, "tofu"));
  const tofu: Built =
    provider.ok || tofuCached || process.env.TAILAPI_BUILD_TOFU === "1"
      ? await buildOpenTofu(log)
      : { ok: false, reason: "not built: without the provider it could run nothing (TAILAPI_BUILD_TOFU=1 builds it anyway)" };
  console.log(`      ${describe(`OpenTofu ${versions.opentofu}`, tofu)}`);
  console.log(`      build phase: ${((performance.now() - buildStart) / 1000).toFixed(0)} s`);
  if (tofu.ok) {
    // The configuration is well-formed HCL in OpenTofu's canonical layout, provider or not.
    const fmt = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(tofu.path, ["fmt", "-check", "-diff", "-no-color", path.join(ROOT, "examples/terraform")], { env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null" } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as any).code ?? 1) : 0, out: stdout + stderr }),
      ),
    );
    if (fmt.code === 0) report.pass("terraform: tofu fmt -check examples/terraform");
    else report.fail("terraform: tofu fmt -check examples/terraform", fmt.out);
  }

  section("server");
  const server = await startServer();
  console.log(`      tailapi at ${server.url}`);
  try {
    section(`Go client (tailscale.com/client/tailscale/v2, see test/clients/go/go.mod)`);
    await runGoSuite(server);

    section("OpenTofu + terraform-provider-tailscale");
    if (!tofu.ok) report.skip("terraform", `OpenTofu is unavailable: ${tofu.reason}`);
    else if (!provider.ok)
      report.skip(
        "terraform",
        `the official provider is unavailable: ${provider.reason}. Set TAILAPI_TF_PROVIDER to a terraform-provider-tailscale binary to run this suite.`,
      );
    else await runTerraform({ server, tofu: tofu.path, provider: provider.path, report });
  } finally {
    await server.stop();
  }

  if (failures.length) {
    section("failures");
    for (const f of failures) console.log(`FAIL  ${f}\n`);
  }
  console.log(`\ntest:clients done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exitCode = counts.failed ? 1 : 0;
}

main().catch((err) => {
  console.error(`test:clients: ${err instanceof Error ? err.stack ?? err.message : err}`);
  console.log("0 passed, 1 failed");
  process.exitCode = 1;
});
