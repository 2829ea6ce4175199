/**
 * What a conversion step needs to know and where it writes: the file the type is written in, the type
 * parameters in scope, and the accumulator of the declaration being converted (files read, diagnostics,
 * instances used). Kept apart from the converter so builtins and the converter share it without a cycle.
 */
import type { Diagnostic } from "@reprise/protocol";
import type { Span } from "@swc/core";
import type { DiagnosticDefinition } from "../diagnostics/define.js";
import { makeDiagnostic } from "../diagnostics/define.js";
import type { ParsedFile } from "../parsed-file.js";
import type { DeclNode, Resolver } from "./scope.js";
import type { Ty } from "./ir.js";

export interface Acc {
  /** Files whose declarations (or import/export tables) were read. */
  deps: Set<string>;
  diags: Diagnostic[];
  /** Instances referenced or expanded; their diagnostics and dependencies belong to whoever uses this. */
  uses: Set<string>;
  /** A module did not resolve: any new file may change that, so the result is dropped on every invalidation. */
  fragile: boolean;
}

export interface Ctx {
  file: string;
  env: Map<string, Ty>;
  acc: Acc;
}

export interface Registry {
  getFile(file: string): ParsedFile | undefined;
  resolver(acc: Acc): Resolver;
  /** Returns the id of the instance of `name<args>` declared in `file`, converting it first if needed. */
  instantiate(file: string, name: string, decl: DeclNode, args: Ty[], acc: Acc): string;
  /** The converted type of an instance, or null while it is still being converted (a cycle). */
  instanceType(id: string, acc: Acc): Ty | null;
  defNameOf(id: string): string;
}

export function newAcc(): Acc {
  return { deps: new Set(), diags: [], uses: new Set(), fragile: false };
}

export function report(reg: Registry, ctx: Ctx, def: DiagnosticDefinition, span: Span, message: string): void {
  const pf = reg.getFile(ctx.file);
  const range = pf ? pf.rangeOf(span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  ctx.acc.diags.push(makeDiagnostic(def, ctx.file, range, message));
}

/** The source text of a node, shortened for messages (never a dump of the AST). */
export function textOf(reg: Registry, ctx: Ctx, span: Span): string {
  const pf = reg.getFile(ctx.file);
  const text = pf ? pf.textOf(span).replace(/\s+/g, " ").trim() : "";
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The `/** … *\/` or `//` comment block directly above a node, as plain text. */
export function docAbove(pf: ParsedFile, offset: number): string | null {
  const text = pf.text;
  let i = offset - 1;
  while (i >= 0 && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i--;
  if (i < 1) return null;
  if (text[i] === "/" && text[i - 1] === "*") {
    const start = text.lastIndexOf("/**", i - 1);
    if (start < 0 || text.indexOf("*/", start) !== i - 1) return null;
    const body = text
      .slice(start + 3, i - 1)
      .split(/\r?\n/)
      .map((l) => l.replace(/^\s*\*?\s?/, "").trimEnd())
      .join("\n")
      .trim();
    return body.length ? body : null;
  }
  const lines: string[] = [];
  let end = i + 1;
  for (;;) {
    const lineStart = text.lastIndexOf("\n", end - 1) + 1;
    const line = text.slice(lineStart, end);
    const m = /^\s*\/\/\s?(.*)$/.exec(line);
    if (!m) break;
    lines.unshift(m[1].trimEnd());
    if (lineStart === 0) break;
    end = lineStart - 1;
    if (end > 0 && text[end - 1] === "\r") end--;
  }
  return lines.length ? lines.join("\n").trim() || null : null;
}
