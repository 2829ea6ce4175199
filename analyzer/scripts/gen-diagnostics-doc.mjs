#!/usr/bin/env node
// Writes docs/diagnostics.md from the compiled catalogue (run `npx tsc -b analyzer` first).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { diagnosticCatalogue } from "../dist/src/index.js";
import { renderDiagnosticsDoc } from "../dist/src/diagnostics/docs.js";

const target = fileURLToPath(new URL("../../docs/diagnostics.md", import.meta.url));
writeFileSync(target, renderDiagnosticsDoc(diagnosticCatalogue));
console.log(`wrote ${target} (${diagnosticCatalogue.length} codes)`);
