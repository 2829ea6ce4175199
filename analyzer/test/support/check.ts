/**
 * The one place tests touch the analyser API. Cases are data: text files of mini apps with inline expectations
 * (`// ^^^ RP2001: Path must` under the offending span: the code and how the message starts, or
 * `// @expect RP4002 path/to/file 0:0-0:0` for files without comments); fixture folders are real app folders
 * compared against committed snapshots.
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { basename, join } from "node:path";
import { findAppRoots } from "../../src/node/index.js";
import type { AppModel, Diagnostic, Range } from "@reprise/protocol";
import { Analyzer, type AnalysisResult, type AnalyzerOptions, type SourceInput } from "../../src/index.js";

/** The analyser's package folder (tests run from dist/test/...). */
export const PACKAGE_DIR = fileURLToPath(new URL("../../../", import.meta.url));
export const CASES_DIR = join(PACKAGE_DIR, "test", "cases");
export const FIXTURES_DIR = join(PACKAGE_DIR, "test", "fixtures");
export const SNAPSHOTS_DIR = join(PACKAGE_DIR, "test", "snapshots");
export const EXAMPLES_DIR = join(PACKAGE_DIR, "..", "examples");

export interface Expectation {
  code: string;
  file: string;
  range: Range;
  /** How the diagnostic's message starts (the text after `:` on its caret line). */
  messagePrefix?: string;
  /** Where the expectation is written, for failure messages. */
  at?: string;
}

export interface Case {
  name: string;
  /** Where the case starts, for failure messages. */
  source: string;
  files: SourceInput[];
  expected: Expectation[];
  /** Analyzer options of the case (an `@options {json}` line right after the `## ` heading). */
  options?: AnalyzerOptions;
}

/** Runs a full analysis (and, when asked, an incremental one that must agree). */
export function check(files: SourceInput[], options?: AnalyzerOptions): AnalysisResult {
  return new Analyzer(options).setFiles(files);
}

/** A fresh analyser, for tests that drive update/remove sequences. */
export function analyzer(options?: AnalyzerOptions): Analyzer {
  return new Analyzer(options);
}

/** `// ^^^ RP2001: message prefix` (one code) or `// ^^^ RP2001 RP2002` (several codes on one span, no prefix). */
const CARET = /^(\s*\/\/\s*)(\^+)\s+(RP\d{4}(?:\s+RP\d{4})*)\s*(?::\s*(\S.*?))?\s*$/;
const EXPECT = /^\s*\/\/\s*@expect\s+(RP\d{4})\s+(\S+)\s+(\d+):(\d+)-(\d+):(\d+)\s*$/;

export function parseCases(fileName: string, text: string): Case[] {
  const cases: Case[] = [];
  let current: Case | null = null;
  let file: { path: string; lines: string[] } | null = null;
  const flush = () => {
    if (current && file) current.files.push({ path: file.path, text: file.lines.join("\n") });
    file = null;
  };
  text.split("\n").forEach((line, i) => {
    const head = /^## (.+)$/.exec(line);
    if (head) {
      flush();
      if (current) cases.push(current);
      current = { name: head[1].trim(), source: `${fileName}:${i + 1}`, files: [], expected: [] };
      return;
    }
    const f = /^-- (\S+)\s*$/.exec(line);
    if (f && current) {
      flush();
      file = { path: f[1], lines: [] };
      return;
    }
    const opts = /^@options\s+(\{.*\})\s*$/.exec(line);
    if (opts && current && !file) {
      current.options = JSON.parse(opts[1]) as AnalyzerOptions;
      return;
    }
    if (!file || !current) return;
    const fl: { path: string; lines: string[] } = file;
    const caret = CARET.exec(line);
    if (caret) {
      let target = fl.lines.length - 1;
      while (target >= 0 && CARET.test(fl.lines[target])) target--;
      const start = caret[1].length;
      const codes = caret[3].trim().split(/\s+/);
      if (caret[4] !== undefined && codes.length > 1) throw new Error(`${fileName}:${i + 1}: a caret line with a message prefix names one code (write one caret line per code)`);
      for (const code of codes) {
        current.expected.push({ code, file: fl.path, range: { start: { line: target, character: start }, end: { line: target, character: start + caret[2].length } }, messagePrefix: caret[4], at: `${fileName}:${i + 1}` });
      }
    }
    const ex = EXPECT.exec(line);
    if (ex) {
      current.expected.push({ code: ex[1], file: ex[2], range: { start: { line: +ex[3], character: +ex[4] }, end: { line: +ex[5], character: +ex[6] } } });
    }
    fl.lines.push(line);
  });
  flush();
  if (current) cases.push(current);
  for (const c of cases) if (!c.files.some((f) => f.path === "encore.app" || f.path === "reprise.app")) c.files.unshift({ path: "encore.app", text: '{ "id": "cases" }' });
  return cases;
}

export function loadCases(): Case[] {
  return readdirSync(CASES_DIR)
    .filter((f) => f.endsWith(".cases"))
    .sort()
    .flatMap((f) => parseCases(f, readFileSync(join(CASES_DIR, f), "utf8")));
}

export function diagKey(d: { code: string; file: string; range: Range }): string {
  const r = d.range;
  return `${d.code} ${d.file} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/** Fixture folders plus the repository's example apps, each analysed from disk by snapshot and robustness tests. */
export function snapshotApps(): { name: string; root: string }[] {
  const fixtures = readdirSync(FIXTURES_DIR).sort().map((n) => ({ name: n, root: join(FIXTURES_DIR, n) }));
  const examples = findAppRoots(EXAMPLES_DIR).map((r) => ({ name: `example-${basename(r)}`, root: r }));
  return [...fixtures, ...examples];
}

/** A model without volatile parts, for snapshots: stable key order comes from the analyser itself. */
export function snapshotOf(model: AppModel): AppModel {
  return JSON.parse(JSON.stringify(model));
}

export type { Diagnostic };
