/**
 * The one place the sqlcheck tests touch the API: analyse an app (files in memory or a fixture folder), then run
 * the checker over its databases and queries. Results render as one line per diagnostic (code, file, exact range,
 * message) so snapshots show ranges at a glance.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Analyzer, type SourceInput } from "@reprise/analyzer";
import { loadAppFiles } from "@reprise/analyzer/node";
import type { Diagnostic } from "@reprise/protocol";
import { SqlChecker, sqlInputsOf, type SqlCheckResult } from "../src/index.js";

export const PACKAGE_DIR = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURES_DIR = join(PACKAGE_DIR, "test", "fixtures");
export const SNAPSHOTS_DIR = join(PACKAGE_DIR, "test", "snapshots");
export const CASES_DIR = join(PACKAGE_DIR, "test", "cases");

export interface Checked {
  analyzer: Analyzer;
  all: Diagnostic[];
  sql: SqlCheckResult;
}

/** Analyses the files and checks their SQL with `checker` (which the caller closes). */
export async function checkFiles(checker: SqlChecker, files: SourceInput[], read?: (path: string) => string | undefined): Promise<Checked> {
  const analyzer = new Analyzer();
  const r = analyzer.setFiles(files);
  const text = new Map(files.map((f) => [f.path, f.text]));
  const sql = await checker.check(sqlInputsOf(r.model, (p) => text.get(p) || read?.(p)), r.sqlQueries);
  return { analyzer, all: [...r.model.diagnostics, ...sql.diagnostics], sql };
}

export async function checkFolder(checker: SqlChecker, root: string): Promise<Checked> {
  return checkFiles(checker, loadAppFiles(root), (p) => readFileSync(join(root, p), "utf8"));
}

export function line(d: Diagnostic): string {
  const r = d.range;
  return `${d.code} ${d.severity} ${d.file} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${d.message}`;
}

export function sorted(list: Diagnostic[]): string[] {
  return list.map(line).sort();
}

export interface Case {
  name: string;
  source: string;
  files: SourceInput[];
  expected: { code: string; file: string; range: Diagnostic["range"] }[];
}

const CARET = /^(\s*\/\/\s*)(\^+)\s+((?:RP\d{4}\s*)+)$/;
const EXPECT = /^\s*\/\/\s*@expect\s+(RP\d{4})\s+(\S+)\s+(\d+):(\d+)-(\d+):(\d+)\s*$/;

/** The analyser's case format: `## name`, `-- path` file headers, caret and `@expect` lines. */
export function parseCases(fileName: string, text: string): Case[] {
  const cases: Case[] = [];
  let current: Case | null = null;
  let file: { path: string; lines: string[] } | null = null;
  const flush = () => {
    if (current && file) current.files.push({ path: file.path, text: file.lines.join("\n") });
    file = null;
  };
  text.split("\n").forEach((l, i) => {
    const head = /^## (.+)$/.exec(l);
    if (head) {
      flush();
      if (current) cases.push(current);
      current = { name: head[1].trim(), source: `${fileName}:${i + 1}`, files: [{ path: "encore.app", text: '{ "id": "cases" }' }], expected: [] };
      return;
    }
    const f = /^-- (\S+\.(?:ts|sql|app|json))\s*$/.exec(l);
    if (f && current) {
      flush();
      file = { path: f[1], lines: [] };
      return;
    }
    if (!file || !current) return;
    const fl: { path: string; lines: string[] } = file;
    const caret = CARET.exec(l);
    if (caret) {
      let target = fl.lines.length - 1;
      while (target >= 0 && CARET.test(fl.lines[target])) target--;
      const start = caret[1].length;
      for (const code of caret[3].trim().split(/\s+/)) current.expected.push({ code, file: fl.path, range: { start: { line: target, character: start }, end: { line: target, character: start + caret[2].length } } });
    }
    const ex = EXPECT.exec(l);
    if (ex) current.expected.push({ code: ex[1], file: ex[2], range: { start: { line: +ex[3], character: +ex[4] }, end: { line: +ex[5], character: +ex[6] } } });
    fl.lines.push(l);
  });
  flush();
  if (current) cases.push(current);
  return cases;
}
