#!/usr/bin/env node
// A stand-in for the `tailscale` client in tests that follow documents word for word
// (`tailscale up --login-server URL [--authkey KEY] [--advertise-tags tag:a,tag:b]`,
// `tailscale down`). It speaks tailapi's node API: it registers (with the auth key, or
// by web authentication: it prints the authUrl, as `tailscale up` does, and asks again
// until an admin has approved it), then reports in once, so the device is online.
// The machine's hostname comes from TS_HOSTNAME (the stand-in for the OS hostname).
// Plain JavaScript with no dependency: it runs outside the application, as the client does.
import { randomBytes } from "node:crypto";
import { hostname as osHostname } from "node:os";

const args = process.argv.slice(2);
const verb = args.shift();
if (verb === "down") process.exit(0);
if (verb !== "up") {
  process.stderr.write(`tailscale-sim: unknown command ${JSON.stringify(verb)} (up, down)\n`);
  process.exit(2);
}

const opts = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const eq = a.indexOf("=");
  const [name, value] = a.startsWith("--") && eq > 0 ? [a.slice(2, eq), a.slice(eq + 1)] : [a.replace(/^--/, ""), args[++i]];
  opts[name] = value;
}
const server = opts["login-server"];
if (!server) {
  process.stderr.write("tailscale-sim: --login-server is required\n");
  process.exit(2);
}

const hex = () => randomBytes(32).toString("hex");
const body = {
  nodeKey: `nodekey:${hex()}`,
  machineKey: `mkey:${hex()}`,
  hostname: process.env.TS_HOSTNAME || osHostname(),
  os: "linux",
  osVersion: "6.1",
  clientVersion: "1.80.0",
  advertiseTags: opts["advertise-tags"] ? opts["advertise-tags"].split(",").filter(Boolean) : [],
  ...(opts.authkey ? { authKey: opts.authkey } : {}),
};

async function post(path, payload, token) {
  const res = await fetch(server.replace(/\/+$/, "") + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(payload),
  });
  const json = await res.json().catch(() => ({}));
  if (res.status !== 200) {
    process.stderr.write(`backend error: ${json.message ?? res.status}\n`);
    process.exit(1);
  }
  return json;
}

const deadline = Date.now() + Number(process.env.TS_TIMEOUT_MS || 120_000);
let r = await post("/machine/register", body);
if (r.authUrl) {
  process.stdout.write(`\nTo authenticate, visit:\n\n\t${r.authUrl}\n\n`);
  while (!r.nodeToken) {
    if (Date.now() > deadline) {
      process.stderr.write("tailscale-sim: not approved in time\n");
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    r = await post("/machine/register", body);
  }
}
await post("/machine/update", {}, r.nodeToken);
process.stdout.write("Success.\n");
