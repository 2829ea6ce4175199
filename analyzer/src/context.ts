/**
 * Per-file extraction context handed to every resource parser: the parsed file, its import table and a
 * diagnostic sink. Parsers only ever see one file; cross-file questions are answered in the link step.
 */
import type { Diagnostic, Fix, Range, RelatedInformation, Severity, TextEdit } from "@reprise/protocol";
import type { Span } from "@swc/core";
import { makeDiagnostic, type DiagnosticDefinition } from "./diagnostics/define.js";
import type { ParsedFile } from "./parsed-file.js";

export class FileContext {
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly file: ParsedFile) {}

  get path(): string {
    return this.file.path;
  }

  range(span: Span): Range {
    return this.file.rangeOf(span);
  }

  report(
    def: DiagnosticDefinition,
    at: Span | Range,
    message: string,
    extras: { related?: RelatedInformation[]; fixes?: Fix[]; severity?: Severity } = {},
  ): void {
    const range = "start" in at && typeof at.start === "number" ? this.range(at as Span) : (at as Range);
    this.diagnostics.push(makeDiagnostic(def, this.file.path, range, message, extras));
  }

  /** A fix replacing a span's text. */
  replaceFix(title: string, span: Span, newText: string, isPreferred = true): Fix {
    return { title, edits: [this.edit(span, newText)], isPreferred };
  }

  edit(span: Span, newText: string): TextEdit {
    return { file: this.file.path, range: this.range(span), newText };
  }

  /** An empty span at a swc position (for insertions). */
  static at(pos: number): Span {
    return { start: pos, end: pos, ctxt: 0 } as Span;
  }
}
