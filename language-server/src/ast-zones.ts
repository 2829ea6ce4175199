/**
 * Which part of a declaration counts as "the declaration" for hover and navigation. A model location usually
 * spans the whole `api(...)` / `new Subscription(...)` expression, handler included; answering a hover inside
 * the handler body with the endpoint card would drown the TypeScript server's own answers. So positions inside a
 * function nested in the declaration are excluded. Works on the swc AST of the analyzer's parsed file; without an
 * AST (syntax error) only the declaration's first line counts.
 */
import type { Position, Range } from "@reprise/protocol";
import { contains } from "./model-index.js";

interface Span {
  start: number;
  end: number;
}

/** The parts of the analyzer's ParsedFile this module reads. */
export interface ParsedFileLike {
  readonly text: string;
  readonly module: unknown;
  offsetOf(swcPos: number): number;
  offsetAt(position: Position): number;
}

const FUNCTION_NODES = new Set(["ArrowFunctionExpression", "FunctionExpression", "FunctionDeclaration", "ClassMethod", "MethodProperty"]);

function spanOf(node: unknown): Span | undefined {
  const span = (node as { span?: Span } | null)?.span;
  return span && typeof span.start === "number" && typeof span.end === "number" ? span : undefined;
}

/** True when `offset` lies inside a function whose start is at or after `from` (a UTF-16 offset). */
function insideNestedFunction(parsed: ParsedFileLike, node: unknown, from: number, to: number, offset: number, budget: { n: number }): boolean {
  if (!node || typeof node !== "object" || --budget.n < 0) return false;
  if (Array.isArray(node)) {
    for (const child of node) if (insideNestedFunction(parsed, child, from, to, offset, budget)) return true;
    return false;
  }
  const span = spanOf(node);
  if (span) {
    const start = parsed.offsetOf(span.start);
    const end = parsed.offsetOf(span.end);
    if (offset < start || offset > end) return false;
    const type = (node as { type?: string }).type;
    if (type && FUNCTION_NODES.has(type) && start >= from && end <= to) return true;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === "span" || key === "ctxt" || !value || typeof value !== "object") continue;
    if (insideNestedFunction(parsed, value, from, to, offset, budget)) return true;
  }
  return false;
}

export function inDeclarationZone(parsed: ParsedFileLike | undefined, declaration: Range, position: Position): boolean {
  if (!contains(declaration, position)) return false;
  if (!parsed?.module) return position.line === declaration.start.line;
  const from = parsed.offsetAt(declaration.start);
  const to = parsed.offsetAt(declaration.end);
  const offset = parsed.offsetAt(position);
  return !insideNestedFunction(parsed, parsed.module, from, to, offset, { n: 200000 });
}

/**
 * True on the `export const name = ` that binds a declaration starting at `declaration.start` (model locations
 * begin at the call, but users hover and navigate from the name).
 */
export function onBinding(parsed: ParsedFileLike | undefined, declaration: Range, position: Position): boolean {
  if (!parsed || position.line !== declaration.start.line || position.character >= declaration.start.character) return false;
  const lineStart = parsed.offsetAt({ line: position.line, character: 0 });
  const prefix = parsed.text.slice(lineStart, lineStart + declaration.start.character);
  return /^\s*(export\s+)?(default\s+)?((const|let|var)\s+[\w$]+\s*(:[^=]*)?=\s*)?$/.test(prefix);
}
