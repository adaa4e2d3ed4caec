/**
 * What tailapi's API must show after each step of the Terraform run, one entry
 * per file of examples/terraform. Adding a resource: a .tf file with its
 * `# needs:` line, and its entry here.
 *
 * A check returns the problems it found (empty: all good). `ctx.state` is the
 * state file OpenTofu wrote; `ctx.api` asks tailapi with the API key.
 */
import type { Server } from "./server.js";

export type Step = "apply" | "change" | "destroy";

export type CheckContext = {
  api(method: string, path: string): Promise<{ status: number; json: any }>;
  /** Attributes of a resource or data source in the state ("tailscale_tailnet_key.servers", "data.tailscale_device.web"). */
  state(address: string): Record<string, any> | undefined;
  /** What the runner set up before apply. */
  fixtures: { webNodeId: string; dbNodeId: string };
  /** Values remembered between steps of one pass. */
  memo: Map<string, unknown>;
  server: Server;
};

type Check = (c: CheckContext) => Promise<string[]>;

export const CHECKS: Record<string, Partial<Record<Step, Check>>> = {
  "keys.tf": {
    apply: async (c) => {
      const p: string[] = [];
      const key = await keyById(c, c.state("tailscale_tailnet_key.servers")?.id);
      if (!key) return ["tailscale_tailnet_key.servers: not in tailapi"];
      const cap = key.capabilities?.devices?.create ?? {};
      if (key.description !== "servers staging" || !cap.reusable || !cap.preauthorized || cap.ephemeral || !same(cap.tags, ["tag:server"]) || key.invalid)
        p.push(`auth key: ${JSON.stringify(key)}`);
      if (key.expirySeconds !== 7776000) p.push(`auth key expirySeconds ${key.expirySeconds}, want 7776000`);
      const client = await keyById(c, c.state("tailscale_oauth_client.ci")?.id);
      if (!client || client.description !== "ci staging" || !same(client.scopes, ["auth_keys", "devices:core"]) || !same(client.tags, ["tag:ci"]))
        p.push(`OAuth client: ${JSON.stringify(client)}`);
      c.memo.set("keyId", key.id);
      c.memo.set("clientId", client?.id);
      return p;
    },
    change: async (c) => {
      const p: string[] = [];
      // A key's description cannot change: the provider replaces it.
      const key = await keyById(c, c.state("tailscale_tailnet_key.servers")?.id);
      if (!key || key.description !== "servers production" || key.id === c.memo.get("keyId")) p.push(`replaced auth key: ${JSON.stringify(key)}`);
      if (await listed(c, c.memo.get("keyId") as string)) p.push("the replaced auth key is still active");
      // An OAuth client is updated in place.
      const client = await keyById(c, c.state("tailscale_oauth_client.ci")?.id);
      if (!client || client.id !== c.memo.get("clientId") || client.description !== "ci production") p.push(`updated OAuth client: ${JSON.stringify(client)}`);
      c.memo.set("keyId", key?.id);
      return p;
    },
    destroy: async (c) => {
      const p: string[] = [];
      for (const id of [c.memo.get("keyId"), c.memo.get("clientId")] as string[]) if (await listed(c, id)) p.push(`key ${id} still active after destroy`);
      return p;
    },
  },
  "acl.tf": {
    apply: async (c) => {
      const r = await c.api("GET", "/tailnet/-/acl");
      const text = JSON.stringify(r.json);
      return r.status === 200 && text.includes("tag:server") && text.includes("group:ops") && text.includes("10.0.0.0/8")
        ? []
        : [`policy file: ${r.status} ${text}`];
    },
  },
  "dns.tf": {
    apply: async (c) => dnsIs(c, "staging"),
    change: async (c) => dnsIs(c, "production"),
    destroy: async (c) => {
      const p: string[] = [];
      const ns = await c.api("GET", "/tailnet/-/dns/nameservers");
      if ((ns.json?.dns ?? []).length) p.push(`nameservers after destroy: ${JSON.stringify(ns.json)}`);
      const sp = await c.api("GET", "/tailnet/-/dns/searchpaths");
      if ((sp.json?.searchPaths ?? []).length) p.push(`search paths after destroy: ${JSON.stringify(sp.json)}`);
      const split = await c.api("GET", "/tailnet/-/dns/split-dns");
      if (split.json?.["corp.example.com"]?.length) p.push(`split DNS after destroy: ${JSON.stringify(split.json)}`);
      return p;
    },
  },
  "settings.tf": {
    apply: async (c) => {
      const p: string[] = [];
      const s = (await c.api("GET", "/tailnet/-/settings")).json ?? {};
      if (!s.devicesApprovalOn || !s.devicesAutoUpdatesOn || s.devicesKeyDurationDays !== 30 || !s.usersApprovalOn || s.postureIdentityCollectionOn !== false)
        p.push(`settings: ${JSON.stringify(s)}`);
      const k = (await c.api("GET", "/tailnet/-/contacts")).json ?? {};
      if (k.account?.email !== "billing@example.com" || k.support?.email !== "support@example.com" || k.security?.email !== "security@example.com")
        p.push(`contacts: ${JSON.stringify(k)}`);
      return p;
    },
  },
  "webhook.tf": {
    apply: async (c) => {
      const id = c.state("tailscale_webhook.ops")?.id;
      const w = await c.api("GET", `/webhooks/${id}`);
      c.memo.set("webhookId", id);
      return w.status === 200 && w.json.endpointUrl === "https://hooks.example.com/tailscale" && same(w.json.subscriptions, ["nodeCreated", "nodeDeleted", "policyUpdate"])
        ? []
        : [`webhook ${id}: ${w.status} ${JSON.stringify(w.json)}`];
    },
    destroy: async (c) => {
      const w = await c.api("GET", `/webhooks/${c.memo.get("webhookId")}`);
      return w.status === 404 ? [] : [`webhook after destroy: ${w.status}`];
    },
  },
  "devices_data.tf": {
    apply: async (c) => {
      const p: string[] = [];
      if (c.state("data.tailscale_device.web")?.node_id !== c.fixtures.webNodeId) p.push(`data.tailscale_device.web: ${JSON.stringify(c.state("data.tailscale_device.web"))}`);
      if (c.state("data.tailscale_device.db")?.node_id !== c.fixtures.dbNodeId) p.push(`data.tailscale_device.db: ${JSON.stringify(c.state("data.tailscale_device.db"))}`);
      const listedIds = (c.state("data.tailscale_devices.all")?.devices ?? []).map((d: any) => d.node_id).sort();
      const actual = ((await c.api("GET", "/tailnet/-/devices")).json?.devices ?? []).map((d: any) => d.nodeId).sort();
      if (!same(listedIds, actual)) p.push(`data.tailscale_devices.all: ${JSON.stringify(listedIds)}, tailapi lists ${JSON.stringify(actual)}`);
      return p;
    },
  },
  "devices.tf": {
    apply: async (c) => {
      const p: string[] = [];
      const web = (await c.api("GET", `/device/${c.fixtures.webNodeId}?fields=all`)).json ?? {};
      if (!web.authorized || !same(web.enabledRoutes, ["10.0.1.0/24"]) || !same(web.tags, ["tag:server"])) p.push(`web: ${JSON.stringify(web)}`);
      const db = (await c.api("GET", `/device/${c.fixtures.dbNodeId}`)).json ?? {};
      if (!db.keyExpiryDisabled) p.push(`db: keyExpiryDisabled ${db.keyExpiryDisabled}`);
      return p;
    },
    destroy: async (c) => {
      const p: string[] = [];
      const web = (await c.api("GET", `/device/${c.fixtures.webNodeId}?fields=all`)).json ?? {};
      if ((web.enabledRoutes ?? []).length || (web.tags ?? []).length) p.push(`web after destroy: ${JSON.stringify(web)}`);
      const db = (await c.api("GET", `/device/${c.fixtures.dbNodeId}`)).json ?? {};
      if (db.keyExpiryDisabled) p.push("db: key expiry still disabled after destroy");
      return p;
    },
  },
  "users.tf": {
    apply: async (c) => {
      const logins = ((c.state("data.tailscale_users.all")?.users ?? []) as any[]).map((u) => u.login_name).sort();
      const actual = ((await c.api("GET", "/tailnet/-/users")).json?.users ?? []).map((u: any) => u.loginName).sort();
      return logins.length > 0 && same(logins, actual) ? [] : [`data.tailscale_users.all: ${JSON.stringify(logins)}, tailapi has ${JSON.stringify(actual)}`];
    },
  },
};

