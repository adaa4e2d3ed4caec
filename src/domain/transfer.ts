import { randomBytes } from "node:crypto";
import ipaddr from "ipaddr.js";
import { parse as parseJsonc, type ParseError } from "jsonc-parser";
import { z } from "zod";
import { findCredential } from "../db/keys.js";
import { countDevices, deviceNameOrKeyTaken, deviceValueTaken, insertImportedDevice, TAGGED_DEVICES, type UniqueDeviceColumn } from "../db/devices.js";
import { insertKey } from "../db/keys.js";
import { lockUntilCommit } from "../db/locks.js";
import { putPolicyRow } from "../db/policies.js";
import type { TxSql } from "../db/sql.js";
import { getTailnet, setDnsSuffix } from "../db/tailnets.js";
import { getUser, insertUser, listUsers, ROLES, type User } from "../db/users.js";
import { conflict, forbidden, invalid } from "../lib/errors.js";
import { grants } from "../auth/scopes.js";
import type { Actor } from "./actor.js";
import { audit, tailnetTarget, type AuditActor } from "./audit.js";
import { randomIPv4, randomIPv6 } from "./addresses.js";
import type { Deps } from "./deps.js";
import { loadDirectory, requireTestsPass } from "./policies.js";
import { parsePolicy, policyEtag } from "./policy.js";
import { canonicalCidr } from "./subnets.js";
import { loginNameProblem } from "./users.js";

/**
 * A stand-in seeded from a real tailnet: import what Tailscale's own API
 * answers (`GET /tailnet/-/users`, `GET /tailnet/-/devices?fields=all`,
 * `GET /tailnet/-/keys`, `GET /tailnet/-/acl` as HuJSON) into a tailnet, in
 * one transaction. Identities are kept (user ids, device ids and nodeIds,
 * names, addresses, tags, routes, times), so automation written against the
 * real tailnet finds the same things. Keys keep their ids and settings but
 * not their secrets (the API never shows them): imported keys cannot be used.
 */
export type ImportBundle = { users?: unknown[]; devices?: unknown[]; keys?: unknown[]; policy?: string };
export type ImportSummary = { users: number; devices: number; keys: number; policy: boolean };

// ---------------------------------------------------------------- files to a bundle (pure)

/**
 * Reads exported files into a bundle, by content: `{"users": […]}`,
 * `{"devices": […]}`, `{"keys": […]}`, and anything else that parses as an
 * object is the policy file (HuJSON). A kind given twice is an error.
 */
export function bundleFromFiles(files: readonly { name: string; text: string }[]): ImportBundle {
  const bundle: ImportBundle = {};
  const from: Partial<Record<keyof ImportBundle, string>> = {};
  const put = (kind: keyof ImportBundle, name: string, value: unknown[] | string) => {
    if (from[kind]) throw invalid(`${name}: a second ${kind} file (the first was ${from[kind]})`);
    from[kind] = name;
    (bundle as Record<string, unknown>)[kind] = value;
  };
  for (const f of files) {
    const errors: ParseError[] = [];
    const doc = parseJsonc(f.text, errors, { allowTrailingComma: true });
    if (errors.length || typeof doc !== "object" || doc === null || Array.isArray(doc)) {
      throw invalid(`${f.name}: not a JSON object (expected the users, devices or keys list, or the policy file)`);
    }
    const o = doc as Record<string, unknown>;
    const lists = (["users", "devices", "keys"] as const).filter((k) => Array.isArray(o[k]));
    if (lists.length > 1) throw invalid(`${f.name}: holds ${lists.join(" and ")}: give each list in its own file`);
    if (lists.length === 1) put(lists[0]!, f.name, o[lists[0]!] as unknown[]);
    else put("policy", f.name, f.text);
  }
  return bundle;
}

// ---------------------------------------------------------------- records

const time = z
  .string()
  .refine((s) => s === "" || !Number.isNaN(Date.parse(s)), "must be an RFC 3339 time")
  .optional();
const id = z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(/^\d{1,16}$/, "must be a numeric id"));

const UserRecord = z.object({
  id,
  loginName: z.string().min(1),
  displayName: z.string().optional(),
  profilePicUrl: z.string().optional(),
  created: time,
  type: z.enum(["member", "shared"]).optional(),
  role: z.enum(ROLES).optional(),
  status: z.enum(["active", "idle", "suspended", "needs-approval", "over-billing-limit"]).optional(),
  lastSeen: time,
});

