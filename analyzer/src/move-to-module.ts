/**
 * The quick fix of RP1040 / RP7001 (a resource or secret declared inside a function): move the declaration to the
 * top level of the module, above the top-level statement that holds the function.
 *  - `const x = new Topic(...)` (or `secret(...)`) alone in its statement: the statement moves, dedented;
 *  - any other position (`return new Bucket("made")`): the call moves into `const made = new Bucket("made");`
 *    and the call's place reads `made`.
 * Offered only when the move keeps the code meaning the same names: nothing in the moved code refers to a
 * parameter or local of an enclosing function (or to `this` / `arguments`), and the top-level name is free.
 * Walks use explicit stacks (files can nest deeply up to the guard's limit).
 */
import type { Span } from "@swc/core";
import type { Fix, TextEdit } from "@reprise/protocol";
import { FUNCTION_TYPES, type Node, stringValue, unwrapExpr } from "./ast.js";
import type { ParsedFile } from "./parsed-file.js";
import { camelIdent } from "./scaffold.js";

const isNode = (v: unknown): v is Node => !!v && typeof v === "object";
const contains = (outer: Span, inner: Span) => outer.start <= inner.start && inner.end <= outer.end;

/** The chain of nodes from `root` down to the node with exactly `target`'s span and a call type (root first). */
function pathTo(root: Node, target: Span): Node[] | null {
  const stack: { node: Node; path: Node[] }[] = [{ node: root, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    const here = node.type ? [...path, node] : path;
    if (node.span && (node.type === "CallExpression" || node.type === "NewExpression") && node.span.start === target.start && node.span.end === target.end) return here;
    for (const key in node) {
      if (key === "span" || key === "ctxt") continue;
      const v = node[key];
      if (Array.isArray(v)) {
        for (const item of v) if (isNode(item) && (!item.span || contains(item.span, target))) stack.push({ node: item, path: here });
      } else if (isNode(v) && (!v.span || contains(v.span, target))) stack.push({ node: v, path: here });
    }
  }
  return null;
}

/** Names a binding pattern introduces. */
function patternNames(p: Node): string[] {
  const out: string[] = [];
  const stack = [p];
  while (stack.length) {
    const n = stack.pop();
    if (!isNode(n)) continue;
    switch (n.type) {
      case "Identifier": out.push(n.value); break;
      case "BindingIdentifier": out.push(n.value); break;
      case "Parameter": stack.push(n.pat); break;
      case "ObjectPattern":
        for (const q of n.properties) {
          if (q.type === "AssignmentPatternProperty") out.push(q.key.value);
          else if (q.type === "KeyValuePatternProperty") stack.push(q.value);
          else if (q.type === "RestElement") stack.push(q.argument);
        }
        break;
      case "ArrayPattern": for (const e of n.elements) stack.push(e); break;
      case "AssignmentPattern": stack.push(n.left); break;
      case "RestElement": stack.push(n.argument); break;
      case "TsParameterProperty": stack.push(n.param); break;
    }
  }
  return out;
}

/** Every name declared anywhere inside `fn` (its parameters and any declaration in its body). */
function declaredIn(fn: Node): Set<string> {
  const names = new Set<string>();
  for (const p of fn.params ?? fn.function?.params ?? []) for (const n of patternNames(p)) names.add(n);
  const stack: unknown[] = [fn.body, fn.function?.body];
  while (stack.length) {
    const n = stack.pop();
    if (Array.isArray(n)) {
      stack.push(...n);
      continue;
    }
    if (!isNode(n)) continue;
    if (n.type === "VariableDeclarator") for (const x of patternNames(n.id)) names.add(x);
    if ((n.type === "FunctionDeclaration" || n.type === "ClassDeclaration") && n.identifier?.value) names.add(n.identifier.value);
    if (n.type === "CatchClause" && n.param) for (const x of patternNames(n.param)) names.add(x);
    if (FUNCTION_TYPES.has(n.type) && n !== fn) for (const p of n.params ?? n.function?.params ?? []) for (const x of patternNames(p)) names.add(x);
    for (const key in n) if (key !== "span") stack.push(n[key]);
  }
  return names;
}

/** Identifiers `node` reads (property names and object keys are not reads); `this`/`arguments` as themselves. */
function identifiersUsed(node: Node): Set<string> {
  const used = new Set<string>();
  const stack: unknown[] = [node];
  while (stack.length) {
    const n = stack.pop();
    if (Array.isArray(n)) {
      stack.push(...n);
      continue;
    }
    if (!isNode(n)) continue;
    if (n.type === "Identifier") {
      used.add(n.value);
      continue;
    }
    if (n.type === "ThisExpression") {
      used.add("this");
      continue;
    }
    if (n.type === "MemberExpression") {
      stack.push(n.object);
      if (n.property?.type === "Computed") stack.push(n.property);
      continue;
    }
    if (n.type === "KeyValueProperty") {
      if (n.key?.type === "Computed") stack.push(n.key);
      stack.push(n.value);
      continue;
    }
    for (const key in n) if (key !== "span" && key !== "typeArguments" && key !== "typeAnnotation" && key !== "returnType") stack.push(n[key]);
  }
  return used;
}

/** Names declared at the top level of the module (imports, variables, functions, classes). */
function topLevelNames(module: Node): Set<string> {
  const names = new Set<string>();
  for (const item of module.body) {
    const decl = item.type === "ExportDeclaration" ? item.declaration : item;
    if (item.type === "ImportDeclaration") for (const s of item.specifiers) names.add(s.local.value);
    if (decl?.type === "VariableDeclaration") for (const d of decl.declarations) for (const n of patternNames(d.id)) names.add(n);
    if ((decl?.type === "FunctionDeclaration" || decl?.type === "ClassDeclaration") && decl.identifier?.value) names.add(decl.identifier.value);
  }
  return names;
}

/** The fix, or null when moving could change what the code means (see the module comment). */
export function moveToModuleLevelFix(file: ParsedFile, call: Span, what: string): Fix | null {
  const module = file.module as Node | null;
  if (!module) return null;
  const item: Node | undefined = module.body.find((i: Node) => contains(i.span, call));
  if (!item) return null;
  const path = pathTo(item, call);
  if (!path) return null;
  const callNode = path[path.length - 1];
  const functions = path.filter((n) => FUNCTION_TYPES.has(n.type));
  if (!functions.length) return null;
  const locals = new Set<string>();
  for (const fn of functions) for (const n of declaredIn(fn)) locals.add(n);
  locals.add("arguments");
  locals.add("this");
  const top = topLevelNames(module);

  // `const x = <call>;` as its own statement (inside the innermost function) moves whole.
  const parent = path[path.length - 2];
  const declarator = parent?.type === "VariableDeclarator" && unwrapExpr(parent.init) === callNode ? parent : null;
  const statement = declarator ? path[path.length - 3] : null;
  const wholeStatement = declarator && statement?.type === "VariableDeclaration" && statement.declarations.length === 1 && declarator.id.type === "Identifier";
  // A bare `new Topic(...);` statement moves whole too.
  const bare = parent?.type === "ExpressionStatement" && unwrapExpr(parent.expression) === callNode ? parent : null;

  const lines = file.text.split("\n");
  const itemStart = file.rangeOf(item.span).start.line;
  // Insert above the top-level statement, and above its doc comment or leading comment lines.
  let insertLine = itemStart;
  while (insertLine > 0 && /^\s*(\/\/|\/\*|\*)/.test(lines[insertLine - 1])) insertLine--;
  const at = { line: insertLine, character: 0 };
  const edits: TextEdit[] = [];

  if (wholeStatement) {
    const name: string = declarator.id.value;
    if (top.has(name)) return null;
    locals.delete(name);
    for (const id of identifiersUsed(declarator.init)) if (locals.has(id)) return null;
    const r = file.rangeOf(statement.span);
    const first = lines[r.start.line];
    const last = lines[r.end.line];
    if (first.slice(0, r.start.character).trim() !== "" || last.slice(r.end.character).trim().replace(/^;/, "") !== "") return null;
    const indent = /^\s*/.exec(first)![0];
    let text = file.textOf(statement.span).split("\n").map((l, i) => (i > 0 && l.startsWith(indent) ? l.slice(indent.length) : l)).join("\n");
    if (!text.trimEnd().endsWith(";") && last.slice(r.end.character).trim() === ";") text += ";";
    edits.push({ file: file.path, range: { start: at, end: at }, newText: `${text}\n\n` });
    edits.push({ file: file.path, range: { start: { line: r.start.line, character: 0 }, end: { line: r.end.line + 1, character: 0 } }, newText: "" });
  } else if (bare) {
    for (const id of identifiersUsed(callNode)) if (locals.has(id)) return null;
    const r = file.rangeOf(bare.span);
    if (lines[r.start.line].slice(0, r.start.character).trim() !== "" || lines[r.end.line].slice(r.end.character).trim() !== "") return null;
    edits.push({ file: file.path, range: { start: at, end: at }, newText: `${file.textOf(callNode.span)};\n\n` });
    edits.push({ file: file.path, range: { start: { line: r.start.line, character: 0 }, end: { line: r.end.line + 1, character: 0 } }, newText: "" });
  } else {
    for (const id of identifiersUsed(callNode)) if (locals.has(id)) return null;
    const literal = callNode.arguments?.map((a: Node) => stringValue(a.expression)).find((v: string | null) => v !== null) as string | undefined;
    const base = camelIdent(literal ?? what);
    const taken = (n: string) => top.has(n) || locals.has(n) || new RegExp(`(?<![\\w$])${n}(?![\\w$])`).test(file.text);
    let name = base;
    for (let i = 2; taken(name); i++) name = `${base}${i}`;
    const r = file.rangeOf(callNode.span);
    const text = file.textOf(callNode.span);
    edits.push({ file: file.path, range: { start: at, end: at }, newText: `const ${name} = ${text};\n\n` });
    edits.push({ file: file.path, range: r, newText: name });
  }
  return { title: `Move this ${what} to the top level of the module`, edits, isPreferred: true };
}
