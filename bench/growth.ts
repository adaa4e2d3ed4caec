/**
 * Flat as the tailnet grows: one tailnet grown in steps (BENCH_SCALE, default
 * 1k, 100k, 1M devices) next to a second tailnet of 1k, measured at each step
 * through the real app (the same server child as the rest of the bench):
 *
 *   GET device      req/s, API key, random ids of the big tailnet
 *   GET other       req/s, the 1k tailnet (does the big one slow others?)
 *   register        registrations/s, 50 concurrent, new machine keys
 *   tags            POST /device/{id}/tags per second
 *   filtered list   GET ?tags=<a rare tag>, median of 7 (an index, not a scan)
 *
 * Targets: GET at the largest step ≥ 0.9× GET at the first, registration ≥ 0.8×.
 */
import autocannon, { type RawRequest, type Result } from "autocannon";
import { randomBytes } from "node:crypto";
import { query, type Sql } from "../src/db/sql.js";
import { createAuthKey } from "../src/domain/keys.js";
import { setPolicyFile } from "../src/domain/policies.js";
import type { Deps } from "../src/domain/deps.js";
import { createTailnetWithKey, operatorOf } from "../src/domain/tailnets.js";
import { seedDevices } from "./seed.js";

export type GrowthStep = {
  devices: number;
  seedSeconds: number;
  getRps: number;
  otherGetRps: number;
  registerPerSecond: number;
  tagsPerSecond: number;
  filteredListMs: number;
  /** GET ?fields=all of the whole big tailnet, median of 3 (only at steps of at most FULL_LIST_MAX devices). */
  fullListMs?: number;
  errors: number;
};

/** The full list is timed up to this size (1M devices would be a 1 GiB answer). */
export const FULL_LIST_MAX = 100_000;

type Log = (line: string) => void;

const CONNECTIONS = 50;
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;
const hex = () => randomBytes(32).toString("hex");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function sampleIds(sql: Sql, tailnetId: string, n: number): Promise<string[]> {
  const rows = await query<{ node_id: string }>(sql, `SELECT node_id FROM devices WHERE tailnet_id = $1 ORDER BY random() LIMIT $2`, [tailnetId, n]);
  return rows.map((r) => r.node_id);
}

async function load(o: { port: number; seconds: number; method: string; headers: Record<string, string>; setup: (req: RawRequest) => RawRequest }): Promise<{ rps: number; errors: number }> {
  const run = async (duration: number): Promise<Result> =>
    await autocannon({ url: `http://127.0.0.1:${o.port}`, connections: CONNECTIONS, duration, requests: [{ method: o.method as "GET", headers: o.headers, setupRequest: o.setup }] });
  await run(1); // warm-up
  const r = await run(o.seconds);
  return { rps: r["2xx"] / o.seconds, errors: r.non2xx + r.errors + r.timeouts };
}