const DeviceRecord = z.object({
  id,
  nodeId: z.string().regex(/^[A-Za-z0-9]{1,64}$/, "must be letters and digits"),
  user: z.string().default(""),
  name: z.string().min(1),
  hostname: z.string().min(1).max(255),
  addresses: z.array(z.string()).default([]),
  os: z.string().max(64).default(""),
  clientVersion: z.string().max(128).default(""),
  updateAvailable: z.boolean().default(false),
  created: time,
  lastSeen: time.nullable(),
  connectedToControl: z.boolean().default(false),
  keyExpiryDisabled: z.boolean().default(false),
  expires: time,
  authorized: z.boolean().default(true),
  isExternal: z.boolean().default(false),
  multipleConnections: z.boolean().default(false),
  machineKey: z.string().max(200).default(""),
  nodeKey: z.string().max(200).default(""),
  blocksIncomingConnections: z.boolean().default(false),
  tags: z.array(z.string().regex(/^tag:[A-Za-z0-9-]+$/, "must be tag:<name>")).nullish(),
  tailnetLockKey: z.string().max(200).default(""),
  tailnetLockError: z.string().max(1000).default(""),
  isEphemeral: z.boolean().default(false),
  enabledRoutes: z.array(z.string()).nullish(),
  advertisedRoutes: z.array(z.string()).nullish(),
  clientConnectivity: z.record(z.string(), z.unknown()).nullish(),
  sshEnabled: z.boolean().default(false),
  distro: z.object({ name: z.string(), version: z.string(), codeName: z.string() }).nullish(),
  postureIdentity: z.object({ serialNumbers: z.array(z.string()).optional(), disabled: z.boolean().optional() }).nullish(),
});

const KeyRecord = z.object({
  id: z.string().regex(/^[A-Za-z0-9]{4,40}$/, "must be a key id such as k123456CNTRL"),
  keyType: z.enum(["auth", "client", "api"]).optional(),
  created: time,
  updated: time,
  expires: time,
  revoked: time,
  description: z.string().max(200).default(""),
  userId: id.optional(),
  capabilities: z
    .object({
      devices: z.object({
        create: z.object({
          reusable: z.boolean().default(false),
          ephemeral: z.boolean().default(false),
          preauthorized: z.boolean().default(false),
          tags: z.array(z.string()).nullish(),
        }),
      }),
    })
    .optional(),
  scopes: z.array(z.string()).nullish(),
  tags: z.array(z.string()).nullish(),
});

function parseRecords<T extends z.ZodType>(schema: T, list: unknown[], kind: string): z.output<T>[] {
  return list.map((item, i) => {
    const r = schema.safeParse(item);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const label = typeof item === "object" && item && "id" in item ? ` (id ${String((item as { id: unknown }).id)})` : "";
      throw invalid(`${kind}[${i}]${label}: ${issue.path.join(".") || "record"} ${issue.message}`);
    }
    return r.data;
  });
}

const GO_ZERO = /^0001-01-01T00:00:00/;
const at = (s: string | null | undefined): Date | null => (s && !GO_ZERO.test(s) ? new Date(s) : null);

// ---------------------------------------------------------------- import

/** The API's import, into the actor's tailnet, in one transaction. It writes everything, so it takes the `all` scope. */
export async function importTailnet(d: Deps, actor: Actor, bundle: ImportBundle): Promise<ImportSummary> {
  if (!grants(actor.scopes, "all")) throw forbidden();
  return d.sql.begin((tx) => importInto(tx, d, actor, bundle, actor));
}

/**
 * Imports a bundle into a tailnet within the caller's transaction (the API,
 * and TAILAPI_SEED at start-up). Anything taken (a user id or login, a device
 * id, nodeId, name, address or machine key, a key id) is a conflict naming
 * it, and nothing is imported.
 */
