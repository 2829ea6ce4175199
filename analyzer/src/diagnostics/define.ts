/**
 * The shape of a diagnostic definition. Every condition the analyser reports has one definition with a stable,
 * literal code (never numbered by registration order); the catalogue (catalogue.ts) collects them all and the
 * docs page (docs/diagnostics.md) is generated from it.
 *
 * Code ranges: RP1xxx app structure, syntax, services and imports · RP2xxx endpoints and paths · RP3xxx schemas
 * and types · RP4xxx SQL databases · RP5xxx pub/sub · RP6xxx cron · RP7xxx secrets and buckets · RP8xxx auth,
 * gateway and middleware · RP9xxx service clients and calls.
 */
import type { Diagnostic, Fix, Range, RelatedInformation, Severity } from "@reprise/protocol";

export interface DiagnosticDefinition {
  code: string;
  severity: Severity;
  /** Short title, used in docs and code-action titles. */
  title: string;
  /** A paragraph for docs/diagnostics.md: why it matters and how to fix it. */
  docs: string;
  /**
   * Example files for the code's docs page (docs/diagnostics/RPxxxx.md), as `path -> text`. `wrong` reports the
   * code (when absent, the code's first `.cases` test case is shown); `right` is the corrected app and must not
   * report it (test/docs.test.ts runs both through the analyser).
   */
  wrong?: Readonly<Record<string, string>>;
  right?: Readonly<Record<string, string>>;
}

export function defineDiagnostic(def: DiagnosticDefinition): DiagnosticDefinition {
  if (!/^RP\d{4}$/.test(def.code)) throw new Error(`bad diagnostic code ${def.code}`);
  return Object.freeze(def);
}

export function makeDiagnostic(
  def: DiagnosticDefinition,
  file: string,
  range: Range,
  message: string,
  extras: { related?: RelatedInformation[]; fixes?: Fix[]; severity?: Severity } = {},
): Diagnostic {
  return {
    code: def.code,
    severity: extras.severity ?? def.severity,
    message,
    file,
    range,
    related: extras.related ?? [],
    fixes: extras.fixes ?? [],
  };
}
