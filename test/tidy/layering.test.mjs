// The code map in docs/ARCHITECTURE.md stays true. Each package's section (`### \`<folder>/\``) has one
// "- May import:" line; every import of every file under that package's src/ must be allowed by it, and every import
// of another package must also be a declared dependency in the importing package's package.json. The runtime/src
// module map must list every Rust module there is, and every file the doc names must exist.
//
// The May import line's grammar (kept deliberately small, so the doc stays prose):
//   items separated by commas at the top level (not inside parentheses); an item's first `backticked` word is the
//   module: a workspace folder (`analyzer` = @reprise/analyzer), an npm package or subpath (`reprise/internal/x`
//   allows that subpath and what is below it), or `node:*` (Node's built-in modules). Words in parentheses explain.
//   An item containing `only in \`<path>\`` (several paths: `only in \`a\` and \`b\``) restricts value imports of
//   that module to files under those paths of src/ (type-only imports stay allowed everywhere).
import { test } from "node:test";
import assert from "node:assert/strict";
import { builtinModules } from "node:module";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DOC = "docs/ARCHITECTURE.md";
const docText = readFileSync(join(root, DOC), "utf8");
const rootPkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const WORKSPACES = rootPkg.workspaces;
const pkgJson = (ws) => JSON.parse(readFileSync(join(root, ws, "package.json"), "utf8"));
/** package name → workspace folder (e.g. "@reprise/analyzer" → "analyzer", "reprise" → "runtime/sdk"). */
const WORKSPACE_OF = new Map(WORKSPACES.map((ws) => [pkgJson(ws).name, ws]));
const BUILTINS = new Set(builtinModules);

/** The doc's sections: heading folder (e.g. "runtime/sdk") → the section's text. */
export function sections(text) {
  const out = new Map();
  const re = /^### `([^`]+?)\/?`[^\n]*\n([\s\S]*?)(?=^#{1,3} |(?![\s\S]))/gm;
  for (const m of text.matchAll(re)) out.set(m[1], m[2]);
  return out;
}

/** Splits at top-level commas (commas inside parentheses stay in their item). */
function splitItems(line) {
  const items = [];
  let depth = 0;
  let cur = "";
  for (const ch of line) {
    if (ch === "(") depth++;
    if (ch === ")") depth = Math.max(0, depth - 1);
    if (ch === "," && depth === 0) {
      items.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) items.push(cur);
  return items;
}

/** Parses one "- May import:" line into rules { module, only: string[] | null, text }. */
export function parseMayImport(line) {
  const body = line.replace(/^\s*- May import:\s*/, "").replace(/\.\s*$/, "");
  if (/^nothing\b/i.test(body.trim()) && !body.includes("`")) return [];
  const rules = [];
  for (const item of splitItems(body)) {
    const first = /`([^`]+)`/.exec(item);
    if (!first) continue;
    let module = first[1];
    if (WORKSPACES.includes(module)) module = pkgJson(module).name;
    const only = /only in ((?:`[^`]+`(?:,\s*|\s+and\s+|\s+or\s+)?)+)/.exec(item);
    rules.push({ module, only: only ? [...only[1].matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/^src\//, "")) : null, text: item.trim() });
  }
  return rules;
}

/** The May import line of a section (the first line starting with "- May import:", joined with its continuation lines). */
function mayImportLine(section) {
  const lines = section.split("\n");
  const i = lines.findIndex((l) => l.startsWith("- May import:"));
  if (i < 0) return null;
  let line = lines[i];
  for (let j = i + 1; j < lines.length && /^ {2,}\S/.test(lines[j]); j++) line += " " + lines[j].trim();
  return line;
}

function sources(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|tsx|mts|cts|mjs|js)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** Every module specifier a source file imports: { spec, typeOnly, line }. Reads the syntax tree, so text inside strings is not an import. */
export function importsOf(fileName, text) {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, fileName.endsWith("x") ? ts.ScriptKind.TSX : undefined);
  const out = [];
  const add = (lit, typeOnly) => {
    if (lit && ts.isStringLiteralLike(lit)) out.push({ spec: lit.text, typeOnly, line: sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1 });
  };
  const stack = [sf];
  while (stack.length) {
    const node = stack.pop();
    if (ts.isImportDeclaration(node)) {
      const c = node.importClause;
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!c.namedBindings && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal, true);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require")) add(node.arguments[0], false);
    }
    node.forEachChild((c) => void stack.push(c));
  }
  return out;
}