export async function importInto(
  tx: TxSql,
  d: Deps,
  tailnet: { tailnetId: string; tailnetName: string },
  bundle: ImportBundle,
  who: Actor | AuditActor,
): Promise<ImportSummary> {
  const tailnetId = tailnet.tailnetId;
  const users = parseRecords(UserRecord, bundle.users ?? [], "users");
  const devices = parseRecords(DeviceRecord, bundle.devices ?? [], "devices");
  const keys = parseRecords(KeyRecord, bundle.keys ?? [], "keys");
  const policy = bundle.policy !== undefined && bundle.policy.trim() !== "" ? parsePolicy(bundle.policy) : undefined;
  const now = d.clock.now();

  await lockUntilCommit(tx, "users", tailnetId);
  await lockUntilCommit(tx, "registration", tailnetId);
  await lockUntilCommit(tx, "policy", tailnetId);

  for (const u of users) {
    const problem = loginNameProblem(u.loginName);
    if (problem) throw invalid(`users (id ${u.id}): ${problem}`);
    const row = await insertUser(tx, {
      tailnetId,
      userId: u.id,
      loginName: u.loginName,
      displayName: u.displayName || u.loginName.split("@")[0]!,
      role: u.role ?? "member",
      type: u.type ?? "member",
      approved: u.status !== "needs-approval",
      suspendedAt: u.status === "suspended" ? now : null,
      profilePicUrl: u.profilePicUrl ?? "",
      createdAt: at(u.created) ?? now,
      lastSeen: at(u.lastSeen),
    });
    if (!row) {
      const taken = await getUser(tx, tailnetId, u.id);
      throw conflict(taken ? `user id ${u.id} is taken (by ${taken.loginName})` : `user ${u.loginName} already exists`);
    }
  }

  const byLogin = new Map((await listUsers(tx, tailnetId)).map((u) => [u.loginName.toLowerCase(), u] as [string, User]));
  const suffixes = new Set(devices.map((dv) => dv.name.includes(".") ? dv.name.slice(dv.name.indexOf(".") + 1).replace(/\.$/, "").toLowerCase() : ""));
  let suffix = (await getTailnet(tx, tailnetId))!.dnsSuffix.toLowerCase();
  if (devices.length && suffixes.size === 1 && !suffixes.has("") && !suffixes.has(suffix) && (await countDevices(tx, tailnetId)) === 0) {
    // A tailnet with no devices yet takes the real tailnet's MagicDNS suffix, so device names read the same.
    suffix = [...suffixes][0]!;
    await setDnsSuffix(tx, tailnetId, suffix);
  }

  for (const dv of devices) {
    const what = `device ${dv.id} (${dv.name})`;
    const label = dv.name.includes(".") ? dv.name.slice(0, dv.name.indexOf(".")) : dv.name;
    const rest = dv.name.includes(".") ? dv.name.slice(dv.name.indexOf(".") + 1).replace(/\.$/, "").toLowerCase() : suffix;
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)) throw invalid(`${what}: name must start with a DNS label`);
    if (rest !== suffix) throw invalid(`${what}: its name is not in this tailnet's domain ${suffix} (import into a tailnet with no devices to adopt ${rest})`);
    const tags = [...new Set(dv.tags ?? [])].sort();
    const owner = dv.user && dv.user !== TAGGED_DEVICES ? byLogin.get(dv.user.toLowerCase()) : undefined;
    if (!owner && tags.length === 0) throw invalid(`${what} belongs to user ${JSON.stringify(dv.user)}, who is neither in the imported users nor in the tailnet`);
    const v4 = dv.addresses.find((a) => ipaddr.IPv4.isValidFourPartDecimal(a));
    const v6 = dv.addresses.find((a) => a.includes(":") && ipaddr.IPv6.isValid(a));
    const bad = dv.addresses.find((a) => a !== v4 && a !== v6 && !ipaddr.isValid(a));
    if (bad !== undefined) throw invalid(`${what}: ${JSON.stringify(bad)} is not an IP address`);
    const routes = (list: string[] | null | undefined, field: string) =>
      (list ?? []).map((r) => {
        const c = canonicalCidr(r);
        if (!c) throw invalid(`${what}: ${field} ${JSON.stringify(r)} is not an IP prefix`);
        return c;
      });
    const ipv4 = v4 ? ipaddr.IPv4.parse(v4).toString() : await free(tx, tailnetId, "ipv4", randomIPv4);
    const ipv6 = v6 ? ipaddr.IPv6.parse(v6).toString() : await free(tx, tailnetId, "ipv6", randomIPv6);
    const taken: [UniqueDeviceColumn, string, string][] = [
      ["device_id", dv.id, "id"],
      ["node_id", dv.nodeId, "nodeId"],
      ["ipv4", ipv4, "address"],
      ["ipv6", ipv6, "address"],
    ];
    for (const [column, value, name] of taken) {
      if (await deviceValueTaken(tx, tailnetId, column, value)) throw conflict(`${what}: its ${name} ${value} is taken by another device of the tailnet`);
    }
    if (dv.machineKey && (await deviceNameOrKeyTaken(tx, tailnetId, "machine_key", dv.machineKey))) throw conflict(`${what}: its machineKey is taken by another device`);
    if (await deviceNameOrKeyTaken(tx, tailnetId, "name", label)) throw conflict(`${what}: the name ${label} is taken by another device of the tailnet`);
    const lastSeen = at(dv.lastSeen) ?? (dv.connectedToControl ? now : null);
    await insertImportedDevice(tx, {
      tailnetId,
      deviceId: dv.id,
      nodeId: dv.nodeId,
      userId: owner?.userId ?? null,
      authKeyId: null,
      name: label.toLowerCase(),
      hostname: dv.hostname,
      os: dv.os,
      osVersion: "",
      clientVersion: dv.clientVersion,
      createdAt: at(dv.created) ?? now,
      lastSeen,
      keyExpiryDisabled: dv.keyExpiryDisabled,
      expiresAt: at(dv.expires),
      authorized: dv.authorized,
      machineKey: dv.machineKey,
      nodeKey: dv.nodeKey,
      tags,
      tailnetLockKey: dv.tailnetLockKey,
      isEphemeral: dv.isEphemeral,
      advertisedRoutes: routes(dv.advertisedRoutes, "advertisedRoutes"),
      enabledRoutes: routes(dv.enabledRoutes, "enabledRoutes"),
      ipv4,
      ipv6,
      connectedToControl: dv.connectedToControl,
      updateAvailable: dv.updateAvailable,
      isExternal: dv.isExternal,
      multipleConnections: dv.multipleConnections,
      blocksIncomingConnections: dv.blocksIncomingConnections,
      tailnetLockError: dv.tailnetLockError,
      sshEnabled: dv.sshEnabled,
      clientConnectivity: dv.clientConnectivity ?? null,
      postureIdentity: dv.postureIdentity ?? null,
      distro: dv.distro ?? null,
    });
  }

  const userIds = new Set([...byLogin.values()].map((u) => u.userId));
  for (const k of keys) {
    const type = k.keyType ?? (k.scopes ? "client" : "auth");
    if (await findCredential(tx, k.id)) throw conflict(`key ${k.id}: the id is taken`);
    if (k.userId && !userIds.has(k.userId)) throw invalid(`key ${k.id} belongs to user ${k.userId}, who is neither in the imported users nor in the tailnet`);
    if (type === "api" && !k.userId) throw invalid(`key ${k.id}: an API access token needs its userId`);
    const created = at(k.created) ?? now;
    const caps = k.capabilities?.devices.create;
    await insertKey(tx, {
      tailnetId,
      keyId: k.id,
      keyType: type,
      // The API never shows a key's secret: an imported key is kept with a secret nobody knows.
      secretHash: randomBytes(32),
      userId: k.userId ?? null,
      description: k.description,
      createdAt: created,
      updatedAt: at(k.updated) ?? created,
      expiresAt: type === "client" ? null : (at(k.expires) ?? new Date(created.getTime() + 90 * 86_400_000)),
      revokedAt: at(k.revoked),
      reusable: caps?.reusable ?? false,
      ephemeral: caps?.ephemeral ?? false,
      preauthorized: caps?.preauthorized ?? false,
      tags: [...new Set(type === "client" ? (k.tags ?? []) : (caps?.tags ?? []))].sort(),
      scopes: type === "client" ? [...new Set(k.scopes ?? [])] : [],
    });
  }

  if (policy) {
    // The policy's tests run against the tailnet as imported.
    requireTestsPass(policy, await loadDirectory(tx, d, tailnetId));
    await putPolicyRow(tx, tailnetId, bundle.policy!, policyEtag(bundle.policy!), now);
  }
  const summary = { users: users.length, devices: devices.length, keys: keys.length, policy: policy !== undefined };
  // One entry for the whole import: what it brought in, by id.
  await audit(tx, d, who, {
    action: "UPDATE",
    target: tailnetTarget(tailnet, "IMPORT"),
    new: { ...summary, userIds: users.map((u) => u.id), deviceIds: devices.map((dv) => dv.nodeId), keyIds: keys.map((k) => k.id) },
  });
  return summary;
}

async function free(tx: TxSql, tailnetId: string, column: UniqueDeviceColumn, draw: () => string): Promise<string> {
  for (let i = 0; i < 32; i++) {
    const v = draw();
    if (!(await deviceValueTaken(tx, tailnetId, column, v))) return v;
  }
  throw new Error(`could not find a free ${column}`);
}
