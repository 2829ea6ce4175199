/** Renders docs/diagnostics.md from the catalogue (the page is generated; a test checks it is up to date). */
import type { DiagnosticDefinition } from "./define.js";

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

export function renderDiagnosticsDoc(catalogue: readonly DiagnosticDefinition[]): string {
  const out = [
    "# Diagnostics",
    "",
    "<!-- Generated from analyzer/src/diagnostics/catalogue.ts and analyzer/src/schema/diagnostics.ts by",
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
    `${catalogue.length} codes.`,
    "",
  ];
  for (const [prefix, title] of GROUPS) {
    const defs = catalogue.filter((d) => d.code.startsWith(prefix));
    if (!defs.length) continue;
    out.push(`## ${prefix}xxx — ${title}`, "", "| Code | Severity | Title |", "|---|---|---|");
    for (const d of defs) out.push(`| [${d.code}](#${d.code.toLowerCase()}) | ${d.severity} | ${d.title.replace(/\|/g, "\\|")} |`);
    out.push("");
    for (const d of defs) out.push(`### ${d.code}`, "", `**${d.title}** (${d.severity})`, "", d.docs, "");
  }
  return out.join("\n");
}