const isRelative = (spec) => spec.startsWith(".") || spec.startsWith("/");
const isBuiltin = (spec) => spec.startsWith("node:") || BUILTINS.has(spec.split("/")[0]);
const packageOf = (spec) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
const matches = (rule, spec) => (rule.module === "node:*" ? isBuiltin(spec) : spec === rule.module || spec.startsWith(rule.module + "/"));

/** The layering violations of one package (an array of messages that say how to fix each). */
export function violations(ws, rules, files) {
  const pkg = pkgJson(ws);
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]);
  if (pkg.engines?.vscode) declared.add("vscode"); // provided by the editor that loads the extension
  const allowed = rules.map((r) => `\`${r.module}\`${r.only ? ` (only in ${r.only.map((o) => `src/${o}`).join(", ")})` : ""}`).join(", ") || "nothing";
  const out = [];
  for (const { file, text } of files) {
    const relSrc = relative(join(root, ws, "src"), file).split("\\").join("/");
    const where = relative(root, file).split("\\").join("/");
    for (const { spec, typeOnly, line } of importsOf(file, text)) {
      if (isRelative(spec)) {
        const target = relative(join(root, ws), join(dirname(file), spec)).split("\\").join("/");
        if (target.startsWith("..")) out.push(`${where}:${line} imports ${spec}, a path outside ${ws}/. Import the other package by its name (and allow it on ${ws}'s May import line in ${DOC}), never through a relative path.`);
        continue;
      }
      const rule = rules.find((r) => matches(r, spec));
      if (!rule) {
        out.push(`${where}:${line} imports ${spec}, which the May import line of "### \`${ws}/\`" in ${DOC} does not allow (it allows: ${allowed}). Remove the import, or, if ${ws} is meant to depend on it, add \`${isBuiltin(spec) ? "node:*" : packageOf(spec)}\` to that line in the same commit, saying why.`);
        continue;
      }
      if (rule.only && !typeOnly && !rule.only.some((o) => relSrc === o || relSrc.startsWith(o.replace(/\/?$/, "/")))) {
        out.push(`${where}:${line} imports ${spec} (a value import), which ${DOC} allows in ${ws} only in ${rule.only.map((o) => `src/${o}`).join(", ")}. Move this use there (or make it \`import type\`), or change the "only in" list on ${ws}'s May import line, saying why.`);
      }
      if (!isBuiltin(spec) && !declared.has(packageOf(spec)) && packageOf(spec) !== pkg.name) {
        const version = WORKSPACE_OF.has(packageOf(spec)) ? pkgJson(WORKSPACE_OF.get(packageOf(spec))).version : "<version>";
        out.push(`${where}:${line} imports ${spec}, but ${ws}/package.json does not declare ${packageOf(spec)}. Add "${packageOf(spec)}": "${version}" to its "dependencies" and run \`npm install\` (commit package-lock.json too).`);
      }
    }
  }
  return out;
}

const SECTIONS = sections(docText);

test("every workspace package has a section with a May import line in docs/ARCHITECTURE.md", () => {
  const missing = [];
  for (const ws of WORKSPACES) {
    const s = SECTIONS.get(ws);
    if (!s) missing.push(`${ws}: no "### \`${ws}/\`" heading in ${DOC}. Add a section for it (job, "- May import:" line, invariants).`);
    else if (!mayImportLine(s)) missing.push(`${ws}: its section in ${DOC} has no "- May import:" line. Add one listing the packages its src/ imports.`);
  }
  assert.deepEqual(missing, []);
});

test("every import of every package's src/ is allowed by its May import line and declared in its package.json", () => {
  const all = [];
  let scanned = 0;
  for (const ws of WORKSPACES) {
    const s = SECTIONS.get(ws);
    const line = s && mayImportLine(s);
    if (!line) continue;
    const files = sources(join(root, ws, "src")).map((file) => ({ file, text: readFileSync(file, "utf8") }));
    scanned += files.length;
    all.push(...violations(ws, parseMayImport(line), files));
  }
  assert.ok(scanned > 100, `scanned only ${scanned} files`);
  assert.deepEqual(all, [], `\n${all.join("\n")}\n`);
});

