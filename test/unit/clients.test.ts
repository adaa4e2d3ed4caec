/**
 * The client suites' machinery (npm run test:clients), checked without Go or
 * a provider: the README's Terraform section is what the runner will execute,
 * every file of examples/terraform says what it needs and has its state checks,
 * and without Go the runner skips with a clear message and exits 0.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../clients/terraform-checks.js";
import { configFiles, readmeTerraform } from "../clients/terraform.js";
import { ROOT } from "../clients/server.js";

describe("test:clients machinery", () => {
  it("the README's Terraform section has the CLI configuration and the script the runner executes", async () => {
    const { cliConfig, script } = await readmeTerraform();
    expect(cliConfig).toContain('"tailscale/tailscale" = "/opt/tailapi-tf/bin"');
    expect(cliConfig).toContain('path    = "/opt/tailapi-tf/mirror"');
    const lines = script.split("\n").map((l) => l.replace(/\s+#.*$/, "").trim());
    expect(lines).toContain("cd examples/terraform");
    expect(lines.some((l) => /^export TF_CLI_CONFIG_FILE=\S+$/.test(l))).toBe(true);
    expect(lines).toContain("export TF_VAR_base_url=http://127.0.0.1:8080");
    expect(lines).toContain("export TAILSCALE_API_KEY=$TAILAPI_API_KEY");
    expect(lines.filter((l) => l.startsWith("tofu "))).toEqual([
      "tofu init",
      "tofu apply -auto-approve",
      "tofu plan -detailed-exitcode",
      "tofu apply -auto-approve -var environment=production",
      "tofu destroy -auto-approve",
    ]);
  });

  it("every Terraform file names the endpoints it needs and has state checks", async () => {
    const files = await configFiles();
    expect(files.map((f) => f.file)).toContain("main.tf");
    for (const f of files) {
      if (f.file === "main.tf") {
        expect(f.needs).toEqual([]);
        continue;
      }
      expect(f.needs.length, f.file).toBeGreaterThan(0);
      for (const n of f.needs) expect(n, f.file).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/api\/v2\/[\w{}/-]+$/);
      expect(Object.keys(CHECKS[f.file] ?? {}).length, `${f.file} has no entry in terraform-checks.ts`).toBeGreaterThan(0);
    }
    for (const name of Object.keys(CHECKS)) expect(files.map((f) => f.file), name).toContain(name);
  });

  it("without Go, npm run test:clients says so and exits 0", async () => {
    // A PATH with node and nothing else.
    const bin = await mkdtemp(path.join(tmpdir(), "tailapi-nogo-"));
    await symlink(process.execPath, path.join(bin, "node"));
    const env = { ...process.env, PATH: bin };
    const r = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(process.execPath, ["--import", "tsx", "test/clients/run.ts"], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as any).code ?? 1) : 0, out: stdout + stderr }),
      ),
    );
    expect(r.out).toContain("test:clients: skipped: Go is not installed");
    expect(r.code).toBe(0);
    await rm(bin, { recursive: true, force: true });
  });
});
