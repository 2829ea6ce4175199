/** Name conversions and "did you mean" suggestions used by naming diagnostics and their quick fixes. */

export function toKebabCase(s: string): string {
  const out = s
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .toLowerCase()
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "")
    .replace(/-+/g, "-");
  return out || "resource";
}

export function toSnakeCase(s: string): string {
  return toKebabCase(s).replace(/-/g, "_");
}

export const isKebabCase = (s: string): boolean => /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(s);
export const isSnakeCase = (s: string): boolean => /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(s);

/** Levenshtein distance, bounded: returns max+1 once it is exceeded. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** The closest candidate within a small edit distance, or null. */
export function closest(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  for (const c of candidates) {
    const dist = editDistance(name, c, 3);
    if (dist <= bestD && (best === null || dist < editDistance(name, best, 3))) {
      best = c;
      bestD = dist;
    }
  }
  return best;
}
