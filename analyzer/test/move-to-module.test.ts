/**
 * RP1040 / RP7001's quick fix "move to the top level of the module": the exact text it produces for a bound
 * declaration, a bare statement and a declaration inside an expression; the app analyses clean afterwards; no fix
 * when the moved code would lose a local it uses or the top-level name is taken.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TextEdit } from "@reprise/protocol";
import { analyze, type SourceInput } from "../src/index.js";

function offsetAt(text: string, line: number, character: number): number {
  let off = 0;
  for (let l = 0; l < line; l++) off = text.indexOf("\n", off) + 1;
  return off + character;
}
function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start.line, b.range.start.character) - offsetAt(text, a.range.start.line, a.range.start.character));
  for (const e of sorted) text = text.slice(0, offsetAt(text, e.range.start.line, e.range.start.character)) + e.newText + text.slice(offsetAt(text, e.range.end.line, e.range.end.character));
  return text;
}

const service: SourceInput = { path: "svc/encore.service.ts", text: 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n' };

/** The file after the fix of its one `code` diagnostic, checked clean; or null when no fix is offered. */
function fixed(code: string, text: string): string | null {
  const files = [{ path: "encore.app", text: '{ "id": "x" }' }, service, { path: "svc/x.ts", text }];
  const ds = analyze(files).diagnostics.filter((d) => d.code === code);
  assert.equal(ds.length, 1, `one ${code}`);
  const fix = ds[0].fixes.find((f) => f.title.startsWith("Move this"));
  if (!fix) return null;
  assert.equal(fix.isPreferred, true);
  const after = applyEdits(text, fix.edits);
  const left = analyze([...files.slice(0, 2), { path: "svc/x.ts", text: after }]).diagnostics;
  assert.deepEqual(left.map((d) => `${d.code} ${d.message}`), [], `clean after the fix:\n${after}`);
  return after;
}

test("a bound secret moves whole, dedented, above the function and its doc comment", () => {
  const before = [
    'import { secret } from "encore.dev/config";',
    "",
    "/** Reads the key. */",
    "export function key(): string {",
    '  const apiKey = secret("ApiKey");',
    "  return apiKey();",
    "}",
    "",
  ].join("\n");
  assert.equal(fixed("RP7001", before), [
    'import { secret } from "encore.dev/config";',
    "",
    'const apiKey = secret("ApiKey");',
    "",
    "/** Reads the key. */",
    "export function key(): string {",
    "  return apiKey();",
    "}",
    "",
  ].join("\n"));
});

test("a multi-line topic declaration moves whole; a bucket returned from a function becomes a named constant", () => {
  const topic = [
    'import { Topic } from "encore.dev/pubsub";',
    "export function make() {",
    '  const events = new Topic<{ id: string }>("events", {',
    '    deliveryGuarantee: "at-least-once",',
    "  });",
    "  return events;",
    "}",
    "",
  ].join("\n");
  assert.equal(fixed("RP1040", topic), [
    'import { Topic } from "encore.dev/pubsub";',
    'const events = new Topic<{ id: string }>("events", {',
    '  deliveryGuarantee: "at-least-once",',
    "});",
    "",
    "export function make() {",
    "  return events;",
    "}",
    "",
  ].join("\n"));
  const bucket = ['import { Bucket } from "encore.dev/storage/objects";', "export function make() {", '  return new Bucket("made-files");', "}", ""].join("\n");
  assert.equal(fixed("RP1040", bucket), [
    'import { Bucket } from "encore.dev/storage/objects";',
    'const madeFiles = new Bucket("made-files");',
    "",
    "export function make() {",
    "  return madeFiles;",
    "}",
    "",
  ].join("\n"));
});

test("no fix when the declaration uses a local of the function, or its name is taken at the top level", () => {
  const usesParam = ['import { Bucket } from "encore.dev/storage/objects";', "export function make(versioned: boolean) {", '  const b = new Bucket("b", { versioned });', "  return b;", "}", ""].join("\n");
  // `versioned` is not a literal either (RP1018), but the move itself is what is refused here.
  const files = [{ path: "encore.app", text: '{ "id": "x" }' }, service, { path: "svc/x.ts", text: usesParam }];
  const d = analyze(files).diagnostics.find((x) => x.code === "RP1040");
  assert.ok(d && !d.fixes.some((f) => f.title.startsWith("Move this")), "no move for a declaration using a parameter");
  const taken = ['import { secret } from "encore.dev/config";', "const k = 1;", "export function f() {", '  const k = secret("K");', "  return k();", "}", ""].join("\n");
  assert.equal(fixed("RP7001", taken), null);
});
