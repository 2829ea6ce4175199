import { test } from "node:test";
import assert from "node:assert/strict";
import { ParsedFile } from "../src/parsed-file.js";

test("spans map to 0-based UTF-16 positions, also after non-ASCII text", () => {
  const f = ParsedFile.parse("a.ts", 'const é = "ü😀";\nexport const x = 1;\n');
  assert.ok(f.module);
  const decl = f.module.body[1];
  assert.deepEqual(f.rangeOf(decl.span), { start: { line: 1, character: 0 }, end: { line: 1, character: 19 } });
  assert.equal(f.textOf(decl.span), "export const x = 1;");
});

test("a syntax error becomes a range, not an exception", () => {
  const f = ParsedFile.parse("a.ts", 'let a = 1;\nexport const x = api({ method: "GET" , async () => {});\n');
  assert.equal(f.module, null);
  assert.ok(f.syntaxError);
  assert.match(f.syntaxError.message, /Expected/);
  assert.deepEqual(f.syntaxError.range.start, { line: 1, character: 48 });
});
