/**
 * The pre-parse guard (src/guard.ts): what it counts and what it does not, that a file right at the nesting limit
 * is analysed without overflowing our own (recursive) walkers or the schema builder, that one level more is
 * refused with RP1005 on the right line, and that swc's measured crash points stay far above the ceiling.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_MAX_NESTING_DEPTH, MAX_NESTING_DEPTH_CEILING, measureNesting } from "../src/index.js";
import { check } from "./support/check.js";
import { BOMB_SHAPES } from "./support/mutations.js";

const SERVICE = { path: "svc/encore.service.ts", text: 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n' };
const APP = { path: "encore.app", text: '{ "id": "guard" }' };

test("brackets in strings, comments, regexes, template text and JSX text do not count", () => {
  const deep = "[".repeat(5000);
  for (const text of [
    `const a = "${deep}";`,
    `const a = '${deep}';`,
    `// ${deep}\nconst a = 1;`,
    `/* ${deep} */ const a = 1;`,
    `const a = /${deep.replace(/\[/g, "\\[")}/;`,
    `const a = /[${"(".repeat(5000)}]/;`,
    `const a = \`${deep}\`;`,
    `const a = \`\${"x"}${deep}\`;`,
  ]) assert.ok(measureNesting(text, false).depth < 10, text.slice(0, 40));
  assert.ok(measureNesting(`const a = <p>don't {"(((("} ${"(".repeat(5000)}</p>;`, true).depth < 10);
  // Division is not a regex: the brackets after it count.
  assert.ok(measureNesting(`const a = b / 2; const c = ${"[".repeat(600)}`, false).depth > 600);
  // A regex after `if (...)` is a regex.
  assert.ok(measureNesting(`if (a) /[(]/.test(b);\nconst c = 1;`, false).depth < 10);
});

test("every nesting shape counts, including bracketless chains and JSX-like `<` chains", () => {
  for (const [name, shape] of Object.entries(BOMB_SHAPES)) {
    const d = measureNesting(`const x = ${shape(2000)};`, name === "jsxLike").depth;
    assert.ok(d >= 2000, `${name}: ${d}`);
  }
  // `<` chains in a .ts file (type assertions, comparisons, type arguments) count without JSX.
  assert.ok(measureNesting("const x = " + "<a>".repeat(2000) + "a;", false).depth >= 2000);
  // An `else if` chain nests, even with a `;` before each `else`.
  assert.ok(measureNesting("if (a) b;" + " else if (a) b;".repeat(2000), false).depth >= 2000);
  assert.ok(measureNesting("if (a) {}" + " else if (a) {}".repeat(2000), false).depth >= 2000);
});

test("statements end a chain: long ordinary files stay shallow", () => {
  const lines = [];
  for (let i = 0; i < 3000; i++) lines.push(i % 3 === 0 ? `const v${i} = a + b * c` : i % 3 === 1 ? `if (v${i - 1} < 2) { f(v${i - 1}) }` : `x.y.z(${i}, { a: 1, b: [2, 3] });`);
  assert.ok(measureNesting(lines.join("\n"), false).depth < 20);
  assert.ok(measureNesting(lines.join("\r\n"), false).depth < 20);
  const tsx = Array.from({ length: 2000 }, (_, i) => `<li key={${i}}>it's item {i < 3 ? "a" : "b"}</li>`).join("\n");
  assert.ok(measureNesting(`const l = <ul>\n${tsx}\n</ul>;`, true).depth < 20);
  // NUL, control bytes, a BOM and lone surrogates neither crash the scanner nor nest.
  assert.ok(measureNesting("\ufeffconst a\u0000 = 1;\u0007\u001b\ud800 const b = '\udfff';", false).depth < 5);
});

test("the scanner is linear: 2 MB of nesting-heavy text in well under a second", () => {
  const text = "const a = [" + "{a: (1 + 2) * f(`x${y}`)}, ".repeat(80_000) + "];";
  assert.ok(text.length > 2_000_000);
  const t0 = performance.now();
  measureNesting(text, false);
  const ms = performance.now() - t0;
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
});

/** The largest n for which `make(n)` stays within `limit` (the guard's count is monotonic in n). */
function largestWithin(make: (n: number) => string, limit: number, jsx: boolean): number {
  let lo = 0;
  let hi = 4 * limit + 10;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measureNesting(make(mid), jsx, limit).offset < 0) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const INTERNAL = (d: { code: string; message: string }) => d.code === "RP1002" || (d.code === "RP3011" && /Internal error/.test(d.message));

