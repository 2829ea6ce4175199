/**
 * Entry point. Activation stays cheap: it creates the owner context, registers commands, views and providers,
 * and starts the language client without waiting for it. The returned API is what the extension-host tests use.
 */
import * as vscode from "vscode";
import { RepriseContext } from "./context";
import { commandTable, explorerDeps as makeExplorerDeps } from "./commands";
import { AppTreeProvider } from "./tree";
import { ArchitecturePanel, ARCHITECTURE_VIEW_TYPE } from "./architecture-panel";
import { ApiExplorerPanel, API_EXPLORER_VIEW_TYPE } from "./api-explorer-panel";
import { registerTraces } from "./traces/panel";
import { registerData, type DataViews } from "./data/register";
import { DataPanel } from "./data/data-panel";
import { DEBUG_TYPE, RepriseDebugConfigurationProvider } from "./debug";
import { RepriseTesting } from "./testing";

export interface RepriseApi {
  readonly context: RepriseContext;
  /** Milliseconds activate() took. */
  readonly activationMs: number;
  readonly architecture: () => ArchitecturePanel | undefined;
  readonly apiExplorer: () => ApiExplorerPanel | undefined;
  readonly debugProvider: RepriseDebugConfigurationProvider;
  /** The Testing view's controller (tests discovered lazily, when the view asks). */
  readonly testing: RepriseTesting;
  /** The data views (Databases, Migrations, Buckets, Pub/Sub) of the Reprise container. */
  readonly data: DataViews;
  /** The open data page (table grid or SQL console) for a target, if any. */
  readonly dataPanel: typeof DataPanel.find;
}

let owner: RepriseContext | undefined;

export function activate(extension: vscode.ExtensionContext): RepriseApi {
  const started = performance.now();
  const ctx = (owner = new RepriseContext(extension));
  for (const [id, handler] of Object.entries(commandTable(ctx))) ctx.add(vscode.commands.registerCommand(id, handler));
  const tree = new AppTreeProvider(ctx.models);
  const explorerDeps = makeExplorerDeps(ctx);
  const debugProvider = new RepriseDebugConfigurationProvider(extension.extensionPath, (folder) => {
    const root = ctx.models.rootFor(folder?.uri ?? vscode.window.activeTextEditor?.document.uri);
    return root ? vscode.Uri.parse(root.rootUri).fsPath : folder?.uri.fsPath;
  });
  ctx.add(
    tree,
    vscode.window.createTreeView("reprise.app", { treeDataProvider: tree, showCollapseAll: true }),
    vscode.window.registerWebviewPanelSerializer(ARCHITECTURE_VIEW_TYPE, ArchitecturePanel.serializer(extension.extensionUri, ctx.models)),
    vscode.window.registerWebviewPanelSerializer(API_EXPLORER_VIEW_TYPE, ApiExplorerPanel.serializer(explorerDeps)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, debugProvider),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
      provideDebugConfigurations: () => [{ type: DEBUG_TYPE, request: "launch", name: "Reprise: run app" }],
    }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  );
  const testing = new RepriseTesting(extension.extensionPath, ctx.output);
  ctx.add(testing);
  ctx.add(registerTraces({ extensionUri: extension.extensionUri, models: ctx.models, explorer: () => ApiExplorerPanel.instance }));
  const data = registerData({ extensionUri: extension.extensionUri, models: ctx.models, runner: ctx.runner, log: (line) => ctx.output.info(line) });
  ctx.add(data);
  // Started after activate() returns: spawning the server is not activation work.
  setTimeout(() => void ctx.startClient(), 0);
  const activationMs = performance.now() - started;
  ctx.output.info(`Reprise activated in ${activationMs.toFixed(1)} ms`);
  return { context: ctx, activationMs, architecture: () => ArchitecturePanel.instance, apiExplorer: () => ApiExplorerPanel.instance, debugProvider, testing, data, dataPanel: (t) => DataPanel.find(t) };
}

export async function deactivate(): Promise<void> {
  ArchitecturePanel.instance?.dispose();
  ApiExplorerPanel.instance?.dispose();
  await owner?.dispose();
  owner = undefined;
}
