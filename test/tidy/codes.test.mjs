// One namespace per kind of code, each with one list:
//  - diagnostic codes (`RP` + four digits) are written literally only in the analyser's catalogue,
//    analyzer/src/diagnostics/ (catalogue.ts, schema.ts, sql.ts, and the docs examples keyed by code); code elsewhere
//    refers to a definition (`D.SyntaxError.code`), never to a literal, so a code cannot drift from its definition;
//  - run-time error codes (`RP_` + upper-case words: what the SDK and the CLI throw) are listed in
//    protocol/src/error-codes.ts; every one used in a package's src/ must be there.
// Comments may name codes (they explain); string literals, template literals, regular expressions and identifiers
// may not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WORKSPACES = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces;
const CATALOGUE_DIR = "analyzer/src/diagnostics/";
const ERROR_CODES_FILE = "protocol/src/error-codes.ts";
const DIAGNOSTIC = /\bRP\d{4}\b/g;
const ERROR = /\bRP_[A-Z][A-Z0-9_]*\b/g;

function sources(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|tsx|mts|mjs|js)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** The code-bearing tokens of a source (literals, regular expressions, identifiers), with their lines; comments skipped. */
export function codeTokens(fileName, text) {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const out = [];
  const stack = [sf];
  while (stack.length) {
    const node = stack.pop();
    let value = null;
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node) || ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) value = node.text;
    else if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) value = node.text;
    if (value !== null) out.push({ value, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
    node.forEachChild((c) => void stack.push(c));
  }
  return out.sort((a, b) => a.line - b.line);
}

/** The error codes protocol/src/error-codes.ts lists (read from its source: the keys of ERROR_CODES). */
function listedErrorCodes() {
  const text = readFileSync(join(root, ERROR_CODES_FILE), "utf8");
  const body = /export const ERROR_CODES = \{([\s\S]*?)\n\}/.exec(text);
  assert.ok(body, `${ERROR_CODES_FILE} no longer has "export const ERROR_CODES = { ... }"`);
  return new Set([...body[1].matchAll(/^\s+(RP_[A-Z0-9_]+):/gm)].map((m) => m[1]));
}

/** The problems of one file (messages that say how to fix each). */
export function problemsOf(rel, text, errorCodes) {
  const out = [];
  const inCatalogue = rel.startsWith(CATALOGUE_DIR);
  for (const { value, line } of codeTokens(rel, text)) {
    if (!inCatalogue) {
      for (const m of value.matchAll(DIAGNOSTIC)) {
        out.push(`${rel}:${line} writes the diagnostic code ${m[0]} literally. Refer to its definition instead (\`D.<Name>.code\` from ${CATALOGUE_DIR}catalogue.ts, schema.ts or sql.ts); a new diagnostic gets its definition there first. An error that is not a diagnostic takes an \`RP_*\` code from ${ERROR_CODES_FILE}.`);
      }
    }
    if (rel !== ERROR_CODES_FILE) {
      for (const m of value.matchAll(ERROR)) {
        if (!errorCodes.has(m[0])) out.push(`${rel}:${line} uses the error code ${m[0]}, which ${ERROR_CODES_FILE} does not list. Add \`${m[0]}: "<when it is thrown>",\` to ERROR_CODES there (or use a code it lists).`);
      }
    }
  }
  return out;
}

test("no diagnostic code is written outside the catalogue, and every RP_* error code is in the one list", () => {
  const errorCodes = listedErrorCodes();
  assert.ok(errorCodes.size >= 5, `only ${errorCodes.size} codes read from ${ERROR_CODES_FILE}`);
  const problems = [];
  let files = 0;
  for (const ws of WORKSPACES) {
    for (const file of sources(join(root, ws, "src"))) {
      files++;
      problems.push(...problemsOf(relative(root, file).split("\\").join("/"), readFileSync(file, "utf8"), errorCodes));
    }
  }
  assert.ok(files > 150, `scanned only ${files} files`);
  assert.deepEqual(problems, [], `\n${problems.join("\n")}\n`);
});

test("the two namespaces do not overlap: no listed error code looks like a diagnostic code", () => {
  for (const c of listedErrorCodes()) assert.doesNotMatch(c, /^RP\d{4}$/);
});

test("the scan catches literal codes in strings, templates, regexps and identifiers, and ignores comments", () => {
  const codes = new Set(["RP_CONFIG"]);
  const text = [
    '// RP1001 in a comment is fine, and so is RP_WHATEVER',
    'const a = "RP1001";',
    'const b = `x ${1} RP2002`;',
    'const c = /RP3003/;',
    'const d = D.RP3004;',
    'throw new Error("RP_CONFIG: bad");',
    'const e = { code: "RP_NOPE" };',
  ].join("\n");
  const found = problemsOf("cli/src/x.ts", text, codes);
  assert.equal(found.length, 5, found.join("\n"));
  assert.match(found[0], /^cli\/src\/x\.ts:2 writes the diagnostic code RP1001 literally/);
  assert.ok(found.some((f) => /:3 writes the diagnostic code RP2002/.test(f)));
  assert.ok(found.some((f) => /:4 writes the diagnostic code RP3003/.test(f)));
  assert.ok(found.some((f) => /:5 writes the diagnostic code RP3004/.test(f)));
  assert.ok(found.some((f) => /:7 uses the error code RP_NOPE, which protocol\/src\/error-codes\.ts does not list/.test(f)));
  assert.deepEqual(problemsOf("analyzer/src/diagnostics/catalogue.ts", 'const x = "RP1001";', codes), []);
});