test("the checker catches what it should (a disallowed package, an undeclared one, a value import outside its only-in paths, a relative path out of the package)", () => {
  const rules = parseMayImport("- May import: `protocol`, `node:*` (only in `src/node/`), `@swc/core` (its parser, only in `src/parsed-file.ts` and `src/guard.ts`), `undeclared-pkg`.");
  assert.deepEqual(rules.map((r) => [r.module, r.only]), [["@reprise/protocol", null], ["node:*", ["node/"]], ["@swc/core", ["parsed-file.ts", "guard.ts"]], ["undeclared-pkg", null]]);
  const file = (rel, text) => ({ file: join(root, "analyzer", "src", rel), text });
  const found = violations("analyzer", rules, [
    file("a.ts", 'import { x } from "@reprise/protocol"; import "lodash";'),
    file("b.ts", 'import { readFileSync } from "node:fs"; import type { Stats } from "node:fs";'),
    file("node/c.ts", 'import { readFileSync } from "node:fs";'),
    file("d.ts", 'import { parseSync } from "@swc/core"; import type { Module } from "@swc/core";'),
    file("parsed-file.ts", 'import { parseSync } from "@swc/core";'),
    file("e.ts", 'const s = `import x from "lodash"`; export const y = await import("undeclared-pkg");'),
    file("f.ts", 'import { z } from "../../cli/src/main.js";'),
  ]);
  assert.equal(found.length, 5, found.join("\n"));
  assert.match(found[0], /a\.ts:1 imports lodash, which the May import line/);
  assert.match(found[1], /b\.ts:1 imports node:fs \(a value import\)/);
  assert.match(found[2], /d\.ts:1 imports @swc\/core \(a value import\), which docs\/ARCHITECTURE\.md allows in analyzer only in src\/parsed-file\.ts, src\/guard\.ts/);
  assert.match(found[3], /e\.ts:1 imports undeclared-pkg, but analyzer\/package\.json does not declare/);
  assert.match(found[4], /f\.ts:1 imports \.\.\/\.\.\/cli\/src\/main\.js, a path outside analyzer\//);
});

test("the runtime/src module map lists every Rust module, and names only modules that exist", () => {
  const map = /#### `runtime\/src` module map\n([\s\S]*?)(?=^#{1,4} )/m.exec(docText);
  assert.ok(map, `${DOC} has no "#### \`runtime/src\` module map" heading under "### \`runtime/\`"`);
  const listed = new Set([...map[1].matchAll(/^\|\s*`([^`]+)`/gm)].map((m) => m[1].replace(/\/$/, "")));
  const dir = join(root, "runtime", "src");
  const actual = readdirSync(dir).filter((n) => n.endsWith(".rs") || statSync(join(dir, n)).isDirectory()).map((n) => n.replace(/\.rs$/, (x) => x));
  const problems = [];
  for (const n of actual) if (!listed.has(n)) problems.push(`runtime/src/${n} is not in the module map of ${DOC}: add a row "| \`${n}\` | <what it does, in one line> |" to it.`);
  for (const n of listed) if (!existsSync(join(dir, n))) problems.push(`the module map of ${DOC} lists \`${n}\`, which is not in runtime/src: remove or rename its row.`);
  assert.deepEqual(problems, []);
});

test("every repository path docs/ARCHITECTURE.md names exists", () => {
  const missing = [];
  const bases = ["", ...WORKSPACES, "runtime", "runtime/sdk", "docs"];
  /** Every file and folder path under a folder (relative to it), skipping build output. */
  const treeCache = new Map();
  const tree = (dir) => {
    if (!treeCache.has(dir)) {
      const out = [];
      const walk = (d) => {
        for (const name of readdirSync(d)) {
          if (name === "node_modules" || name === "dist" || name === "target" || name.startsWith(".")) continue;
          const p = join(d, name);
          out.push(relative(dir, p).split("\\").join("/"));
          if (statSync(p).isDirectory()) walk(p);
        }
      };
      walk(join(root, dir));
      treeCache.set(dir, out);
    }
    return treeCache.get(dir);
  };
  // A name without a folder, or a path relative to somewhere inside the section's folder (`internal/host.ts`),
  // counts when some path under the section's folder ends with it.
  const under = (section, p) => tree(section === "(top)" ? "" : section).some((q) => q === p.replace(/\/$/, "") || q.endsWith("/" + p.replace(/\/$/, "")));
  for (const [section, text] of [["(top)", docText.split(/^## Code map/m)[0]], ...SECTIONS]) {
    for (const m of text.matchAll(/`([A-Za-z0-9_.\-]+(?:\/[A-Za-z0-9_.\-*]+)+\/?|[A-Za-z0-9_\-]+\.(?:ts|rs|mjs|md|json))`/g)) {
      const p = m[1];
      if (p.includes("*") || p.startsWith("@") || p.startsWith("reprise/") || p.startsWith("node:") || p.startsWith("encore.dev/") || /^\.reprise|<|dist\//.test(p)) continue;
      const base = section === "(top)" ? bases : [section, ...bases];
      if (!base.some((b) => existsSync(join(root, b, p))) && !under(section, p)) missing.push(`${DOC} (${section}) names \`${p}\`, which does not exist (a name is looked up from the repository root, then under the section's folder). Write it as a path from the repository root, fix it, or remove the reference.`);
    }
  }
  assert.deepEqual(missing, []);
});

test("every .md document the repository's code and docs name exists", () => {
  const missing = [];
  const SKIP = new Set(["node_modules", "dist", "target", "out", ".git", ".reprise"]);
  const walk = (dir, out = []) => {
    for (const name of readdirSync(join(root, dir))) {
      if (SKIP.has(name) || name.startsWith(".")) continue;
      const rel = dir ? `${dir}/${name}` : name;
      if (statSync(join(root, rel)).isDirectory()) {
        if (rel !== "docs/diagnostics" && !rel.includes("/fixtures")) walk(rel, out);
      } else if (/\.(md|ts|mts|mjs|js|rs|sh|lua|toml)$/.test(name) && !name.endsWith(".d.ts")) out.push(rel);
    }
    return out;
  };
  for (const file of walk("")) {
    const text = readFileSync(join(root, file), "utf8");
    for (const m of text.matchAll(/(?<![\w/.\-<>$])((?:\.\.?\/)*(?:[\w.\-]+\/)*[\w.\-]+\.md)\b/g)) {
      const p = m[1];
      if (/RP[\dx]{4}\.md$/.test(p) || p.includes("out/")) continue; // generated pages (RP1234.md, RP41xx.md) and bench output
      const candidates = [p, join(dirname(file), p), join("docs", p), join("docs", "diagnostics", p)]; // the last: links the generator writes into docs/diagnostics/
      if (!candidates.some((c) => existsSync(join(root, c)))) {
        const line = text.slice(0, m.index).split("\n").length;
        missing.push(`${file}:${line} names ${p}, which is not in the repository. Point it at a document that is (docs/*.md), or remove the reference.`);
      }
    }
  }
  assert.deepEqual(missing, [], `\n${missing.join("\n")}\n`);
});

test("one module loads the runtime addon: runtime/sdk/src/internal/native.ts (no other src/ reads its variables or loads a .node file)", () => {
  const LOADER = "runtime/sdk/src/internal/native.ts";
  const found = [];
  for (const ws of WORKSPACES) {
    for (const file of sources(join(root, ws, "src"))) {
      const rel = relative(root, file).split("\\").join("/");
      if (rel === LOADER) continue;
      const text = readFileSync(file, "utf8");
      text.split("\n").forEach((line, i) => {
        if (/process\.env\.REPRISE_NATIVE|process\.dlopen|require\([^)]*\.node\b/.test(line) && !/^\s*(\/\/|\*)/.test(line)) {
          found.push(`${rel}:${i + 1} loads the runtime addon (or reads its path variables) itself. Import \`native()\` from ${LOADER} instead (two loaders can load two copies of the addon, each with its own statics).`);
        }
      });
    }
  }
  assert.deepEqual(found, []);
});
