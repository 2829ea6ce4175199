/**
 * Pure helpers of the SQL console: where a Postgres error position points (line, column, the line's text), and
 * completions from the database's live schema (tables, their columns after `table.` or `alias.`, keywords).
 */
import type { AdminDbSchema } from "@reprise/protocol";

export interface ErrorSpot {
  /** 0-based offset in the text (UTF-16 units, for textarea selection). */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  lineText: string;
}

/** Postgres's `position` is 1-based and counts characters (code points), not UTF-16 units. */
export function errorSpot(sql: string, position: number | null | undefined): ErrorSpot | null {
  if (typeof position !== "number" || !Number.isInteger(position) || position < 1) return null;
  const chars = [...sql];
  if (position > chars.length + 1) return null;
  const before = chars.slice(0, position - 1).join("");
  const lines = before.split("\n");
  const lineStart = before.length - lines[lines.length - 1].length;
  const lineEnd = sql.indexOf("\n", lineStart);
  return {
    offset: before.length,
    line: lines.length,
    column: [...lines[lines.length - 1]].length + 1,
    lineText: sql.slice(lineStart, lineEnd < 0 ? undefined : lineEnd),
  };
}

export interface Completion {
  label: string;
  kind: "table" | "column" | "keyword";
  detail: string;
}

const KEYWORDS = ["SELECT", "FROM", "WHERE", "JOIN", "LEFT JOIN", "ON", "GROUP BY", "ORDER BY", "LIMIT", "OFFSET", "INSERT INTO", "VALUES", "UPDATE", "SET", "DELETE FROM", "RETURNING", "AND", "OR", "NOT", "NULL", "IS", "IN", "LIKE", "ILIKE", "COUNT(*)", "DISTINCT", "AS", "DESC", "ASC"];

/** The identifier being typed at the end of `before`, and the qualifier before a dot (`u` in `u.na`). */
export function wordAt(before: string): { word: string; qualifier: string | null } {
  const m = /(?:("?)([A-Za-z_][\w$]*)\1\.)?("?[A-Za-z_][\w$]*|"?)$/.exec(before);
  if (!m) return { word: "", qualifier: null };
  return { word: (m[3] ?? "").replace(/^"/, ""), qualifier: m[2] ?? null };
}

/** Tables named in the text with their aliases: `from users u` → u → users. */
function aliases(sql: string, tables: Set<string>): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\b(?:from|join|update|into)\s+(?:"?(\w+)"?\.)?"?(\w+)"?(?:\s+(?:as\s+)?"?(\w+)"?)?/gi;
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    const table = m[2].toLowerCase();
    if (!tables.has(table)) continue;
    out.set(table, table);
    const alias = m[3]?.toLowerCase();
    if (alias && !/^(where|on|join|left|right|inner|outer|group|order|limit|set|values|as)$/.test(alias)) out.set(alias, table);
  }
  return out;
}

/** Completions at the end of `before` (the text up to the cursor), given the whole text for aliases. */
export function sqlCompletions(schema: AdminDbSchema | null, before: string, whole = before, max = 50): Completion[] {
  const { word, qualifier } = wordAt(before);
  const prefix = word.toLowerCase();
  const tables = schema?.tables ?? [];
  const byName = new Map(tables.map((t) => [t.name.toLowerCase(), t]));
  const out: Completion[] = [];
  if (qualifier) {
    const table = byName.get(aliases(whole, new Set(byName.keys())).get(qualifier.toLowerCase()) ?? qualifier.toLowerCase());
    if (!table) return [];
    for (const c of table.columns) if (c.name.toLowerCase().startsWith(prefix)) out.push({ label: c.name, kind: "column", detail: `${table.name} · ${c.type}${c.nullable ? "" : " not null"}` });
    return out.slice(0, max);
  }
  if (!prefix) return [];
  const used = aliases(whole, new Set(byName.keys()));
  for (const t of tables) if (t.name.toLowerCase().startsWith(prefix)) out.push({ label: t.name, kind: "table", detail: `${t.kind} · ${t.rowCountExact ? t.rowCount : `${t.rowCount}+`} rows` });
  const seen = new Set<string>();
  for (const name of new Set(used.values())) {
    const t = byName.get(name);
    for (const c of t?.columns ?? []) {
      if (c.name.toLowerCase().startsWith(prefix) && !seen.has(c.name)) {
        seen.add(c.name);
        out.push({ label: c.name, kind: "column", detail: `${t!.name} · ${c.type}` });
      }
    }
  }
  for (const k of KEYWORDS) if (k.toLowerCase().startsWith(prefix) && k.toLowerCase() !== prefix) out.push({ label: k, kind: "keyword", detail: "keyword" });
  return out.slice(0, max);
}
