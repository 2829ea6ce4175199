/**
 * Quick fixes are real edits: applying each preferred fix of a case's diagnostics to the files must make that
 * diagnostic go away without introducing a syntax error.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Diagnostic, TextEdit } from "@reprise/protocol";
import type { SourceInput } from "../src/index.js";
import { check, diagKey, loadCases } from "./support/check.js";

function offsetAt(text: string, line: number, character: number): number {
  let off = 0;
  for (let l = 0; l < line; l++) off = text.indexOf("\n", off) + 1;
  return off + character;
}

function apply(files: SourceInput[], edits: TextEdit[]): SourceInput[] {
  return files.map((f) => {
    const mine = edits.filter((e) => e.file === f.path).sort((a, b) => offsetAt(f.text, b.range.start.line, b.range.start.character) - offsetAt(f.text, a.range.start.line, a.range.start.character));
    let text = f.text;
    for (const e of mine) text = text.slice(0, offsetAt(text, e.range.start.line, e.range.start.character)) + e.newText + text.slice(offsetAt(text, e.range.end.line, e.range.end.character));
    return { path: f.path, text };
  });
}

test("applying a preferred quick fix removes its diagnostic", () => {
  let applied = 0;
  const codes = new Set<string>();
  for (const c of loadCases()) {
    const before = check(c.files).model.diagnostics;
    for (const d of before.filter((x: Diagnostic) => x.fixes.some((f) => f.isPreferred))) {
      const fix = d.fixes.find((f) => f.isPreferred)!;
      const after = check(apply(c.files, fix.edits)).model.diagnostics;
      assert.ok(!after.some((x) => x.code === d.code && x.file === d.file && x.range.start.line === d.range.start.line), `${c.name}: '${fix.title}' did not fix ${diagKey(d)}`);
      assert.ok(!after.some((x) => x.code === "RP1001" && !before.some((y) => y.code === "RP1001" && y.file === x.file)), `${c.name}: '${fix.title}' broke the syntax`);
      applied++;
      codes.add(d.code);
    }
  }
  assert.ok(applied >= 10, `applied ${applied} fixes (${[...codes].join(", ")})`);
});
