/** Every snapshot model (fixtures and examples) and every case's model validates against the app model v1 JSON Schema. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { check, loadCases, PACKAGE_DIR, SNAPSHOTS_DIR } from "./support/check.js";

const schema = JSON.parse(readFileSync(join(PACKAGE_DIR, "..", "protocol", "schema", "app-model.v1.schema.json"), "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

test("snapshots validate against app-model.v1.schema.json", () => {
  const files = readdirSync(SNAPSHOTS_DIR).filter((f) => f.endsWith(".snapshot.json"));
  assert.ok(files.length >= 6);
  for (const f of files) {
    const ok = validate(JSON.parse(readFileSync(join(SNAPSHOTS_DIR, f), "utf8")));
    assert.ok(ok, `${f}: ${JSON.stringify(validate.errors, null, 1)}`);
  }
});

test("every diagnostic case's model validates, including diagnostics with fixes and related locations", () => {
  for (const c of loadCases()) {
    const ok = validate(check(c.files).model);
    assert.ok(ok, `${c.name}: ${JSON.stringify(validate.errors, null, 1)}`);
  }
});

test("the schema rejects a model that breaks the contract", () => {
  assert.equal(validate({ version: 2, app: {}, diagnostics: [] }), false);
  const model = check([]).model as unknown as { app: { services: unknown[] } };
  model.app.services.push({ name: "x" });
  assert.equal(validate(model), false);
});
