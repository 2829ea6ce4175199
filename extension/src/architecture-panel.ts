/**
 * Host side of the architecture diagram: one panel, fed from the model store. Sends the graph on every change
 * (the webview re-renders without reloading), reveals declarations on node clicks, and is restored after a
 * window reload by the panel serializer from the webview's own saved state (no retainContextWhenHidden).
 */
import * as vscode from "vscode";
import { isMessage, DIAGRAM_TO_HOST_TYPES, type DiagramState, type DiagramToHost, type HostToDiagram } from "@reprise/webviews";
import { revealLocation, toVsLocation, type AppModelStore } from "./app-models";
import { pageHtml, webviewOptions } from "./webview-host";

export const ARCHITECTURE_VIEW_TYPE = "reprise.architecture";

export class ArchitecturePanel implements vscode.Disposable {
  private static current: ArchitecturePanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private rootUri: string | null;
  /** The last generation rendered, per root, as reported by the webview (tests read it). */
  lastRendered: { generation: number; nodeIds: string[] } | null = null;
  private readonly renderedEmitter = new vscode.EventEmitter<{ generation: number; nodeIds: string[] }>();
  readonly onDidRender = this.renderedEmitter.event;

  static show(extensionUri: vscode.Uri, models: AppModelStore, rootUri?: string): ArchitecturePanel {
    if (ArchitecturePanel.current) {
      ArchitecturePanel.current.panel.reveal();
      if (rootUri) ArchitecturePanel.current.setRoot(rootUri);
      return ArchitecturePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(ARCHITECTURE_VIEW_TYPE, "Reprise: Architecture", vscode.ViewColumn.Beside, webviewOptions(extensionUri));
    return (ArchitecturePanel.current = new ArchitecturePanel(panel, extensionUri, models, rootUri ?? null));
  }

  static get instance(): ArchitecturePanel | undefined {
    return ArchitecturePanel.current;
  }

  static serializer(extensionUri: vscode.Uri, models: AppModelStore): vscode.WebviewPanelSerializer<DiagramState> {
    return {
      async deserializeWebviewPanel(panel, state) {
        panel.webview.options = webviewOptions(extensionUri);
        ArchitecturePanel.current?.dispose();
        ArchitecturePanel.current = new ArchitecturePanel(panel, extensionUri, models, state?.rootUri ?? null);
      },
    };
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly models: AppModelStore, rootUri: string | null) {
    this.rootUri = rootUri;
    panel.webview.html = pageHtml("diagram", panel.webview, extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      models.onDidChange((p) => {
        if (!this.rootUri || p.rootUri === this.rootUri) this.push();
      }),
    );
  }

  private setRoot(rootUri: string): void {
    this.rootUri = rootUri;
    this.push();
  }

  private post(msg: HostToDiagram): void {
    void this.panel.webview.postMessage(msg);
  }

  private push(): void {
    const p = (this.rootUri && this.models.get(this.rootUri)) || this.models.rootFor(vscode.window.activeTextEditor?.document.uri);
    if (!p) {
      this.post({ type: "noApp", reason: "Waiting for the language server to analyse the app…" });
      return;
    }
    this.rootUri = p.rootUri;
    const problems = p.model.diagnostics.filter((d) => d.severity === "error" || d.severity === "warning").length;
    this.post({ type: "graph", rootUri: p.rootUri, generation: p.generation, graph: p.graph, problems, appName: p.model.app.id || vscode.Uri.parse(p.rootUri).path.split("/").pop() || "app" });
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isMessage<DiagramToHost>(raw, DIAGRAM_TO_HOST_TYPES)) return;
    switch (raw.type) {
      case "ready":
        if (raw.state?.rootUri && !this.rootUri) this.rootUri = raw.state.rootUri;
        this.push();
        break;
      case "reveal": {
        const node = this.models.get(raw.rootUri)?.graph.nodes.find((n) => n.id === raw.nodeId);
        if (node?.location) await revealLocation(toVsLocation(raw.rootUri, node.location));
        break;
      }
      case "rendered":
        this.lastRendered = { generation: raw.generation, nodeIds: raw.nodeIds };
        this.renderedEmitter.fire(this.lastRendered);
        break;
      case "renderError":
        break;
    }
  }

  dispose(): void {
    if (ArchitecturePanel.current === this) ArchitecturePanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.renderedEmitter.dispose();
    this.panel.dispose();
  }
}
