/** Encore-style duration strings ("500ms", "10s", "5m", "2h"; compound like "1h30m" allowed) in milliseconds. */
export type DurationString = `${number}${"ns" | "us" | "µs" | "ms" | "s" | "m" | "h" | "d"}` | string;

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(v: string | number | undefined, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  if (typeof v === "number") return v;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(v))) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== v.length || v.length === 0) throw new TypeError(`${what}: invalid duration ${JSON.stringify(v)} (expected e.g. "10s", "5m")`);
  return total;
}
