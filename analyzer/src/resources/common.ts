/**
 * Helpers shared by resource parsers: name and config arguments, bind checks, locations and doc comments.
 */
import type { Location, Range } from "@reprise/protocol";
import type { Span } from "@swc/core";
import { type Node, stringValue, unwrapExpr } from "../ast.js";
import { D } from "../diagnostics/catalogue.js";
import type { Extractor } from "../extract.js";
import type { DeclBase, ResourceKind } from "../facts.js";
import { describe } from "../literal.js";
import { moveToModuleLevelFix } from "../move-to-module.js";
import type { CallSite } from "./registry.js";

export function loc(x: Extractor, span: Span): Location {
  return { file: x.ctx.path, range: x.ctx.range(span) };
}

export function arg(site: CallSite, i: number): Node | undefined {
  const a = site.args?.[i];
  return a ? a.expression : undefined;
}

/** Reads the string-literal name argument; reports RP1022/RP1023/RP1024. */
export function nameArg(x: Extractor, site: CallSite, i: number, what: string): { name: string; range: Range } | null {
  if (site.isNew && site.args === undefined) {
    x.ctx.report(D.MissingArguments, site.node.span, `new ${site.symbol} needs arguments: the ${what} name${i > 0 ? " and options" : ""}.`);
    return null;
  }
  const a = site.args?.[i];
  if (!a) {
    x.ctx.report(D.MissingName, site.callee.span, `${site.symbol}(...) is missing the ${what} name as argument ${i + 1}; pass it as a string literal.`);
    return null;
  }
  if (a.spread) {
    x.ctx.report(D.NameNotLiteral, a.spread, `The ${what} name must be a string literal, not a spread.`);
    return null;
  }
  const v = stringValue(a.expression);
  if (v === null) {
    x.ctx.report(D.NameNotLiteral, a.expression.span, `The ${what} name must be a string literal, found ${describe(a.expression)}. Names identify infrastructure and are read statically.`);
    return null;
  }
  return { name: v, range: x.ctx.range(unwrapExpr(a.expression).span) };
}

export function base(x: Extractor, site: CallSite, nameRange: Range | null): DeclBase {
  return {
    bindName: site.bindName,
    exported: site.bindName === "default",
    location: loc(x, site.node.span),
    nameRange: nameRange ?? x.ctx.range(site.callee.span),
    bindRange: site.bindSpan && !site.destructured && site.bindName && site.bindName !== "default" ? x.ctx.range(site.bindSpan) : null,
    doc: docComment(x.file.text, site.docOffset),
    inFunction: site.inFunction,
    statementStart: site.bindName && !site.inFunction ? x.file.positionAt(site.docOffset) : null,
  };
}

/** Registers `const name = <resource>` so other files and usages can find it. */
export function bind(x: Extractor, site: CallSite, kind: ResourceKind, index: number): void {
  if (site.destructured && site.bindSpan) {
    x.ctx.report(D.DestructuredBind, site.bindSpan, `Bind the ${kind} to a plain identifier (const name = ...), not a destructuring pattern.`);
    return;
  }
  if (!site.direct) return;
  const ref = { file: x.ctx.path, kind, index };
  if (site.bindName === "default") {
    x.facts.bindings.set("<default>", { type: "resource", ref });
  } else if (site.bindName) {
    x.facts.bindings.set(site.bindName, { type: "resource", ref });
  }
}

/** RP1040 for kinds Encore's docs want at module level. */
export function warnInFunction(x: Extractor, site: CallSite, what: string): void {
  if (site.inFunction) {
    const fix = moveToModuleLevelFix(x.file, site.node.span, what);
    x.ctx.report(D.DeclaredInFunction, site.callee.span, `This ${what} is declared inside a function; declare it once at the top level of the module.`, { fixes: fix ? [fix] : [] });
  }
}

/**
 * The doc comment directly above `offset`: one `/** *\/` block or consecutive `//` lines, with no blank line in
 * between (surface doc §1.1).
 */
export function docComment(text: string, offset: number): string | null {
  let i = offset;
  // Skip back over `export`-less leading whitespace on the same line.
  while (i > 0 && (text[i - 1] === " " || text[i - 1] === "\t")) i--;
  if (i > 0 && text[i - 1] === "\n") i--;
  if (i > 0 && text[i - 1] === "\r") i--;
  const before = text.slice(Math.max(0, i - 4000), i);
  const trimmed = before.replace(/[ \t]+$/, "");
  if (trimmed.endsWith("*/")) {
    const start = trimmed.lastIndexOf("/*");
    if (start < 0 || trimmed[start + 2] !== "*") return null;
    const body = trimmed.slice(start + 3, trimmed.length - 2);
    const lines = body.split(/\r?\n/).map((l) => l.replace(/^\s*\*? ?/, "").trimEnd());
    const doc = lines.join("\n").trim();
    return doc || null;
  }
  const lines = trimmed.split(/\r?\n/);
  const out: string[] = [];
  for (let k = lines.length - 1; k >= 0; k--) {
    const m = /^\s*\/\/ ?(.*)$/.exec(lines[k]);
    if (!m) break;
    out.unshift(m[1].trimEnd());
  }
  const doc = out.join("\n").trim();
  return doc || null;
}
