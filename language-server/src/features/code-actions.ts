/**
 * Code actions are the analyzer's own fixes (quick fixes such as "make the path start with /" or "rename the
 * subscription to kebab-case"), offered for every analyzer diagnostic that overlaps the requested range.
 */
import type { CodeAction, CodeActionContext, Diagnostic as LspDiagnostic } from "vscode-languageserver/node";
import type { Diagnostic, Range } from "@reprise/protocol";
import type { AppRoot } from "../app-root.js";
import { diagnostic as toLspDiagnostic, quickFix, quickFixRequested } from "../to-proto.js";

function before(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

export function overlaps(a: Range, b: Range): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}

const sameRange = (a: Range, b: Range) =>
  a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

/** `canCreateFiles`: the client applies `create` file operations (fixes that create a file are left out otherwise). */
export function codeActions(root: AppRoot, file: string, requested: Range, context: CodeActionContext, canCreateFiles = false): CodeAction[] {
  if (!quickFixRequested(context.only)) return [];
  const diags: Diagnostic[] = root.analyzer.result.diagnosticsByFile.get(file) ?? [];
  const out: CodeAction[] = [];
  for (const d of diags) {
    if (!d.fixes.length || !overlaps(d.range, requested)) continue;
    const sent: LspDiagnostic =
      context.diagnostics.find((c) => c.code === d.code && sameRange(c.range, d.range)) ?? toLspDiagnostic(root.uri, d);
    for (const fix of d.fixes) if (canCreateFiles || !fix.edits.some((e) => e.create)) out.push(quickFix(root.uri, fix, [sent]));
  }
  return out;
}
