/**
 * The "Reprise" tree in the explorer: app roots → services → endpoints / topics / databases / cron jobs.
 * Every item reveals its declaration; endpoints carry inline Run / Call actions, cron jobs Run now.
 */
import * as vscode from "vscode";
import type { AppModelParams, Endpoint, Location, Service } from "@reprise/protocol";
import { toVsLocation, type AppModelStore } from "./app-models";

export type TreeNode =
  | { kind: "root"; rootUri: string }
  | { kind: "service"; rootUri: string; service: Service }
  | { kind: "endpoint"; rootUri: string; service: string; endpoint: Endpoint }
  | { kind: "topic"; rootUri: string; name: string; location: Location; detail: string }
  | { kind: "database"; rootUri: string; name: string; location: Location; detail: string }
  | { kind: "cron"; rootUri: string; name: string; title: string; location: Location; detail: string; endpoint: { service: string; name: string } | null };

export class AppTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly models: AppModelStore) {
    this.sub = models.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const roots = this.models.all();
    if (!node) {
      if (roots.length === 1) return this.services(roots[0]);
      return roots.map((r) => ({ kind: "root", rootUri: r.rootUri }));
    }
    const p = this.models.get(node.rootUri);
    if (!p) return [];
    if (node.kind === "root") return this.services(p);
    if (node.kind !== "service") return [];
    const s = node.service;
    const app = p.model.app;
    const endpointNames = new Set(s.endpoints.map((e) => e.name));
    return [
      ...s.endpoints.map((endpoint): TreeNode => ({ kind: "endpoint", rootUri: p.rootUri, service: s.name, endpoint })),
      ...app.topics
        .filter((t) => t.service === s.name || s.publishes.includes(t.name) || t.subscriptions.some((x) => x.service === s.name))
        .map((t): TreeNode => ({
          kind: "topic", rootUri: p.rootUri, name: t.name, location: t.location,
          detail: s.publishes.includes(t.name) ? "publishes" : t.subscriptions.some((x) => x.service === s.name) ? "subscribes" : "declared",
        })),
      ...app.databases
        .filter((d) => d.service === s.name || s.databases.includes(d.name))
        .map((d): TreeNode => ({ kind: "database", rootUri: p.rootUri, name: d.name, location: d.location, detail: `${d.migrations.files.length} migration${d.migrations.files.length === 1 ? "" : "s"}` })),
      ...app.cronJobs
        .filter((c) => c.endpoint?.service === s.name && endpointNames.has(c.endpoint.name))
        .map((c): TreeNode => ({ kind: "cron", rootUri: p.rootUri, name: c.name, title: c.title, location: c.location, detail: c.every ? `every ${c.every}` : c.schedule ?? "", endpoint: c.endpoint })),
    ];
  }

  private services(p: AppModelParams): TreeNode[] {
    return [...p.model.app.services].sort((a, b) => a.name.localeCompare(b.name)).map((service) => ({ kind: "service", rootUri: p.rootUri, service }));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const item = (label: string, icon: string, collapsible = vscode.TreeItemCollapsibleState.None) => {
      const t = new vscode.TreeItem(label, collapsible);
      t.iconPath = new vscode.ThemeIcon(icon);
      t.contextValue = `reprise.${node.kind}`;
      return t;
    };
    const reveal = (t: vscode.TreeItem, loc: Location | null | undefined) => {
      if (loc) {
        const l = toVsLocation(node.rootUri, loc);
        t.command = { command: "vscode.open", title: "Reveal", arguments: [l.uri, { selection: l.range, preserveFocus: true }] };
        t.resourceUri = undefined;
      }
      return t;
    };
    switch (node.kind) {
      case "root": {
        const t = item(vscode.Uri.parse(node.rootUri).path.split("/").pop() ?? node.rootUri, "folder", vscode.TreeItemCollapsibleState.Expanded);
        t.tooltip = vscode.Uri.parse(node.rootUri).fsPath;
        return t;
      }
      case "service": {
        const t = item(node.service.name, "server-process", vscode.TreeItemCollapsibleState.Expanded);
        t.description = `${node.service.endpoints.length} endpoint${node.service.endpoints.length === 1 ? "" : "s"}`;
        t.tooltip = node.service.doc ?? undefined;
        return reveal(t, node.service.location ?? node.service.endpoints[0]?.location);
      }
      case "endpoint": {
        const e = node.endpoint;
        const t = item(e.name, e.expose ? "globe" : "lock");
        t.description = `${e.method.join(",")} ${e.path}`;
        t.tooltip = `${e.service}.${e.name}${e.doc ? `\n${e.doc}` : ""}${e.auth ? "\nrequires auth" : ""}`;
        return reveal(t, e.location);
      }
      case "topic":
        return reveal(Object.assign(item(node.name, "broadcast"), { description: node.detail }), node.location);
      case "database":
        return reveal(Object.assign(item(node.name, "database"), { description: node.detail }), node.location);
      case "cron":
        return reveal(Object.assign(item(node.title || node.name, "watch"), { description: node.detail }), node.location);
    }
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