export async function growth(o: { d: Deps; port: number; steps: number[]; seconds: number; log: Log }): Promise<GrowthStep[]> {
  const { d, port, log } = o;
  const big = await createTailnetWithKey(d, "growth.example.com");
  const small = await createTailnetWithKey(d, "small.example.com");
  const policy = JSON.stringify({ tagOwners: { "tag:server": [], "tag:prod": [], "tag:staging": [], "tag:rare": [], "tag:grown": [] } });
  await setPolicyFile(d, await operatorOf(d, big.tailnet.name), policy, undefined);
  await seedDevices(d.sql, small.tailnet.tailnetId, small.owner.userId, 1000);
  const smallIds = await sampleIds(d.sql, small.tailnet.tailnetId, 1000);
  const authKey = (await createAuthKey(d, await operatorOf(d, big.tailnet.name), { reusable: true, ephemeral: false, preauthorized: true, tags: [], expirySeconds: 86400, description: "growth" })).secret;

  const steps: GrowthStep[] = [];
  let seeded = 0;
  for (const target of o.steps) {
    const t0 = performance.now();
    if (target > seeded) await seedDevices(d.sql, big.tailnet.tailnetId, big.owner.userId, target - seeded, seeded);
    seeded = target;
    const seedSeconds = (performance.now() - t0) / 1000;
    await d.sql.unsafe("ANALYZE devices");
    const ids = await sampleIds(d.sql, big.tailnet.tailnetId, 10_000);
    const pick = (xs: string[]) => xs[Math.floor(Math.random() * xs.length)]!;
    log(`growth: ${target.toLocaleString("en-US")} devices (seeded in ${seedSeconds.toFixed(0)} s); measuring…`);

    const get = await load({ port, seconds: o.seconds, method: "GET", headers: { authorization: basic(big.apiKey) }, setup: (r) => ({ ...r, path: `/api/v2/device/${pick(ids)}` }) });
    const other = await load({ port, seconds: o.seconds, method: "GET", headers: { authorization: basic(small.apiKey) }, setup: (r) => ({ ...r, path: `/api/v2/device/${pick(smallIds)}` }) });
    let n = 0;
    const register = await load({
      port,
      seconds: o.seconds,
      method: "POST",
      headers: { "content-type": "application/json" },
      setup: (r) => ({
        ...r,
        path: "/machine/register",
        body: JSON.stringify({ authKey, nodeKey: `nodekey:${hex()}`, machineKey: `mkey:${hex()}`, hostname: `grown-${target}-${n++}`, os: "linux" }),
      }),
    });
    const tags = await load({
      port,
      seconds: o.seconds,
      method: "POST",
      headers: { authorization: basic(big.apiKey), "content-type": "application/json" },
      setup: (r) => ({ ...r, path: `/api/v2/device/${pick(ids)}/tags`, body: '{"tags":["tag:grown"]}' }),
    });
    // A rare tag on ten devices (after the tags load, which would overwrite it): the filtered list must find them through an index.
    await query(d.sql, `UPDATE devices SET tags = '{tag:rare}' WHERE tailnet_id = $1 AND device_id IN (SELECT device_id FROM devices WHERE tailnet_id = $1 ORDER BY random() LIMIT 10)`, [
      big.tailnet.tailnetId,
    ]);
    await d.sql.unsafe("ANALYZE devices");
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/v2/tailnet/-/devices?tags=tag:rare`, { headers: { authorization: basic(big.apiKey) } });
      const body = (await res.json()) as { devices: unknown[] };
      if (res.status !== 200 || body.devices.length < 1) throw new Error(`filtered list: ${res.status}, ${body.devices?.length} devices`);
      if (i > 0) times.push(performance.now() - t);
    }
    let fullListMs: number | undefined;
    if (target <= FULL_LIST_MAX) {
      const full: number[] = [];
      for (let i = 0; i < 4; i++) {
        const t = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/api/v2/tailnet/-/devices?fields=all`, { headers: { authorization: basic(big.apiKey) } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`full list: ${res.status}`);
        if (i > 0) full.push(performance.now() - t);
      }
      fullListMs = median(full);
    }
    const step: GrowthStep = {
      devices: target,
      seedSeconds,
      getRps: get.rps,
      otherGetRps: other.rps,
      registerPerSecond: register.rps,
      tagsPerSecond: tags.rps,
      filteredListMs: median(times),
      fullListMs,
      errors: get.errors + other.errors + register.errors + tags.errors,
    };
    log(
      `  GET ${step.getRps.toFixed(0)}/s, other tailnet GET ${step.otherGetRps.toFixed(0)}/s, register ${step.registerPerSecond.toFixed(0)}/s, ` +
        `tags ${step.tagsPerSecond.toFixed(0)}/s, ?tags= list ${step.filteredListMs.toFixed(1)} ms` +
        `${fullListMs === undefined ? "" : `, full ?fields=all list ${fullListMs.toFixed(0)} ms`}${step.errors ? `, ${step.errors} errors` : ""}`,
    );
    steps.push(step);
  }
  return steps;
}
