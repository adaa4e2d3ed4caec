/**
 * OpenTofu with the official Tailscale provider against a running tailapi,
 * running the README's Terraform section as written: its dev_overrides CLI
 * configuration and its shell block, line by line, with tailapi's state
 * checked through the API after apply, after the changed-variable apply and
 * after destroy (terraform-checks.ts), and `plan -detailed-exitcode` required
 * to report no changes. Once with an API key, once with an OAuth client.
 *
 * The configuration is examples/terraform. Each file's `# needs:` line names
 * the endpoints its resources call; a file whose endpoints tailapi does not
 * serve yet is left out of the run, and the runner says so.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { versions } from "./build.js";
import { CHECKS, type CheckContext, type Step } from "./terraform-checks.js";
import { api, endpointKey, registerDevice, ROOT, servedEndpoints, type Server } from "./server.js";

export type Report = { pass: (name: string) => void; fail: (name: string, why: string) => void; skip: (name: string, why: string) => void; log: (line: string) => void };

const CONFIG_DIR = path.join(ROOT, "examples/terraform");

/** The README's Terraform section: the CLI configuration (hcl) and the run script (sh). */
export async function readmeTerraform(): Promise<{ cliConfig: string; script: string }> {
  const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Terraform");
  if (start < 0) throw new Error("README.md has no '## Terraform' section");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const cliConfig = /```hcl\n(provider_installation[\s\S]*?)```/.exec(section)?.[1];
  const script = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((s) => s.includes("tofu apply"));
  if (!cliConfig || !script) throw new Error("README.md's Terraform section lacks the provider_installation block or the tofu script");
  return { cliConfig, script };
}

/** The configuration's files and what each needs. */
export async function configFiles(): Promise<{ file: string; needs: string[] }[]> {
  const out = [];
  for (const file of (await readdir(CONFIG_DIR)).filter((f) => f.endsWith(".tf")).sort()) {
    const text = await readFile(path.join(CONFIG_DIR, file), "utf8");
    const line = /^# needs: (.*)$/m.exec(text)?.[1];
    out.push({ file, needs: line ? line.split(",").map((s) => s.trim()) : [] });
  }
  return out;
}

