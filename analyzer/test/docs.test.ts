/**
 * docs/diagnostics.md and docs/diagnostics/RPxxxx.md are generated from the catalogue and must be up to date; each
 * code's wrong example must report it and its right example must not; docs/app-model.md covers the model.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NO_EXAMPLE, renderDiagnosticPage, renderDiagnosticsDoc, type ExampleFiles } from "../src/diagnostics/docs.js";
import { RIGHT_EXAMPLES, SCHEMA_WRONG } from "../src/diagnostics/examples.js";
import { diagnosticCatalogue, type AnalyzerOptions } from "../src/index.js";
import { check, PACKAGE_DIR } from "./support/check.js";
import { caseExamples } from "./support/doc-examples.js";

const docs = join(PACKAGE_DIR, "..", "docs");
const examples = caseExamples();

test("docs/diagnostics.md is up to date (npm run docs:diagnostics -w @reprise/analyzer)", () => {
  assert.equal(readFileSync(join(docs, "diagnostics.md"), "utf8"), renderDiagnosticsDoc(diagnosticCatalogue));
});

test("every code has an up-to-date page docs/diagnostics/RPxxxx.md, and there is no page without a code", () => {
  for (const d of diagnosticCatalogue) {
    const page = join(docs, "diagnostics", `${d.code}.md`);
    assert.ok(existsSync(page), `${d.code} has no page (npm run docs:diagnostics -w @reprise/analyzer)`);
    assert.equal(readFileSync(page, "utf8"), renderDiagnosticPage(d, { wrong: examples.get(d.code)?.files, wrongOptions: examples.get(d.code)?.options }), `${d.code}'s page is stale`);
  }
  const codes = new Set(diagnosticCatalogue.map((d) => d.code));
  assert.deepEqual(readdirSync(join(docs, "diagnostics")).filter((f) => !codes.has(f.replace(/\.md$/, ""))), []);
});

function codesOf(files: ExampleFiles, options?: AnalyzerOptions): string[] {
  const inputs = Object.entries(files).map(([path, text]) => ({ path, text }));
  if (!inputs.some((f) => /^(encore|reprise)\.app$/.test(f.path))) inputs.unshift({ path: "encore.app", text: '{ "id": "docs" }' });
  return check(inputs, options).model.diagnostics.map((d) => d.code);
}

// Codes the analyser never reports from source text: RP41xx come from @reprise/sqlcheck (its own tests cover
// them), RP1002 is an analyser bug, RP1007 a native parser crash (test/lsp/crash.test.mjs).
const NOT_FROM_ANALYSER = /^(RP41\d\d|RP1002|RP1007)$/;

test("every code's page has a wrong and a right example (RP1002 and RP1007 report Reprise's own failures)", () => {
  const missing: string[] = [];
  for (const d of diagnosticCatalogue) {
    if (NO_EXAMPLE[d.code]) continue;
    if (!(d.wrong ?? SCHEMA_WRONG[d.code] ?? examples.get(d.code))) missing.push(`${d.code}: no wrong example`);
    if (!(d.right ?? RIGHT_EXAMPLES[d.code])) missing.push(`${d.code}: no right example`);
  }
  assert.deepEqual(missing, []);
  assert.deepEqual(Object.keys(NO_EXAMPLE).sort(), ["RP1002", "RP1007"]);
});

test("each right example is a clean app, and each wrong example reports its code", () => {
  const bad: string[] = [];
  for (const d of diagnosticCatalogue) {
    const right = d.right ?? RIGHT_EXAMPLES[d.code];
    // A right example is a clean app: it reports nothing at all, so the page shows code that can be copied
    // (the RP41xx ones also pass the SQL checker: sqlcheck/test/cases.test.ts).
    if (right && codesOf(right).length) bad.push(`${d.code}: right example reports ${codesOf(right).join(", ")}`);
    if (NOT_FROM_ANALYSER.test(d.code)) continue;
    const c = examples.get(d.code);
    const own = d.wrong ?? SCHEMA_WRONG[d.code];
    const wrong = own ?? c?.files;
    if (wrong && !codesOf(wrong, own ? undefined : c?.options).includes(d.code)) bad.push(`${d.code}: wrong example does not report it`);
  }
  assert.deepEqual(bad, []);
});

test("docs/app-model.md documents every field of the model schema and links docs/schemas.md", () => {
  const text = readFileSync(join(docs, "app-model.md"), "utf8");
  const schema = JSON.parse(readFileSync(join(PACKAGE_DIR, "..", "protocol", "schema", "app-model.v1.schema.json"), "utf8"));
  const missing: string[] = [];
  for (const [name, def] of Object.entries<{ properties?: Record<string, unknown> }>(schema.$defs)) {
    for (const field of Object.keys(def.properties ?? {})) if (!text.includes(`\`${field}\``)) missing.push(`${name}.${field}`);
  }
  assert.deepEqual(missing, []);
  assert.match(text, /\(schemas\.md\)/);
  assert.match(text, /## Incremental analysis/);
});
