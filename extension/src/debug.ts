/**
 * The `reprise` debug type has no adapter of its own: a `reprise` launch configuration resolves to a `node`
 * launch of `reprise run`, so VS Code's JavaScript debugger does the work and breakpoints in handlers hit
 * (source maps point back to the .ts sources).
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { resolveCli } from "./run";
import { runPort } from "./settings";

export const DEBUG_TYPE = "reprise";

export interface RepriseLaunchConfig extends vscode.DebugConfiguration {
  type: typeof DEBUG_TYPE;
  request: "launch";
  /** App root; defaults to the workspace folder. */
  root?: string;
  port?: number;
  args?: string[];
  env?: Record<string, string>;
}

export class RepriseDebugConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly extensionPath: string, private readonly defaultRoot: (folder?: vscode.WorkspaceFolder) => string | undefined) {}

  provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): vscode.DebugConfiguration[] {
    return [{ type: DEBUG_TYPE, request: "launch", name: "Reprise: run app", root: folder ? "${workspaceFolder}" : undefined }];
  }

  /**
   * The type changes here (not in the substituted-variables phase) so VS Code runs the node debugger's own
   * resolvers on the result, as for a hand-written `node` configuration.
   */
  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    // F5 with no launch.json: VS Code passes an empty configuration.
    if (!config.type && !config.request && !config.name) config = { type: DEBUG_TYPE, request: "launch", name: "Reprise: run app" };
    if (config.type !== DEBUG_TYPE) return config;
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage("Reprise: debugging is disabled in restricted mode.");
      return undefined;
    }
    const c = config as RepriseLaunchConfig;
    const root = (c.root ? c.root.replace(/\$\{workspaceFolder\}/g, folder?.uri.fsPath ?? "") : undefined) || this.defaultRoot(folder);
    if (!root) {
      void vscode.window.showErrorMessage("Reprise: no app root found (a folder with encore.app or reprise.app).");
      return undefined;
    }
    try {
      await vscode.extensions.getExtension("ms-vscode.js-debug")?.activate();
    } catch {
      // VS Code reports a missing adapter itself
    }
    return toNodeLaunch(c, root, this.extensionPath);
  }
}

/** The node launch a reprise config stands for (exported for tests). */
export function toNodeLaunch(c: RepriseLaunchConfig, root: string, extensionPath: string): vscode.DebugConfiguration | undefined {
  const cli = resolveCli(root, extensionPath);
  if (!cli) {
    void vscode.window.showErrorMessage("Reprise: the reprise CLI was not found (npm i -D @reprise/cli, or set reprise.run.cliPath).");
    return undefined;
  }
  const port = c.port ?? runPort(vscode.Uri.file(root));
  return {
    type: "node",
    request: "launch",
    name: c.name,
    program: cli,
    args: ["run", root, "--port", String(port), ...(c.args ?? [])],
    cwd: root,
    env: c.env,
    sourceMaps: true,
    resolveSourceMapLocations: [path.join(root, "**"), "!**/node_modules/**"],
    skipFiles: ["<node_internals>/**"],
    console: "integratedTerminal",
    // Marks the session so the extension knows which app and port it runs.
    __reprise: { root, port },
  };
}
