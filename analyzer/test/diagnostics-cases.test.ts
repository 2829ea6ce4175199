/**
 * One case per diagnostic code, with the exact range asserted: every diagnostic a case produces must be expected
 * inline, and every expectation must be produced. A catalogue code without a case fails the suite.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { coreDiagnostics } from "../src/diagnostics/catalogue.js";
import { diagnosticCatalogue } from "../src/index.js";
import { check, diagKey, loadCases } from "./support/check.js";

const cases = loadCases();

for (const c of cases) {
  test(`case ${c.name} (${c.source})`, () => {
    const result = check(c.files, c.options);
    const got = result.model.diagnostics.map(diagKey).sort();
    const want = c.expected.map(diagKey).sort();
    assert.deepEqual(got, want, `diagnostics of case '${c.name}':\n${result.model.diagnostics.map((d) => `  ${diagKey(d)}  ${d.message}`).join("\n")}`);
    for (const e of c.expected) {
      if (e.messagePrefix === undefined) continue;
      const at = result.model.diagnostics.filter((d) => diagKey(d) === diagKey(e));
      assert.ok(
        at.some((d) => d.message.startsWith(e.messagePrefix!)),
        `${e.at}: the caret expects a ${e.code} message starting with ${JSON.stringify(e.messagePrefix)}, got ${at.map((d) => JSON.stringify(d.message)).join(" / ")}`,
      );
    }
    for (const d of result.model.diagnostics) {
      assert.ok(d.message.length > 20, `${d.code} has a message saying what is wrong and how to fix it`);
      const def = diagnosticCatalogue.find((x) => x.code === d.code);
      assert.ok(def, `${d.code} is in the catalogue`);
      assert.equal(d.severity, def.severity);
    }
  });
}

test("every caret naming one code asserts how its message starts (`// ^^^ RP2001: Path must`)", () => {
  const bare = cases.flatMap((c) => c.expected.filter((e) => e.at && e.messagePrefix === undefined && c.expected.filter((x) => x.at === e.at).length === 1).map((e) => `${e.at} (${e.code})`));
  assert.deepEqual(bare, [], "add `: <the start of the message>` after the code on these caret lines");
});

test("every core catalogue code has at least one case", () => {
  const covered = new Set(cases.flatMap((c) => c.expected.map((e) => e.code)));
  // RP1002 reports an analyser bug; it is exercised by the mutation test's invariant instead (it must never appear).
  // RP1007 needs a parser that crashes natively: test/lsp/crash.test.mjs makes one (a case cannot).
  const missing = coreDiagnostics.map((d) => d.code).filter((code) => code !== "RP1002" && code !== "RP1007" && !covered.has(code));
  assert.deepEqual(missing, []);
});

test("catalogue codes are unique, well-formed and documented", () => {
  const codes = diagnosticCatalogue.map((d) => d.code);
  assert.equal(new Set(codes).size, codes.length);
  assert.ok(codes.length >= 80);
  for (const d of diagnosticCatalogue) {
    assert.match(d.code, /^RP[1-9]\d{3}$/);
    assert.ok(d.title.length > 3 && d.docs.length > 20, d.code);
  }
});
