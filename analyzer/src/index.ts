/**
 * @reprise/analyzer: app files in, app model + diagnostics out. Pure (no IO); the Node-side loader lives in the
 * separate `@reprise/analyzer/node` entry point.
 */
import type { AppModel } from "@reprise/protocol";
import { Analyzer, type AnalyzerOptions, type SourceInput } from "./analyzer.js";
import { coreDiagnostics } from "./diagnostics/catalogue.js";
import type { DiagnosticDefinition } from "./diagnostics/define.js";
import { schemaDiagnostics } from "./diagnostics/schema.js";
import { sqlDiagnostics } from "./diagnostics/sql.js";

export { Analyzer, parseLimitsOf, type AnalysisResult, type AnalyzerOptions, type SourceInput } from "./analyzer.js";
export { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_NESTING_DEPTH, MAX_NESTING_DEPTH_CEILING, measureNesting } from "./guard.js";
export { IN_PROCESS_PARSER, NativeParserCrash, ParsedFile, type ParserHost, type SwcParseOptions } from "./parsed-file.js";
export { makeDiagnostic, type DiagnosticDefinition } from "./diagnostics/define.js";
export { SQL as SQL_DIAGNOSTICS, sqlDiagnostics } from "./diagnostics/sql.js";
/** The catalogue's definitions by name (`DIAGNOSTICS.FileTooDeep.code`): other packages refer to a code through these, never by writing it. */
export { D as DIAGNOSTICS } from "./diagnostics/catalogue.js";
export { SCHEMA as SCHEMA_DIAGNOSTICS } from "./diagnostics/schema.js";
export { RIGHT_EXAMPLES as diagnosticRightExamples } from "./diagnostics/examples.js";
export { isAppRootMarker, clientIdent } from "./sdk.js";
export { inDeclarationZone, onBinding } from "./zones.js";
export { OPTION_SPECS, type OptionSpec, type OptionsOf } from "./resources/options.js";
export { configNameSites, RUNTIME_CONFIG_FILES, type ConfigNameSite } from "./config-names.js";
export { nameProblem } from "./name-rules.js";
export { appSdkFamily, camelIdent, scaffold, SCAFFOLD_KINDS, type ScaffoldFiles, type ScaffoldKind, type ScaffoldRequest, type ScaffoldResult } from "./scaffold.js";
export type { SqlQuery } from "./link/infra.js";
export type { SqlQueryFacts, SqlRowField, SqlSegment } from "./sql-query.js";

/** Every diagnostic code: the core catalogue, the schema builder's RP3xxx codes and @reprise/sqlcheck's RP41xx codes. */
export const diagnosticCatalogue: readonly DiagnosticDefinition[] = Object.freeze(
  [...coreDiagnostics, ...schemaDiagnostics, ...sqlDiagnostics].sort((a, b) => (a.code < b.code ? -1 : 1)),
);

/** One-shot analysis of a full set of files. */
export function analyze(files: SourceInput[], options?: AnalyzerOptions): AppModel {
  return new Analyzer(options).setFiles(files).model;
}
