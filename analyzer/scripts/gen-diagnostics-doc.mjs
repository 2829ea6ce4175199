#!/usr/bin/env node
// Writes docs/diagnostics.md and docs/diagnostics/RPxxxx.md from the compiled catalogue (run `npx tsc -b analyzer` first).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { diagnosticCatalogue } from "../dist/src/index.js";
import { renderDiagnosticsDoc, renderDiagnosticPage } from "../dist/src/diagnostics/docs.js";
import { caseExamples } from "../dist/test/support/doc-examples.js";

const docs = fileURLToPath(new URL("../../docs/", import.meta.url));
writeFileSync(join(docs, "diagnostics.md"), renderDiagnosticsDoc(diagnosticCatalogue));
const pages = join(docs, "diagnostics");
mkdirSync(pages, { recursive: true });
for (const f of readdirSync(pages)) if (/^RP\d{4}\.md$/.test(f)) rmSync(join(pages, f));
const examples = caseExamples();
for (const d of diagnosticCatalogue) writeFileSync(join(pages, `${d.code}.md`), renderDiagnosticPage(d, { wrong: examples.get(d.code)?.files, wrongOptions: examples.get(d.code)?.options }));
console.log(`wrote ${docs}diagnostics.md and ${diagnosticCatalogue.length} pages in ${pages}`);
