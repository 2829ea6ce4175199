/**
 * Renders the diagnostics docs from the catalogue: docs/diagnostics.md (the index) and one page per code,
 * docs/diagnostics/RPxxxx.md. Both are generated (`npm run docs:diagnostics -w @reprise/analyzer`); a test checks
 * they are up to date. The language server links each diagnostic to its page (LSP `codeDescription.href`).
 */
import type { DiagnosticDefinition } from "./define.js";
import { RIGHT_EXAMPLES, SCHEMA_WRONG } from "./examples.js";

const GROUPS: [string, string][] = [
  ["RP1", "App structure, syntax, options and services"],
  ["RP2", "Endpoints and paths"],
  ["RP3", "Schemas and types"],
  ["RP4", "SQL databases"],
  ["RP5", "Pub/Sub"],
  ["RP6", "Cron jobs"],
  ["RP7", "Secrets and buckets"],
  ["RP8", "Auth, gateway and middleware"],
  ["RP9", "Service clients and calls"],
];

/** Codes no app source can reproduce: they report a failure of Reprise itself, so their pages have no examples. */
export const NO_EXAMPLE: Readonly<Record<string, string>> = {
  RP1002: "No example: any file can trigger it, because RP1002 reports a bug in one of Reprise's resource parsers, not a mistake in the app.",
  RP1007: "No example: RP1007 reports that the native parser process crashed on a file (test/lsp/crash.test.mjs makes one crash on purpose); no valid or invalid TypeScript is meant to cause it.",
};

/** Files of an example app, `path -> text`. */
export type ExampleFiles = Readonly<Record<string, string>>;

/** The page of a code, relative to the docs folder. */
export function diagnosticPagePath(code: string): string {
  return `diagnostics/${code}.md`;
}

export function renderDiagnosticsDoc(catalogue: readonly DiagnosticDefinition[]): string {
  const out = [
    "# Diagnostics",
    "",
    "<!-- Generated from the catalogue, analyzer/src/diagnostics/ (catalogue.ts, schema.ts, sql.ts), by",
    "     `npm run docs:diagnostics -w @reprise/analyzer`. Do not edit by hand. -->",
    "",
    "Every problem Reprise reports has a stable code. Codes are never renumbered. Severities below are the defaults;",
    "override them per code with the analyzer's `severity` option (`\"off\"` silences a code).",
    "",
    "Encore's own parser reports every problem as an error and skips some rules its documentation states. Where",
    "Reprise checks a rule Encore.ts does not enforce (naming formats, cron intervals that do not divide 24h,",
    "`auth: true` without an auth handler, migration numbering, cross-service route overlaps, ...), it reports a",
    "**warning**, so unmodified Encore apps keep passing `reprise check`.",
    "",
    "Each code has its own page under [diagnostics/](diagnostics/) with an example that reports it; the editor links",
    "every diagnostic to its page.",
    "",
    `${catalogue.length} codes.`,
    "",
  ];
  for (const [prefix, title] of GROUPS) {
    const defs = catalogue.filter((d) => d.code.startsWith(prefix));
    if (!defs.length) continue;
    out.push(`## ${prefix}xxx — ${title}`, "", "| Code | Severity | Title |", "|---|---|---|");
    for (const d of defs) out.push(`| [${d.code}](${diagnosticPagePath(d.code)}) | ${d.severity} | ${d.title.replace(/\|/g, "\\|")} |`);
    out.push("");
    for (const d of defs) out.push(`### ${d.code}`, "", `**${d.title}** (${d.severity}) — [page](${diagnosticPagePath(d.code)})`, "", d.docs, "");
  }
  return out.join("\n");
}

function fence(path: string): string {
  if (path.endsWith(".sql")) return "sql";
  if (/\.(app|json)$/.test(path)) return "jsonc";
  return "ts";
}

function renderFiles(files: ExampleFiles): string[] {
  const out: string[] = [];
  for (const [path, text] of Object.entries(files)) out.push(`\`${path}\``, "", "```" + fence(path), text.replace(/\s+$/, ""), "```", "");
  return out;
}

/** The quick-fix sentence of a code's docs paragraph, if it has one. */
function quickFix(d: DiagnosticDefinition): string | null {
  const sentence = d.docs.split(/(?<=\.)\s+/).find((s) => /quick fix/i.test(s));
  return sentence ?? null;
}

/**
 * One code's page. `wrong` defaults to the definition's own example; `right` is the definition's. A page without
 * one of them says so (test/docs.test.ts lists such codes).
 */
export function renderDiagnosticPage(d: DiagnosticDefinition, examples: { wrong?: ExampleFiles; wrongOptions?: object } = {}): string {
  const own = d.wrong ?? SCHEMA_WRONG[d.code];
  const wrong = own ?? examples.wrong;
  const right = d.right ?? RIGHT_EXAMPLES[d.code];
  const out = [
    `# ${d.code}: ${d.title}`,
    "",
    `<!-- Generated from the diagnostic catalogue by \`npm run docs:diagnostics -w @reprise/analyzer\`. Do not edit by hand. -->`,
    "",
    `Default severity: **${d.severity}** (override it with the analyzer's \`severity\` option; \`"off"\` silences the code).`,
    "",
    "## What it means and why",
    "",
    d.docs,
    "",
    "## Wrong",
    "",
  ];
  if (NO_EXAMPLE[d.code]) out.push(NO_EXAMPLE[d.code], "");
  else if (wrong) {
    out.push(`This app reports ${d.code}${own ? "" : " (from the analyser's test cases; a `// ^^^` line marks each reported range)"}:`, "");
    if (!own && examples.wrongOptions) out.push(`With the analyser options \`${JSON.stringify(examples.wrongOptions)}\`:`, "");
    out.push(...renderFiles(wrong));
  }
  else out.push("No example app yet.", "");
  out.push("## Right", "");
  if (NO_EXAMPLE[d.code]) out.push("Nothing to change in the app; see above.", "");
  else if (right) out.push(`The same app without ${d.code}:`, "", ...renderFiles(right));
  else out.push("No example app yet; the paragraph above says how to fix it.", "");
  out.push("## Quick fix", "", quickFix(d) ?? "None: fix it by hand as described above.", "", "[All diagnostics](../diagnostics.md)", "");
  return out.join("\n");
}
