/** Wires the data views, their commands and the data pages' serializers into the extension. */
import * as vscode from "vscode";
import { dataCommands } from "./commands";
import { DataPanel, DATA_VIEW_TYPES } from "./data-panel";
import { DataTreeProvider, type DataViewId } from "./trees";
import type { DataDeps } from "./app-target";

export const DATA_VIEWS: readonly DataViewId[] = ["reprise.databases", "reprise.migrations", "reprise.buckets", "reprise.pubsub"];

export interface DataViews extends vscode.Disposable {
  trees: DataTreeProvider[];
}

export function registerData(base: DataDeps): DataViews {
  const deps: DataDeps = { ...base, afterWrite: () => trees.forEach((t) => t.refresh()) };
  const trees = DATA_VIEWS.map((id) => new DataTreeProvider(id, deps));
  const disposables: vscode.Disposable[] = [
    ...trees,
    ...trees.map((t) => vscode.window.createTreeView(t.view, { treeDataProvider: t, showCollapseAll: t.view !== "reprise.migrations" })),
    ...Object.entries(dataCommands({ ...deps, trees })).map(([id, handler]) => vscode.commands.registerCommand(id, handler)),
    ...Object.values(DATA_VIEW_TYPES).map((type) => vscode.window.registerWebviewPanelSerializer(type, DataPanel.serializer(deps))),
  ];
  return {
    trees,
    dispose: () => {
      DataPanel.disposeAll();
      for (const d of disposables.splice(0)) d.dispose();
    },
  };
}
