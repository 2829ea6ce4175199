/**
 * Host side of the API explorer: one panel showing one endpoint at a time. The host builds the pre-filled
 * request (draftRequest over the endpoint's request schema), performs the HTTP call to the running app and sends
 * the result back. Restored after reload by its serializer (the webview saved the endpoint and the edited draft).
 */
import * as vscode from "vscode";
import {
  draftRequest,
  isMessage,
  EXPLORER_TO_HOST_TYPES,
  type CallResult,
  type ExplorerState,
  type ExplorerToHost,
  type HostToExplorer,
  type RequestDraft,
} from "@reprise/webviews";
import type { AppModelStore } from "./app-models";
import type { AppRunner } from "./run";
import { sendDraft } from "./http-call";
import { pageHtml, webviewOptions } from "./webview-host";
import { runPort } from "./settings";

export const API_EXPLORER_VIEW_TYPE = "reprise.apiExplorer";

export interface EndpointRef {
  rootUri: string;
  service: string;
  endpoint: string;
}

export class ApiExplorerPanel implements vscode.Disposable {
  private static current: ApiExplorerPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ref: EndpointRef | null = null;
  private ready: Promise<void>;
  private markReady!: () => void;
  private readonly responses = new vscode.EventEmitter<CallResult>();
  /** Fires after each response is shown (tests and the "call" command await it). */
  readonly onDidRespond = this.responses.event;
  lastResult: CallResult | null = null;

  static show(deps: ExplorerDeps, ref?: EndpointRef): ApiExplorerPanel {
    let p = ApiExplorerPanel.current;
    if (p) p.panel.reveal(vscode.ViewColumn.Beside, true);
    else {
      const panel = vscode.window.createWebviewPanel(API_EXPLORER_VIEW_TYPE, "Reprise: API Explorer", { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(deps.extensionUri));
      p = ApiExplorerPanel.current = new ApiExplorerPanel(panel, deps, null);
    }
    if (ref) p.setEndpoint(ref);
    return p;
  }

  static get instance(): ApiExplorerPanel | undefined {
    return ApiExplorerPanel.current;
  }

  static serializer(deps: ExplorerDeps): vscode.WebviewPanelSerializer<ExplorerState> {
    return {
      async deserializeWebviewPanel(panel, state) {
        panel.webview.options = webviewOptions(deps.extensionUri);
        ApiExplorerPanel.current?.dispose();
        const e = state?.endpoint;
        ApiExplorerPanel.current = new ApiExplorerPanel(panel, deps, e ? { rootUri: e.rootUri, service: e.service, endpoint: e.name } : null);
      },
    };
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly deps: ExplorerDeps, ref: EndpointRef | null) {
    this.ref = ref;
    this.ready = new Promise((r) => (this.markReady = r));
    panel.webview.html = pageHtml("api-explorer", panel.webview, deps.extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      deps.runner.onDidChange(() => this.postAppState()),
      deps.models.onDidChange((p) => {
        if (this.ref && p.rootUri === this.ref.rootUri) this.postEndpoint(false);
      }),
    );
  }

  setEndpoint(ref: EndpointRef): void {
    this.ref = ref;
    this.panel.title = `API: ${ref.service}.${ref.endpoint}`;
    void this.ready.then(() => this.postEndpoint(true));
  }

  private post(msg: HostToExplorer): void {
    void this.panel.webview.postMessage(msg);
  }

  private rootPath(): string | null {
    return this.ref ? vscode.Uri.parse(this.ref.rootUri).fsPath : null;
  }

  private baseUrl(): { running: boolean; baseUrl: string } {
    const root = this.rootPath();
    const app = root ? this.deps.runner.get(root) : undefined;
    const port = app?.port ?? runPort(root ? vscode.Uri.file(root) : undefined);
    return { running: !!app?.ready, baseUrl: `http://127.0.0.1:${port}` };
  }

  private postAppState(): void {
    this.post({ type: "appState", ...this.baseUrl() });
  }

  /** Sends the endpoint and its fresh draft; the webview keeps the user's edited draft for the same endpoint unless `fresh`. */
  private postEndpoint(fresh: boolean): void {
    if (!this.ref) return;
    const found = this.deps.models.findEndpoint(this.ref.rootUri, this.ref.service, this.ref.endpoint);
    if (!found) return;
    const e = found.endpoint;
    if (fresh) this.currentDraft = draftRequest(e);
    this.post({
      type: "endpoint",
      endpoint: { rootUri: this.ref.rootUri, service: e.service, name: e.name, methods: e.method, path: e.path, doc: e.doc, auth: e.auth },
      draft: this.currentDraft ?? draftRequest(e),
      ...this.baseUrl(),
    });
  }
  private currentDraft: RequestDraft | null = null;

  /** Presses Send in the page (so the user sees the request go out) and resolves with the answer. */
  async sendCurrent(timeoutMs = 60_000): Promise<CallResult> {
    await this.ready;
    return new Promise<CallResult>((resolve, reject) => {
      const timer = setTimeout(() => { sub.dispose(); reject(new Error("The API explorer did not send the request.")); }, timeoutMs);
      const sub = this.onDidRespond((r) => { clearTimeout(timer); sub.dispose(); resolve(r); });
      this.post({ type: "sendNow" });
    });
  }

  private async send(id: number, draft: RequestDraft): Promise<CallResult> {
    this.currentDraft = draft;
    const result = await sendDraft(this.baseUrl().baseUrl, draft);
    this.lastResult = result;
    this.post({ type: "response", id, result });
    this.responses.fire(result);
    return result;
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isMessage<ExplorerToHost>(raw, EXPLORER_TO_HOST_TYPES)) return;
    switch (raw.type) {
      case "ready":
        this.markReady();
        if (this.ref) this.postEndpoint(!raw.state?.draft);
        else this.postAppState();
        break;
      case "send":
        if (typeof raw.id === "number" && raw.request && typeof raw.request.path === "string") await this.send(raw.id, raw.request);
        break;
      case "startApp": {
        const root = this.rootPath();
        if (root) await vscode.commands.executeCommand("reprise.run", vscode.Uri.file(root));
        break;
      }
    }
  }

  dispose(): void {
    if (ApiExplorerPanel.current === this) ApiExplorerPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.responses.dispose();
    this.panel.dispose();
  }
}

export interface ExplorerDeps {
  extensionUri: vscode.Uri;
  models: AppModelStore;
  runner: AppRunner;
}