function sh(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile("bash", ["-euo", "pipefail", "-c", script], { cwd, env, timeout: 10 * 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === "number" ? (err as any).code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

export async function runTerraform(o: { server: Server; tofu: string; provider: string; report: Report }): Promise<void> {
  const { server, report } = o;
  const served = await servedEndpoints(server);
  const files = await configFiles();
  const included: string[] = [];
  for (const f of files) {
    const missing = f.needs.filter((n) => {
      const [m, p] = n.split(" ");
      return !served.has(endpointKey(m!, p!));
    });
    if (missing.length) report.skip(`terraform: ${f.file}`, `waiting for ${missing.join(", ")} (not served by this tailapi)`);
    else included.push(f.file);
    if (!missing.length && f.file !== "main.tf" && !CHECKS[f.file]) throw new Error(`examples/terraform/${f.file} has no entry in test/clients/terraform-checks.ts`);
  }
  const { cliConfig, script } = await readmeTerraform();

  for (const mode of ["apikey", "oauth"] as const) {
    const name = `terraform (${mode === "apikey" ? "API key" : "OAuth client"})`;
    const work = await mkdtemp(path.join(tmpdir(), "tailapi-tf-"));
    const cleanups: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })];
    try {
      const config = path.join(work, "config");
      await mkdir(config);
      for (const f of included) await copyFile(path.join(CONFIG_DIR, f), path.join(config, f));
      // The CLI configuration as the README gives it, with this run's directories: the provider's
      // own directory for dev_overrides, and a mirror holding the same binary for `tofu init`.
      const mirror = path.join(work, "mirror");
      const platform = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;
      const inMirror = path.join(mirror, "registry.opentofu.org/tailscale/tailscale", versions["terraform-provider-tailscale"].replace(/^v/, ""), platform);
      await mkdir(inMirror, { recursive: true });
      await symlink(o.provider, path.join(inMirror, "terraform-provider-tailscale"));
      const rc = path.join(work, "tofurc");
      await writeFile(rc, cliConfig.replaceAll('"/opt/tailapi-tf/bin"', JSON.stringify(path.dirname(o.provider))).replaceAll('"/opt/tailapi-tf/mirror"', JSON.stringify(mirror)));

      // Before apply: the suite's tags have an owner, and two devices have joined.
      if (served.has(endpointKey("POST", "/api/v2/tailnet/{}/acl"))) {
        const r = await api(server, "POST", "/tailnet/-/acl", { tagOwners: { "tag:server": ["autogroup:admin"], "tag:ci": ["autogroup:admin"] } });
        if (r.status !== 200) throw new Error(`setting a policy file with the suite's tags: ${r.status} ${JSON.stringify(r.json)}`);
      }
      const fixtures = {
        webNodeId: await registerDevice(server, { hostname: "web", routes: ["10.0.1.0/24", "10.0.2.0/24"] }),
        dbNodeId: await registerDevice(server, { hostname: "db" }),
      };
      cleanups.push(() => api(server, "DELETE", `/device/${fixtures.webNodeId}`), () => api(server, "DELETE", `/device/${fixtures.dbNodeId}`));

      let credentials = `export TAILSCALE_API_KEY=${server.apiKey}`;
      if (mode === "oauth") {
        const c = await api(server, "POST", "/tailnet/-/keys", { keyType: "client", scopes: ["all"], tags: ["tag:server", "tag:ci"], description: "terraform" });
        if (c.status !== 200) throw new Error(`creating the OAuth client: ${c.status} ${JSON.stringify(c.json)}`);
        cleanups.push(() => api(server, "DELETE", `/tailnet/-/keys/${c.json.id}`));
        credentials = `export TAILSCALE_OAUTH_CLIENT_ID=${c.json.id} TAILSCALE_OAUTH_CLIENT_SECRET=${c.json.key}`;
      }

      // The README's script, as written, but for: the configuration's copy, the CLI configuration
      // file written above, the server's address, and (OAuth pass) the credentials line.
      const lines = script.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));
      const prelude = lines
        .filter((l) => !/^\s*tofu\s/.test(l))
        .map((l) =>
          l
            .replace(/^cd examples\/terraform\b.*$/, `cd ${JSON.stringify(config)}`)
            .replace(/(TF_CLI_CONFIG_FILE=)\S+/, `$1${rc}`)
            .replaceAll("http://127.0.0.1:8080", server.url)
            .replace(/^export TAILSCALE_API_KEY=.*$/, credentials),
        )
        .join("\n");
      const env: NodeJS.ProcessEnv = { ...process.env, TAILAPI_API_KEY: server.apiKey, TF_IN_AUTOMATION: "1", TF_INPUT: "0", TF_CLI_ARGS: "-no-color" };
      for (const k of Object.keys(env)) if (k.startsWith("TAILSCALE_") || k.startsWith("TF_VAR_") || k === "BASH_ENV" || k === "ENV") delete env[k];
      env.PATH = `${path.dirname(o.tofu)}:${env.PATH}`;

      const memo = new Map<string, unknown>();
      let applies = 0;
      for (const line of lines.filter((l) => /^\s*tofu\s/.test(l))) {
        const cmd = line.replace(/\s+#.*$/, "").trim();
        const r = await sh(`${prelude}\n${cmd}`, ROOT, env);
        if (r.code !== 0) throw new Error(`${cmd}: exit status ${r.code}${/detailed-exitcode/.test(cmd) && r.code === 2 ? " (the plan is not empty: the provider did not read back what it wrote)" : ""}\n${tail(r.out)}`);
        report.log(`${name}: ${cmd}: ok`);
        const step: Step | undefined = /^tofu apply\b/.test(cmd) ? (applies++ === 0 ? "apply" : "change") : /^tofu destroy\b/.test(cmd) ? "destroy" : undefined;
        if (!step) continue;
        const state = existsSync(path.join(config, "terraform.tfstate")) ? JSON.parse(await readFile(path.join(config, "terraform.tfstate"), "utf8")) : { resources: [] };
        const ctx: CheckContext = {
          api: (m, p) => api(server, m, p),
          state: (address) => {
            const data = address.startsWith("data.");
            const [type, nm] = (data ? address.slice(5) : address).split(".");
            const r = (state.resources ?? []).find((x: any) => x.type === type && x.name === nm && (x.mode === "data") === data);
            return r?.instances?.[0]?.attributes;
          },
          fixtures,
          memo,
          server,
        };
        for (const f of included) {
          const check = CHECKS[f]?.[step];
          if (!check) continue;
          const problems = await check(ctx);
          if (problems.length) throw new Error(`after ${cmd}: ${f}: tailapi's state is not what the configuration says:\n  ${problems.join("\n  ")}`);
        }
      }
      report.pass(`${name}: init, apply, plan (no changes), apply with a changed variable, destroy; ${included.length} files`);
    } catch (err) {
      report.fail(name, err instanceof Error ? err.message : String(err));
    } finally {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    }
  }
}

function tail(s: string): string {
  const lines = s.trimEnd().split("\n");
  return lines.slice(-60).join("\n");
}
