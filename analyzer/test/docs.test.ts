/** docs/diagnostics.md is generated from the catalogue and must be up to date; docs/app-model.md covers the model. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderDiagnosticsDoc } from "../src/diagnostics/docs.js";
import { diagnosticCatalogue } from "../src/index.js";
import { PACKAGE_DIR } from "./support/check.js";

const docs = join(PACKAGE_DIR, "..", "docs");

test("docs/diagnostics.md is up to date (npm run docs:diagnostics -w @reprise/analyzer)", () => {
  assert.equal(readFileSync(join(docs, "diagnostics.md"), "utf8"), renderDiagnosticsDoc(diagnosticCatalogue));
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
