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
  // `create` edits make a new file first (as an LSP client applies a CreateFile operation).
  const created = edits.filter((e) => e.create && !files.some((f) => f.path === e.file)).map((e) => ({ path: e.file, text: "" }));
  return [...files, ...created].map((f) => {
    const mine = edits.filter((e) => e.file === f.path).sort((a, b) => offsetAt(f.text, b.range.start.line, b.range.start.character) - offsetAt(f.text, a.range.start.line, a.range.start.character));
    let text = f.text;
    for (const e of mine) text = text.slice(0, offsetAt(text, e.range.start.line, e.range.start.character)) + e.newText + text.slice(offsetAt(text, e.range.end.line, e.range.end.character));
    return { path: f.path, text };
  });
}

test("fixes that create files: the first migration of a missing folder, a service named by a clients import", () => {
  const files: SourceInput[] = [
    { path: "encore.app", text: '{ "id": "x" }' },
    { path: "svc/encore.service.ts", text: 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n' },
    { path: "svc/db.ts", text: 'import { SQLDatabase } from "encore.dev/storage/sqldb";\nexport const db = new SQLDatabase("main", { migrations: "./migrations" });\n' },
    { path: "svc/api.ts", text: 'import { api } from "encore.dev/api";\nimport { billing } from "~encore/clients";\nexport const f = api({ method: "GET", path: "/f" }, async (): Promise<void> => { await billing.charge(); });\n' },
  ];
  const before = check(files).model.diagnostics;
  assert.deepEqual(before.map((d) => d.code).sort(), ["RP4001", "RP9001"]);
  let after = files;
  for (const d of before) {
    const fix = d.fixes.find((f) => f.edits.some((e) => e.create));
    assert.ok(fix, `${d.code} offers a fix that creates a file`);
    after = apply(after, fix.edits);
  }
  assert.deepEqual(after.map((f) => f.path).filter((p) => !files.some((f) => f.path === p)).sort(), ["billing/encore.service.ts", "svc/migrations/1_init.up.sql"]);
  // The new service has no endpoint 'charge' yet: that is the only problem left.
  assert.deepEqual(check(after).model.diagnostics.map((d) => d.code), ["RP9002"]);
});

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
