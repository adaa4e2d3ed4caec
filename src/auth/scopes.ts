/**
 * The OAuth scope vocabulary and its grant rules. Pure: no I/O, no framework.
 *
 * Rules (Tailscale kb/1623 and the API notes, section b.4):
 * - every write scope `x` implies `x:read`;
 * - `all` grants everything, `all:read` grants every `:read` scope;
 * - legacy names map onto the granular scopes (`devices` → devices:core +
 *   auth_keys + devices:posture_attributes, `routes` → devices:routes, `acl` →
 *   policy_file, …) and keep their read/write split.
 */

/** Resources that have a write scope and a `:read` scope. */
export const RESOURCES = [
  "devices:core",
  "devices:routes",
  "devices:posture_attributes",
  "device_invites",
  "auth_keys",
  "oauth_keys",
  "federated_keys",
  "api_access_tokens",
  "policy_file",
  "dns",
  "users",
  "webhooks",
  "log_streaming",
  "logs:network",
  "account_settings",
  "feature_settings",
  "services",
  "oauth_apps",
  "tailnets",
  "networking_settings",
] as const;

/** Scopes that only exist as `:read`. */
const READ_ONLY = ["logs:configuration:read"] as const;

type Resource = (typeof RESOURCES)[number];
export type GranularScope = Resource | `${Resource}:read` | (typeof READ_ONLY)[number];
export type Scope = GranularScope | "all" | "all:read";

/** Legacy scope names and what they stand for. */
const LEGACY: Record<string, readonly GranularScope[]> = {
  devices: ["devices:core", "auth_keys", "devices:posture_attributes"],
  "devices:read": ["devices:core:read", "auth_keys:read", "devices:posture_attributes:read"],
  routes: ["devices:routes"],
  "routes:read": ["devices:routes:read"],
  acl: ["policy_file", "devices:posture_attributes"],
  "acl:read": ["policy_file:read", "devices:posture_attributes:read"],
  "logs:read": ["logs:configuration:read"],
  "network-logs:read": ["logs:network:read"],
};

const GRANULAR: ReadonlySet<string> = new Set<string>([
  ...RESOURCES,
  ...RESOURCES.map((r) => `${r}:read`),
  ...READ_ONLY,
]);

/** Every scope name a client may hold or request, legacy names included. */
export const ALL_SCOPE_NAMES: readonly string[] = ["all", "all:read", ...GRANULAR, ...Object.keys(LEGACY)];

export function isKnownScope(name: string): boolean {
  return name === "all" || name === "all:read" || GRANULAR.has(name) || name in LEGACY;
}

export function isLegacyScope(name: string): boolean {
  return name in LEGACY;
}

/** Expands held scope names into the set of canonical names they stand for (unknown names are dropped). */
export function normalize(held: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const s of held) {
    if (s === "all" || s === "all:read" || GRANULAR.has(s)) out.add(s);
    else for (const g of LEGACY[s] ?? []) out.add(g);
  }
  return out;
}

/** Whether scopes `held` allow an operation that requires `required`. */
export function grants(held: ReadonlySet<string> | Iterable<string>, required: Scope): boolean {
  const set: ReadonlySet<string> = held instanceof Set ? held : normalize(held);
  if (set.has("all") || set.has(required)) return true;
  if (required === "all:read") return false;
  if (required.endsWith(":read")) {
    if (set.has("all:read")) return true;
    const write = required.slice(0, -":read".length);
    return set.has(write);
  }
  return false;
}

/** Whether a holder of `held` may hand out every scope in `wanted` (used when minting tokens and clients). */
export function covers(held: Iterable<string>, wanted: Iterable<string>): boolean {
  return uncovered(held, wanted).length === 0;
}

/** The scopes of `wanted` that `held` does not cover, in the order given. */
export function uncovered(held: Iterable<string>, wanted: Iterable<string>): string[] {
  const set = normalize(held);
  const missing: string[] = [];
  for (const w of wanted) {
    if (w === "all") {
      if (!set.has("all")) missing.push(w);
      continue;
    }
    if (w === "all:read") {
      if (!set.has("all") && !set.has("all:read")) missing.push(w);
      continue;
    }
    const parts = GRANULAR.has(w) ? [w] : LEGACY[w];
    if (!parts || !parts.every((p) => grants(set, p as Scope))) missing.push(w);
  }
  return missing;
}