async function dnsIs(c: CheckContext, env: string): Promise<string[]> {
  const p: string[] = [];
  const ns = (await c.api("GET", "/tailnet/-/dns/nameservers")).json;
  if (!same(ns?.dns, ["1.1.1.1", "2606:4700:4700::1111"])) p.push(`nameservers: ${JSON.stringify(ns)}`);
  const pref = (await c.api("GET", "/tailnet/-/dns/preferences")).json;
  if (pref?.magicDNS !== true) p.push(`preferences: ${JSON.stringify(pref)}`);
  const sp = (await c.api("GET", "/tailnet/-/dns/searchpaths")).json;
  if (JSON.stringify(sp?.searchPaths) !== JSON.stringify([`${env}.example.com`, "example.com"])) p.push(`search paths: ${JSON.stringify(sp)}`);
  const split = (await c.api("GET", "/tailnet/-/dns/split-dns")).json;
  if (!same(split?.["corp.example.com"], ["10.0.0.53"])) p.push(`split DNS: ${JSON.stringify(split)}`);
  return p;
}

async function keyById(c: CheckContext, id: string | undefined): Promise<any> {
  if (!id) return undefined;
  const r = await c.api("GET", `/tailnet/-/keys/${id}`);
  return r.status === 200 ? r.json : undefined;
}

/** Whether a key is among the active keys tailapi lists. */
async function listed(c: CheckContext, id: string): Promise<boolean> {
  const r = await c.api("GET", "/tailnet/-/keys?all=true");
  return (r.json?.keys ?? []).some((k: any) => k.id === id);
}

function same(a: unknown, b: string[]): boolean {
  return Array.isArray(a) && JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}
