/**
 * The one place where analyzer / app-model values become LSP values (and root-relative paths become URIs).
 * Everything else in the server works on the analyzer's plain types; only this module knows LSP's shapes.
 */
import {
  CodeAction,
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  MarkupKind,
  SymbolKind,
  type Hover,
  type Diagnostic as LspDiagnostic,
  type Location as LspLocation,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver/node";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { URI, Utils } from "vscode-uri";
import type { Diagnostic, Fix, Location, Range, Severity } from "@reprise/protocol";
import type { Entity } from "./model-index.js";

export const DIAGNOSTIC_SOURCE = "reprise";

/** URI of a root-relative path ("/" separators) under the root folder URI. */
export function fileUri(rootUri: URI, file: string): string {
  if (!file) return rootUri.toString();
  return Utils.joinPath(rootUri, ...file.split("/")).toString();
}

/**
 * The folder of the per-code docs pages (docs/diagnostics/RPxxxx.md): beside the bundled server in the extension
 * (dist/docs/diagnostics, shipped in the .vsix so the link works offline), or the repository's docs/ when the
 * server runs from language-server/dist/src or its bundle. Null when neither exists (then diagnostics carry no link).
 */
function findDocsDir(): URI | null {
  // The module may sit in a bundle's chunks/ folder: look in its folder and up to four above it.
  for (const rel of ["./", "../", "../../", "../../../", "../../../../"]) {
    const url = new URL(`${rel}docs/diagnostics/`, import.meta.url);
    if (url.protocol === "file:" && existsSync(fileURLToPath(url))) return URI.file(fileURLToPath(url));
  }
  return null;
}
let docsDir: URI | null | undefined;

/** The `file://` URI of a code's docs page, if the page exists. */
export function diagnosticDocsHref(code: string): string | null {
  if (docsDir === undefined) docsDir = findDocsDir();
  if (!docsDir || !/^RP\d{4}$/.test(code)) return null;
  const page = Utils.joinPath(docsDir, `${code}.md`);
  return existsSync(page.fsPath) ? page.toString() : null;
}

export function severity(s: Severity): DiagnosticSeverity {
  switch (s) {
    case "error":
      return DiagnosticSeverity.Error;
    case "warning":
      return DiagnosticSeverity.Warning;
    case "info":
      return DiagnosticSeverity.Information;
    default:
      return DiagnosticSeverity.Hint;
  }
}

export function range(r: Range): Range {
  return { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
}

export function location(rootUri: URI, loc: Location): LspLocation {
  return { uri: fileUri(rootUri, loc.file), range: range(loc.range) };
}

export function diagnostic(rootUri: URI, d: Diagnostic): LspDiagnostic {
  const out: LspDiagnostic = {
    range: range(d.range),
    severity: severity(d.severity),
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    message: d.message,
  };
  const href = diagnosticDocsHref(d.code);
  if (href) out.codeDescription = { href };
  if (d.related.length) {
    out.relatedInformation = d.related.map((r) => ({ location: location(rootUri, r.location), message: r.message }));
  }
  return out;
}

export function workspaceEdit(rootUri: URI, fix: Pick<Fix, "edits">): WorkspaceEdit {
  if (fix.edits.some((e) => e.create)) {
    // New files first (each created, then filled), then one versionless TextDocumentEdit per existing file
    // holding all of that file's edits: the edits of one TextDocumentEdit all refer to the file before any of them.
    const documentChanges: NonNullable<WorkspaceEdit["documentChanges"]> = [];
    const byFile = new Map<string, LspTextEdit[]>();
    for (const e of fix.edits) {
      const uri = fileUri(rootUri, e.file);
      if (e.create) documentChanges.push({ kind: "create", uri, options: { ignoreIfExists: true } });
      let list = byFile.get(uri);
      if (!list) byFile.set(uri, (list = []));
      list.push({ range: range(e.range), newText: e.newText });
    }
    for (const [uri, edits] of byFile) documentChanges.push({ textDocument: { uri, version: null }, edits });
    return { documentChanges };
  }
  const changes: Record<string, LspTextEdit[]> = {};
  for (const e of fix.edits) {
    const uri = fileUri(rootUri, e.file);
    (changes[uri] ??= []).push({ range: range(e.range), newText: e.newText });
  }
  return { changes };
}

export function quickFix(rootUri: URI, fix: Fix, diagnostics: LspDiagnostic[]): CodeAction {
  const action = CodeAction.create(fix.title, workspaceEdit(rootUri, fix), CodeActionKind.QuickFix);
  action.diagnostics = diagnostics;
  if (fix.isPreferred) action.isPreferred = true;
  return action;
}

/** True when a code action request's `only` filter admits quick fixes (no filter admits everything). */
export function quickFixRequested(only: readonly string[] | undefined): boolean {
  return !only || only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + ".") || k === "");
}

const SYMBOL_KIND: Record<Entity["kind"], SymbolKind> = {
  service: SymbolKind.Module,
  endpoint: SymbolKind.Method,
  topic: SymbolKind.Event,
  subscription: SymbolKind.Function,
  cron: SymbolKind.Event,
  database: SymbolKind.Struct,
  bucket: SymbolKind.Object,
  secret: SymbolKind.Key,
  authHandler: SymbolKind.Function,
  gateway: SymbolKind.Interface,
  call: SymbolKind.Function,
  publish: SymbolKind.Event,
};

/** The LSP symbol kind shown for a model entity in the outline and workspace symbols. */
export function symbolKind(kind: Entity["kind"]): SymbolKind {
  return SYMBOL_KIND[kind];
}

/** What a completion item offers: an option's value or key in a resource's options, a SQL table or column. */
export type CompletionWhat = "optionValue" | "optionKey" | "table" | "column";
const COMPLETION_KIND: Record<CompletionWhat, CompletionItemKind> = {
  optionValue: CompletionItemKind.Value,
  optionKey: CompletionItemKind.Property,
  table: CompletionItemKind.Class,
  column: CompletionItemKind.Field,
};

export function completionKind(what: CompletionWhat): CompletionItemKind {
  return COMPLETION_KIND[what];
}

/** A hover showing markdown over a model range. */
export function markdownHover(value: string, r: Range): Hover {
  return { contents: { kind: MarkupKind.Markdown, value }, range: range(r) };
}
