/**
 * One case per RP41xx code, in the analyser's case format (analyzer/test/cases) (`// ^^^ RP4102` under the span; in .sql files, where
 * such a line is not a comment, `// @expect` lines at the end of the file, removed before the file is checked).
 * A SQL code without a case fails the suite.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { diagnosticRightExamples, sqlDiagnostics } from "@reprise/analyzer";
import { SqlChecker } from "../src/index.js";
import { CASES_DIR, checkFiles, line, parseCases } from "./support.js";

const checker = new SqlChecker();
after(() => checker.close());

const cases = readdirSync(CASES_DIR).filter((f) => f.endsWith(".cases")).sort().flatMap((f) => parseCases(f, readFileSync(join(CASES_DIR, f), "utf8")));

for (const c of cases) {
  test(`case ${c.name} (${c.source})`, async () => {
    const files = c.files.map((f) => (f.path.endsWith(".sql") ? { ...f, text: f.text.split("\n").filter((l) => !/^\s*\/\//.test(l)).join("\n") } : f));
    const r = await checkFiles(checker, files);
    const key = (d: { code: string; file: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }) =>
      `${d.code} ${d.file} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`;
    assert.deepEqual(r.all.map(key).sort(), c.expected.map(key).sort(), r.all.map(line).join("\n"));
    for (const d of r.all) {
      const def = sqlDiagnostics.find((x) => x.code === d.code);
      if (!def) continue;
      assert.equal(d.severity, def.severity);
      assert.ok(d.message.length > 20);
    }
  });
}

test("every SQL code has at least one case", () => {
  const covered = new Set(cases.flatMap((c) => c.expected.map((e) => e.code)));
  assert.deepEqual(sqlDiagnostics.map((d) => d.code).filter((c) => !covered.has(c)), []);
});

test("each SQL code's right example (its docs page, docs/diagnostics/RP41xx.md) is a clean app", async () => {
  const bad: string[] = [];
  for (const { code } of sqlDiagnostics) {
    const right = diagnosticRightExamples[code];
    if (!right) {
      bad.push(`${code}: no right example`);
      continue;
    }
    const files = [{ path: "encore.app", text: '{ "id": "docs" }' }, ...Object.entries(right).map(([path, text]) => ({ path, text }))];
    const r = await checkFiles(checker, files);
    if (r.all.length) bad.push(`${code}: ${r.all.map(line).join("; ")}`);
  }
  assert.deepEqual(bad, []);
});
