// The Testing view's pure parts (extension/src/testing-parse.ts): tests found in a file's source with their
// nesting and lines, JUnit reports of node --test and vitest read back, and a failure's line found in its stack.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { root } from "../http/helpers.mjs";

const { findTests, parseJunit, failureLocation } = createRequire(import.meta.url)(join(root, "extension", "dist", "tsc", "src", "testing-parse.js"));

test("findTests: nesting by describe, lines, and nothing from comments, strings or member calls", () => {
  const src = [
    `describe("outer", () => {`,
    `  it("a", () => { const s = "}"; });`,
    `  describe(\`inner\`, () => {`,
    `    test('b \\'q\\'', () => {});`,
    `  });`,
    `});`,
    `test.skip("after", () => {});`,
    `// test("commented")`,
    `const x = "test('in a string')"; foo.test("member");`,
    `test(\`dynamic \${x}\`, () => {});`,
  ].join("\n");
  const simple = (ts) => ts.map((t) => [t.kind, t.name, t.line, simple(t.children)]);
  assert.deepEqual(simple(findTests(src)), [
    ["suite", "outer", 0, [["test", "a", 1, []], ["suite", "inner", 2, [["test", "b 'q'", 3, []]]]]],
    ["test", "after", 6, []],
  ]);
});

const nodeReport = `<?xml version="1.0" encoding="utf-8"?>
<testsuites>
	<testcase name="top &amp; level" time="0.107" classname="test" failure="x">
		<failure type="testCodeFailure" message="Expected values to be strictly equal:&#10;&apos;a&apos; !== &apos;b&apos;">
AssertionError: boom
      at TestContext.&lt;anonymous> (/app/orders/orders.test.ts:9:10)
		</failure>
	</testcase>
	<testsuite name="outer" time="0.2">
		<testcase name="inner ok" time="0.002" classname="test"/>
		<testcase name="later" time="0" classname="test">
			<skipped type="skipped" message="todo"/>
		</testcase>
	</testsuite>
</testsuites>`;

const vitestReport = `<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="2" failures="1">
    <testsuite name="orders/orders.test.ts" tests="2" failures="1">
        <testcase classname="orders/orders.test.ts" name="outer &gt; fails" time="0.095">
            <failure message="expected 1 to be 2" type="AssertionError">
AssertionError: expected 1 to be 2
 ❯ orders/orders.test.ts:12:7
            </failure>
        </testcase>
        <testcase classname="orders/orders.test.ts" name="passes" time="0.001">
        </testcase>
    </testsuite>
</testsuites>`;

test("parseJunit: node --test's report (nested suites, skipped, entities)", () => {
  const cases = parseJunit(nodeReport);
  assert.deepEqual(
    cases.map((c) => [c.name, c.suites, c.status, c.timeMs]),
    [["top & level", [], "failed", 107], ["inner ok", ["outer"], "passed", 2], ["later", ["outer"], "skipped", 0]],
  );
  assert.equal(cases[0].message, "Expected values to be strictly equal:\n'a' !== 'b'");
  assert.deepEqual(failureLocation(cases[0].details, ["/app/orders/orders.test.ts", "orders/orders.test.ts"]), { line: 9, column: 10 });
});

test("parseJunit: vitest's report (suites in the name, file in classname); relative failure paths", () => {
  const cases = parseJunit(vitestReport);
  assert.deepEqual(
    cases.map((c) => [c.name, c.suites, c.file, c.status]),
    [["fails", ["outer"], "orders/orders.test.ts", "failed"], ["passes", [], "orders/orders.test.ts", "passed"]],
  );
  assert.deepEqual(failureLocation(cases[0].details, ["/app/orders/orders.test.ts", "orders/orders.test.ts"]), { line: 12, column: 7 });
  assert.equal(failureLocation(cases[0].details, ["/app/other.test.ts", "other.test.ts"]), null);
});
