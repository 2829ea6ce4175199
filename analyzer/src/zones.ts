/**
 * Which part of a declaration counts as "the declaration" for hover and navigation. A model location usually
 * spans the whole `api(...)` / `new Subscription(...)` expression, handler included; answering a hover inside
 * the handler body with the endpoint card would drown the TypeScript server's own answers. So positions inside a
 * function nested in the declaration are excluded. Works on the swc AST of a parsed file, which only the analyser
 * walks (the language server asks these questions and never sees swc's tree); without an AST (syntax error) only
 * the declaration's first line counts.
 */
import type { Position, Range } from "@reprise/protocol";
import type { ParsedFile } from "./parsed-file.js";

interface Span {
  start: number;
  end: number;
}

const FUNCTION_NODES = new Set(["ArrowFunctionExpression", "FunctionExpression", "FunctionDeclaration", "ClassMethod", "MethodProperty"]);
/** Nodes visited at most per question (a file the guard cleared has far fewer on the path to one offset). */
const NODE_BUDGET = 200_000;

function spanOf(node: unknown): Span | undefined {
  const span = (node as { span?: Span } | null)?.span;
  return span && typeof span.start === "number" && typeof span.end === "number" ? span : undefined;
}

function contains(r: Range, p: Position): boolean {
  if (p.line < r.start.line || p.line > r.end.line) return false;
  if (p.line === r.start.line && p.character < r.start.character) return false;
  if (p.line === r.end.line && p.character > r.end.character) return false;
  return true;
}

/** True when `offset` lies inside a function whose start is at or after `from` (UTF-16 offsets). Explicit stack. */
function insideNestedFunction(parsed: ParsedFile, root: unknown, from: number, to: number, offset: number): boolean {
  const stack: unknown[] = [root];
  let budget = NODE_BUDGET;
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== "object" || --budget < 0) {
      if (budget < 0) return false;
      continue;
    }
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    const span = spanOf(node);
    if (span) {
      const start = parsed.offsetOf(span.start);
      const end = parsed.offsetOf(span.end);
      if (offset < start || offset > end) continue;
      const type = (node as { type?: string }).type;
      if (type && FUNCTION_NODES.has(type) && start >= from && end <= to) return true;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "span" || key === "ctxt" || !value || typeof value !== "object") continue;
      stack.push(value);
    }
  }
  return false;
}

/** True when `position` is inside `declaration` but not inside a function nested in it. */
export function inDeclarationZone(parsed: ParsedFile | undefined, declaration: Range, position: Position): boolean {
  if (!contains(declaration, position)) return false;
  if (!parsed?.module) return position.line === declaration.start.line;
  const from = parsed.offsetAt(declaration.start);
  const to = parsed.offsetAt(declaration.end);
  const offset = parsed.offsetAt(position);
  return !insideNestedFunction(parsed, parsed.module, from, to, offset);
}

/**
 * True on the `export const name = ` that binds a declaration starting at `declaration.start` (model locations
 * begin at the call, but users hover and navigate from the name).
 */
export function onBinding(parsed: ParsedFile | undefined, declaration: Range, position: Position): boolean {
  if (!parsed || position.line !== declaration.start.line || position.character >= declaration.start.character) return false;
  const lineStart = parsed.offsetAt({ line: position.line, character: 0 });
  const prefix = parsed.text.slice(lineStart, lineStart + declaration.start.character);
  return /^\s*(export\s+)?(default\s+)?((const|let|var)\s+[\w$]+\s*(:[^=]*)?=\s*)?$/.test(prefix);
}
