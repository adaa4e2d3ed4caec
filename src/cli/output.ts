import { Option } from "commander";
import YAML from "yaml";

export type Format = "table" | "json" | "yaml";

export const outputOption = () =>
  new Option("-o, --output <format>", "output format").choices(["table", "json", "yaml"]).default("table");

export const out = (line: string) => process.stdout.write(line + "\n");
export const err = (line: string) => process.stderr.write(line + "\n");

/**
 * Prints a listing: a table (headscale's `ID | Name | Created` style, columns
 * aligned), or the API's own objects as JSON or YAML.
 */
export function printList<T>(format: Format, raw: T[], columns: string[], row: (x: T) => (string | number | boolean)[]): void {
  if (format !== "table") return printValue(format, raw);
  const rows = [columns, ...raw.map((x) => row(x).map(String))];
  const widths = columns.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows) out(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join(" | ").trimEnd());
}

/** Prints one API object as JSON or YAML, or `human` for a table. */
export function printValue(format: Format, raw: unknown, human?: () => void): void {
  if (format === "json") out(JSON.stringify(raw, null, 2));
  else if (format === "yaml") process.stdout.write(YAML.stringify(raw));
  else if (human) human();
  else out(JSON.stringify(raw, null, 2));
}

/** `2024-01-15T10:30:00Z` as headscale shows times: `2024-01-15 10:30:00` (UTC). */
export function shortTime(rfc3339: string | undefined | null): string {
  if (!rfc3339) return "-";
  return rfc3339.replace("T", " ").replace(/(\.\d+)?Z$/, "");
}

/** Comma- or space-separated values, repeated flags collected: `--tags tag:a,tag:b --tags tag:c`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...new Set([...previous, ...value.split(/[\s,]+/).filter(Boolean)])];
}

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400 };

/** A duration such as `1h`, `24h`, `90d` or `1h30m`, in seconds; undefined if it is not one. */
export function durationSeconds(text: string): number | undefined {
  const t = text.trim();
  if (!/^(\d+[smhdw])+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+)([smhdw])/g)) total += Number(m[1]) * UNIT[m[2]!]!;
  return total;
}