for (const limit of [DEFAULT_MAX_NESTING_DEPTH, MAX_NESTING_DEPTH_CEILING]) {
  test(`files right at the limit (${limit}) are analysed without overflowing our walkers; one level more is refused`, () => {
    // JSX shapes are left out: .tsx files are not scanned for declarations (the `<` chains of .ts files are: "assertions").
    for (const [name, shape] of Object.entries(BOMB_SHAPES).filter(([n]) => n !== "jsxLike")) {
      const isType = name === "typeArgs" || name === "typeObject";
      // In places our walkers and the schema builder descend into: an endpoint's handler body and request type.
      const make = (n: number) =>
        isType
          ? `import { api } from "encore.dev/api";\ninterface A<T> { a: T }\ninterface B { b: string }\ntype Deep = ${shape(n).replace(/\b1\b/g, "string")};\nexport const e = api({ method: "POST", path: "/e" }, async (req: { deep: Deep }): Promise<void> => {});\n`
          : `import { api } from "encore.dev/api";\nexport const e = api({ method: "POST", path: "/e" }, async (): Promise<void> => {\n  const x = ${shape(n)};\n});\n`;
      const file = "svc/api.ts";
      const n = largestWithin(make, limit, false);
      assert.ok(n > 10, `${name}: ${n}`);
      const ok = check([APP, SERVICE, { path: file, text: make(n) }], { maxNestingDepth: limit });
      assert.deepEqual(ok.model.diagnostics.filter(INTERNAL).map((d) => d.message), [], `${name} at ${n}`);
      assert.ok(!ok.model.diagnostics.some((d) => d.code === "RP1005"), `${name} at ${n} is analysed`);
      assert.equal(ok.model.app.services[0]?.endpoints.length, 1, `${name} at ${n}: the endpoint is found`);
      // The same nesting as an option value, which the literal decoder evaluates.
      const asOption = (k: number) => `import { api } from "encore.dev/api";\nexport const e = api({ method: "POST", path: "/e", bodyLimit: ${shape(k)} }, async (): Promise<void> => {});\n`;
      const m = largestWithin(asOption, limit, false);
      const opt = check([APP, SERVICE, { path: file, text: asOption(m) }], { maxNestingDepth: limit });
      assert.deepEqual(opt.model.diagnostics.filter(INTERNAL).map((d) => d.message), [], `${name} at ${m} as an option value`);
      const over = check([APP, SERVICE, { path: file, text: make(n + 1) }], { maxNestingDepth: limit });
      const refused = over.model.diagnostics.filter((d) => d.code === "RP1005");
      assert.equal(refused.length, 1, `${name} at ${n + 1} is refused`);
      assert.equal(refused[0].range.start.line, isType ? 3 : 2, `${name}: RP1005 on the line of the nesting`);
    }
  });
}

/** Where @swc/core 1.16.22 died with SIGSEGV (8 MB stack), measured by bisection in child processes. */
const SWC_CRASH_POINTS: [string, number][] = [
  ["(".repeat(3076) + "1" + ")".repeat(3076), 3076],
  ["type T = " + "A<".repeat(2880) + "B" + ">".repeat(2880) + ";", 2880],
  ["type T = " + "{a:".repeat(1953) + "1" + "}".repeat(1953) + ";", 1953],
  ["x = " + "function() { return ".repeat(2002) + "1" + "}".repeat(2002), 2002],
  ["x = " + "class { m() { return ".repeat(1612) + "1" + "}}".repeat(1612), 1612],
  ["x = " + "a=>".repeat(4345) + "1", 4345],
  ["if (a) ".repeat(5907) + ";", 5907],
  ["x = [" + "[".repeat(4931) + "]".repeat(4931) + "]", 4931],
  ["x = " + "!".repeat(26605) + "1", 26605],
  ["x = a" + ".b".repeat(59409), 59409],
  ["x = f" + "()".repeat(59409), 59409],
];

test("swc's crash points count at least three times the ceiling", () => {
  for (const [text, n] of SWC_CRASH_POINTS) {
    const d = measureNesting(text, false).depth;
    assert.ok(d >= 3 * MAX_NESTING_DEPTH_CEILING, `${text.slice(0, 24)}… (swc crashed at ${n}) counts ${d}`);
  }
});
