/**
 * Writes a bench run's figures as JSON (bench/results/<time>.json) and draws
 * them as an SVG (bench/results/<time>.svg, and bench/results/latest.svg,
 * which the README shows) with Vega-Lite: the ratio of each variant to its
 * baseline, and the growth curve (each measure at each tailnet size, relative
 * to the smallest size). The README quotes ratios, never absolute numbers:
 * those depend on the machine.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { GrowthStep } from "./growth.js";

export type VariantFigure = { group: string; name: string; label: string; rps: number; cpuUsPerRequest: number; ratio: number; roundRatios: number[] };
export type Results = {
  at: string;
  machine: { cpus: number; loadavg: number[] };
  devices: number;
  variants: VariantFigure[];
  list?: { devices: number; bytes: number; medianMs: number; richMedianMs?: number };
  peakRssMiB: number;
  peakRssBeforeGrowthMiB?: number;
  workers?: { workers: number; rps: number; p99: number }[];
  growth?: GrowthStep[];
};

const DIR = fileURLToPath(new URL("./results/", import.meta.url));

function chart(r: Results): TopLevelSpec {
  const ratios = r.variants.map((v) => ({ variant: `${v.name}: ${v.label}`, group: v.group, ratio: v.ratio }));
  const first = r.growth?.[0];
  const growth = (r.growth ?? []).flatMap((s) =>
    first
      ? [
          { devices: s.devices, measure: "GET device", relative: s.getRps / first.getRps },
          { devices: s.devices, measure: "GET, another tailnet", relative: s.otherGetRps / first.otherGetRps },
          { devices: s.devices, measure: "registration", relative: s.registerPerSecond / first.registerPerSecond },
          { devices: s.devices, measure: "tags POST", relative: s.tagsPerSecond / first.tagsPerSecond },
        ]
      : [],
  );
  const bars = {
    title: "Throughput relative to the bare baseline of each group",
    data: { values: ratios },
    mark: { type: "bar" },
    encoding: {
      y: { field: "variant", type: "nominal", sort: null, title: null, axis: { labelLimit: 320 } },
      x: { field: "ratio", type: "quantitative", title: "req/s ÷ baseline req/s", scale: { domain: [0, 1.2] } },
      color: { field: "group", type: "nominal", title: "group" },
    },
    width: 360,
  };
  const lines = {
    title: "Throughput as the tailnet grows (relative to the smallest size)",
    data: { values: growth },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "devices", type: "quantitative", scale: { type: "log" }, title: "devices in the tailnet" },
      y: { field: "relative", type: "quantitative", title: "÷ first size", scale: { domain: [0, 1.4] } },
      color: { field: "measure", type: "nominal", title: "measure" },
    },
    width: 360,
  };
  return { $schema: "https://vega.github.io/schema/vega-lite/v6.json", vconcat: growth.length ? [bars, lines] : [bars] } as TopLevelSpec;
}

export async function writeResults(r: Results): Promise<{ json: string; svg: string }> {
  await mkdir(DIR, { recursive: true });
  const stamp = r.at.replace(/[:.]/g, "-");
  const json = path.join(DIR, `${stamp}.json`);
  const svg = path.join(DIR, `${stamp}.svg`);
  await writeFile(json, JSON.stringify(r, null, 2) + "\n");
  const view = new vega.View(vega.parse(compile(chart(r)).spec), { renderer: "none" });
  const text = await view.toSVG();
  await writeFile(svg, text);
  await writeFile(path.join(DIR, "latest.svg"), text);
  return { json, svg };
}
