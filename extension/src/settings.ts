/** Every setting and context key the extension reads, named once (package.json contributes the same ids). */
import * as vscode from "vscode";

export const SECTION = "reprise";

export const Setting = {
  codeLensEnable: "codeLens.enable",
  traceServer: "trace.server",
  diagnosticsSeverity: "diagnostics.severity",
  // Read by the language server through workspace/configuration (the extension passes them through untouched).
  analysisMaxNestingDepth: "analysis.maxNestingDepth",
  analysisMaxFileSize: "analysis.maxFileSize",
  runPort: "run.port",
  runCliPath: "run.cliPath",
  runArgs: "run.args",
  serverPath: "server.path",
  clientOutput: "client.output",
  clientLang: "client.lang",
  clientRegenerateOnSave: "client.regenerateOnSave",
} as const;

export function config(scope?: vscode.ConfigurationScope): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION, scope);
}

export function runPort(scope?: vscode.ConfigurationScope): number {
  const p = config(scope).get<number>(Setting.runPort, 4000);
  return Number.isInteger(p) && p > 0 && p < 65536 ? p : 4000;
}

/** Context keys for `when` clauses. */
export const ContextKey = {
  active: "reprise.active",
  running: "reprise.running",
} as const;
