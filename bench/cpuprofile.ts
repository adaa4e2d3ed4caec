/**
 * Summarises a V8 .cpuprofile (from BENCH_CPU_PROF): self time by function and
 * by package, top N. Usage: npx tsx bench/cpuprofile.ts <file.cpuprofile> [N]
 */
import { readFileSync } from "node:fs";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const [file, nArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: tsx bench/cpuprofile.ts <file.cpuprofile> [N]");
  process.exit(2);
}
const N = Number(nArg ?? 40);
const prof = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

function pkg(url: string): string {
  if (!url) return "(native/gc/idle)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith("node:")) return "node:" + url.slice(5).split("/")[0];
  const s = /\/(src|bench)\/(.*)$/.exec(url);
  return s ? `${s[1]}/${s[2]}` : url;
}
const label = (n: Node) => `${n.callFrame.functionName || "(anonymous)"} ${pkg(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const fnSelf = new Map<string, number>();
const pkgSelf = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  fnSelf.set(label(n), (fnSelf.get(label(n)) ?? 0) + t);
  const p = n.callFrame.url ? pkg(n.callFrame.url).replace(/^(src|bench)\/.*$/, "$1 (ours)") : n.callFrame.functionName || "(native)";
  pkgSelf.set(p, (pkgSelf.get(p) ?? 0) + t);
}
// Inclusive time of our own functions (src/): where the app's time goes, callees included.
const incl = new Map<string, number>();
for (const [id, t] of self) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    if (!/\/(src)\//.test(n.callFrame.url) && !/node_modules\/(hono|@hono|pino|postgres|zod)\//.test(n.callFrame.url)) continue;
    const l = label(n);
    if (seen.has(l)) continue;
    seen.add(l);
    incl.set(l, (incl.get(l) ?? 0) + t);
  }
}
const show = (title: string, m: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((100 * v) / total).toFixed(1).padStart(6)}%  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show("self time by package", pkgSelf, 25);
show("self time by function", fnSelf, N);
show("inclusive time (src/, hono, pino, postgres, zod frames)", incl, N);
