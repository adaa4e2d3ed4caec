import type { ServerPorts } from "./server.js";

/**
 * What the load phase measures: one entry per variant, all hit with the same
 * random device-id mix. Variants come in groups (reads, writes); the first
 * entry of a group is the baseline every other one of the group is compared
 * with (req/s ratio against the target). Adding a variant is one entry here
 * (plus, if it needs a credential, a field of BenchContext filled in bench.ts).
 */
export type BenchContext = { ports: ServerPorts; apiKey: string; oauthToken: string };

export type Variant = {
  name: string;
  label: string;
  group: "GET device" | "POST device routes";
  port: number;
  method: "GET" | "POST";
  path: (id: string) => string;
  headers: Record<string, string>;
  body?: string;
};

/** The write variants' body: a two-entry list, the same for every request (the UPDATE still runs each time). */
export const ROUTES_BODY = JSON.stringify({ routes: ["10.1.0.0/16", "192.168.77.0/24"] });

export function variants(ctx: BenchContext): Variant[] {
  return [
    {
      name: "B",
      label: "bare Hono + getDevice (baseline)",
      group: "GET device",
      port: ctx.ports.baseline,
      method: "GET",
      path: (id) => `/device/${id}`,
      headers: {},
    },
    {
      name: "A",
      label: "real app, API key (Basic)",
      group: "GET device",
      port: ctx.ports.app,
      method: "GET",
      path: (id) => `/api/v2/device/${id}`,
      headers: { authorization: `Basic ${Buffer.from(`${ctx.apiKey}:`).toString("base64")}` },
    },
    {
      name: "C",
      label: "real app, OAuth access token (Bearer)",
      group: "GET device",
      port: ctx.ports.app,
      method: "GET",
      path: (id) => `/api/v2/device/${id}`,
      headers: { authorization: `Bearer ${ctx.oauthToken}` },
    },
    {
      name: "WB",
      label: "bare Hono + setEnabledRoutes (baseline)",
      group: "POST device routes",
      port: ctx.ports.baseline,
      method: "POST",
      path: (id) => `/device/${id}/routes`,
      headers: { "content-type": "application/json" },
      body: ROUTES_BODY,
    },
    {
      name: "W",
      label: "real app POST routes, API key",
      group: "POST device routes",
      port: ctx.ports.app,
      method: "POST",
      path: (id) => `/api/v2/device/${id}/routes`,
      headers: { authorization: `Basic ${Buffer.from(`${ctx.apiKey}:`).toString("base64")}`, "content-type": "application/json" },
      body: ROUTES_BODY,
    },
  ];
}
