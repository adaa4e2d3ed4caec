/** RFC 3339 in UTC without fractional seconds, as Tailscale's API writes times. */
export function rfc3339(d: Date): string {
  return d.toISOString().slice(0, 19) + "Z";
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses durations such as `90d`, `12h`, `30m`, `45s` (a bare number means days). Returns seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNITS[m[2] || "d"]!;
}
