/**
 * SQL newer than the production server: the check runs on PGlite's Postgres (18), but an app may deploy to an
 * older major version. When the runtime config names it (`sql.postgresVersion`, the production environment's
 * value first), the statements are scanned for the syntax and functions each later major version added, and each
 * use is reported (RP4107) where it is. The list covers what a server of that version rejects outright (a syntax
 * error or an unknown function); it is not every change between versions.
 */
export interface VersionFeature {
  /** Major version that added it. */
  since: number;
  what: string;
  /** Matched on the statement with comments and quoted text blanked out; the first group (or the match) is the range. */
  re: RegExp;
}

export const VERSION_FEATURES: readonly VersionFeature[] = [
  { since: 15, what: "MERGE", re: /\b(merge)\s+into\b/gi },
  { since: 15, what: "UNIQUE NULLS NOT DISTINCT", re: /\b(nulls\s+not\s+distinct)\b/gi },
  { since: 16, what: "ANY_VALUE()", re: /\b(any_value)\s*\(/gi },
  { since: 16, what: "the IS JSON predicate", re: /\bis\s+(?:not\s+)?(json)\b/gi },
  { since: 16, what: "JSON_ARRAY() / JSON_ARRAYAGG() / JSON_OBJECTAGG()", re: /\b(json_array|json_arrayagg|json_objectagg)\s*\(/gi },
  { since: 17, what: "JSON_TABLE() / JSON_QUERY() / JSON_VALUE() / JSON_EXISTS()", re: /\b(json_table|json_query|json_value|json_exists)\s*\(/gi },
  { since: 17, what: "MERGE … WHEN NOT MATCHED BY SOURCE", re: /\bwhen\s+not\s+matched\s+(by\s+source)\b/gi },
  { since: 18, what: "uuidv7()", re: /\b(uuidv7)\s*\(/gi },
  { since: 18, what: "casefold()", re: /\b(casefold)\s*\(/gi },
  { since: 18, what: "WITHOUT OVERLAPS", re: /\b(without\s+overlaps)\b/gi },
  { since: 18, what: "RETURNING old / new", re: /\breturning\b[^;]*?\b(old|new)\s*\.\s*(?:\*|"?[a-z_])/gi },
];

/** Comments, quoted strings, quoted identifiers and dollar-quoted bodies blanked out (same length, same lines). */
export function codeOnly(text: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  return text.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$|'(?:[^']|'')*'|"(?:[^"]|"")*"/g, blank);
}

export interface VersionUse {
  feature: VersionFeature;
  /** Offset in the text, and length. */
  at: number;
  length: number;
}

/** Every use of syntax newer than `version` in the text. */
export function newerThan(version: number, text: string): VersionUse[] {
  const code = codeOnly(text);
  const out: VersionUse[] = [];
  for (const feature of VERSION_FEATURES) {
    if (feature.since <= version) continue;
    feature.re.lastIndex = 0;
    for (const m of code.matchAll(feature.re)) {
      const token = m[1] ?? m[0];
      out.push({ feature, at: m.index! + m[0].lastIndexOf(token), length: token.length });
    }
  }
  // Virtual generated columns (the default from 18): GENERATED ALWAYS AS (expr) not followed by STORED.
  if (version < 18) {
    for (const m of code.matchAll(/\bgenerated\s+always\s+as\s*\(/gi)) {
      let depth = 0;
      let i = m.index! + m[0].length - 1;
      for (; i < code.length; i++) {
        if (code[i] === "(") depth++;
        else if (code[i] === ")" && --depth === 0) break;
      }
      if (!/^\s*stored\b/i.test(code.slice(i + 1))) {
        out.push({ feature: { since: 18, what: "a virtual generated column (GENERATED ALWAYS AS without STORED)", re: /$^/ }, at: m.index!, length: "generated".length });
      }
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** `sql.postgresVersion` of the runtime config (the production environment's value wins), or null. */
export function productionPostgresVersion(configText: string | undefined): number | null {
  if (!configText) return null;
  let config: unknown;
  try {
    config = JSON.parse(configText);
  } catch {
    return null;
  }
  const pick = (v: unknown): number | null => {
    const n = (v as { sql?: { postgresVersion?: unknown } } | undefined)?.sql?.postgresVersion;
    return typeof n === "number" && Number.isInteger(n) ? n : null;
  };
  const c = config as { environments?: Record<string, unknown> };
  return pick(c.environments?.production) ?? pick(config);
}
