import type { ServerPorts } from "./server.js";

/**
 * What the load phase measures: one entry per variant, all hit with the same
 * random device-id mix. The first entry is the baseline every other one is
 * compared with (req/s ratio against the target). Adding a variant is one
 * entry here (plus, if it needs a credential, a field of BenchContext filled
 * in bench.ts).
 */
export type BenchContext = { ports: ServerPorts; apiKey: string; oauthToken: string };

export type Variant = {
  name: string;
  label: string;
  port: number;
  path: (id: string) => string;
  headers: Record<string, string>;
};

export function variants(ctx: BenchContext): Variant[] {
  return [
    {
      name: "B",
      label: "bare Hono + getDevice (baseline)",
      port: ctx.ports.baseline,
      path: (id) => `/device/${id}`,
      headers: {},
    },
    {
      name: "A",
      label: "real app, API key (Basic)",
      port: ctx.ports.app,
      path: (id) => `/api/v2/device/${id}`,
      headers: { authorization: `Basic ${Buffer.from(`${ctx.apiKey}:`).toString("base64")}` },
    },
    {
      name: "C",
      label: "real app, OAuth access token (Bearer)",
      port: ctx.ports.app,
      path: (id) => `/api/v2/device/${id}`,
      headers: { authorization: `Bearer ${ctx.oauthToken}` },
    },
  ];
}
