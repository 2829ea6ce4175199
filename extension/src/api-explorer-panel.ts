/**
 * Host side of the API explorer: one panel showing one endpoint at a time. The host builds the pre-filled
 * request (draftRequest over the endpoint's request schema), performs the HTTP call to the running app and sends
 * the result back. Restored after reload by its serializer (the webview saved the endpoint and the edited draft).
 * Publish mode (a topic instead of an endpoint) reuses the same page: the draft is a sample message POSTed to the
 * runtime's admin publish route, and the answer is the message id or the validation error.
 */
import * as vscode from "vscode";
import {
  draftRequest,
  draftUrl,
  paramFields,
  pushHistory,
  type HistoryEntry,
  publishDraft,
  publishOutcome,
  isMessage,
  EXPLORER_TO_HOST_TYPES,
  type CallResult,
  type ExplorerState,
  type ExplorerToHost,
  type HostToExplorer,
  type RequestDraft,
} from "@reprise/webviews";
import { isToolPath } from "@reprise/protocol";
import type { AppModelStore } from "./app-models";
import type { AppRunner } from "./run";
import { sendDraft } from "./http-call";
import { toolHeaders } from "./instances";
import { pageHtml, webviewOptions } from "./webview-host";
import { runPort } from "./settings";

export const API_EXPLORER_VIEW_TYPE = "reprise.apiExplorer";

export interface EndpointRef {
  rootUri: string;
  service: string;
  endpoint: string;
}

/** Publish mode: a topic and, optionally, the sample message the language server built for its lens. */
export interface TopicRef {
  kind: "topic";
  rootUri: string;
  topic: string;
  sampleMessage?: unknown;
}

export type ExplorerTarget = EndpointRef | TopicRef;
const isTopic = (t: ExplorerTarget | null): t is TopicRef => !!t && (t as TopicRef).kind === "topic";

/** Identity of a target, comparable between a ref and the page's saved state (a topic is known by its name). */
function targetKey(t: ExplorerTarget | NonNullable<ExplorerState["endpoint"]>): string {
  if ("kind" in t && t.kind === "topic") return `topic ${t.rootUri} ${"topic" in t ? t.topic : t.name}`;
  return `endpoint ${t.rootUri} ${t.service} ${"endpoint" in t ? t.endpoint : (t as { name: string }).name}`;
}

export class ApiExplorerPanel implements vscode.Disposable {
  private static current: ApiExplorerPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ref: ExplorerTarget | null = null;
  /** Resolves when the page (re)loaded and said "ready"; replaced while the panel is hidden (see below). */
  private ready: Promise<void>;
  private markReady!: () => void;
  private isReady = false;
  private readonly responses = new vscode.EventEmitter<CallResult>();
  /** Fires after each response is shown (tests and the "call" command await it). */
  readonly onDidRespond = this.responses.event;
  lastResult: CallResult | null = null;

  static show(deps: ExplorerDeps, ref?: ExplorerTarget): ApiExplorerPanel {
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
        const ref: ExplorerTarget | null = !e ? null : e.kind === "topic" ? { kind: "topic", rootUri: e.rootUri, topic: e.name } : { rootUri: e.rootUri, service: e.service, endpoint: e.name };
        ApiExplorerPanel.current = new ApiExplorerPanel(panel, deps, ref);
      },
    };
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly deps: ExplorerDeps, ref: ExplorerTarget | null) {
    this.ref = ref;
    this.ready = this.nextReady();
    panel.webview.html = pageHtml("api-explorer", panel.webview, deps.extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      // Without retainContextWhenHidden a hidden webview's page is discarded and loads again when shown: messages
      // posted meanwhile are lost, so anything sent to the page waits for the next "ready".
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.resetReady();
      }),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      deps.runner.onDidChange(() => this.postAppState()),
      deps.models.onDidChange((p) => {
        if (this.ref && p.rootUri === this.ref.rootUri) this.postEndpoint(false);
      }),
    );
  }

  /** The current target, for tests and commands. */
  get target(): ExplorerTarget | null {
    return this.ref;
  }

  private resetReady(): void {
    if (!this.isReady) return; // still waiting: keep the promise others await
    this.isReady = false;
    this.ready = this.nextReady();
  }

  private nextReady(): Promise<void> {
    return new Promise((r) => (this.markReady = () => { this.isReady = true; r(); }));
  }

  setEndpoint(ref: ExplorerTarget): void {
    this.ref = ref;
    this.currentDraft = null;
    this.panel.title = isTopic(ref) ? `Publish: ${ref.topic}` : `API: ${ref.service}.${ref.endpoint}`;
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
    const ref = this.ref;
    if (!ref) return;
    if (isTopic(ref)) {
      const topic = this.deps.models.findTopic(ref.rootUri, ref.topic);
      if (!topic) return;
      if (fresh || !this.currentDraft) this.currentDraft = publishDraft(topic, ref.sampleMessage);
      const n = topic.subscriptions.length;
      const subs = n ? `${n} subscriber${n === 1 ? "" : "s"}: ${topic.subscriptions.map((x) => `${x.service}/${x.name}`).join(", ")}` : "no subscribers";
      this.post({
        type: "endpoint",
        endpoint: { kind: "topic", rootUri: ref.rootUri, service: topic.service ?? "", name: topic.name, methods: ["POST"], path: this.currentDraft.path, doc: `${subs} · ${topic.deliveryGuarantee}`, auth: false },
        draft: this.currentDraft,
        fresh,
        ...this.baseUrl(),
      });
      this.postHistory();
      return;
    }
    const found = this.deps.models.findEndpoint(ref.rootUri, ref.service, ref.endpoint);
    if (!found) return;
    const e = found.endpoint;
    if (fresh || !this.currentDraft) this.currentDraft = draftRequest(e);
    this.post({
      type: "endpoint",
      endpoint: {
        kind: "endpoint", rootUri: ref.rootUri, service: e.service, name: e.name, methods: e.method, path: e.path, doc: e.doc, auth: e.auth,
        fields: paramFields(e), pathSegments: e.pathSegments,
      },
      draft: this.currentDraft,
      fresh,
      ...this.baseUrl(),
    });
    this.postHistory();
  }

  /** The current target's sent requests, newest first (workspace state, so they survive reloads). */
  history(key = this.ref ? targetKey(this.ref) : null): HistoryEntry[] {
    if (!key) return [];
    const list = this.deps.memento.get<Record<string, HistoryEntry[]>>(HISTORY_KEY, {})[key];
    return Array.isArray(list) ? list : [];
  }

  private async saveHistory(key: string | null, entries: HistoryEntry[]): Promise<void> {
    if (!key) return;
    const all = { ...this.deps.memento.get<Record<string, HistoryEntry[]>>(HISTORY_KEY, {}) };
    if (entries.length) all[key] = entries;
    else delete all[key];
    await this.deps.memento.update(HISTORY_KEY, all);
  }

  private postHistory(): void {
    this.post({ type: "history", entries: this.history() });
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
    // The target may change while the request is out: the answer is recorded for the one it was sent to.
    const key = this.ref ? targetKey(this.ref) : null;
    const { baseUrl } = this.baseUrl();
    const root = this.rootPath();
    // A topic's draft goes to the admin publish route, a tool route: it needs the run's token (app routes never get it).
    const extra = targetsToolRoute(baseUrl, draft) ? toolHeaders(baseUrl, [...(root ? [root] : []), ...this.deps.models.rootPaths()]) : {};
    const result = vscode.workspace.isTrusted ? await sendDraft(baseUrl, draft, 30_000, extra) : restricted(draftUrl(baseUrl, draft));
    if (isTopic(this.ref)) this.deps.log(publishSummary(this.ref.topic, result));
    this.lastResult = result;
    await this.saveHistory(key, pushHistory(this.history(key), { at: Date.now(), draft, status: result.status, error: result.error, timeMs: result.timeMs }));
    this.post({ type: "response", id, result });
    this.postHistory();
    this.responses.fire(result);
    return result;
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isMessage<ExplorerToHost>(raw, EXPLORER_TO_HOST_TYPES)) return;
    switch (raw.type) {
      case "ready": {
        // A reload (after a window reload or while hidden) keeps the user's edited draft when it is for this target.
        const saved = raw.state?.endpoint;
        const same = !!saved && !!this.ref && targetKey(saved) === targetKey(this.ref);
        if (same && raw.state?.draft) this.currentDraft = raw.state.draft;
        this.markReady();
        if (this.ref) this.postEndpoint(!(same && raw.state?.draft));
        else this.postAppState();
        break;
      }
      case "send":
        if (typeof raw.id === "number" && raw.request && typeof raw.request.path === "string") await this.send(raw.id, raw.request);
        break;
      case "clearHistory":
        await this.saveHistory(this.ref ? targetKey(this.ref) : null, []);
        this.postHistory();
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
  /** A line for the Reprise output channel (publish results). */
  log: (line: string) => void;
  /** Where the request history lives (the extension's workspace state). */
  memento: vscode.Memento;
}

/** Workspace-state key of the API explorer's history: target key → entries, newest first. */
export const HISTORY_KEY = "reprise.apiExplorer.history";

/** Whether the request a draft makes goes to one of the runtime's tool routes (`/__reprise/*`). */
function targetsToolRoute(baseUrl: string, draft: RequestDraft): boolean {
  try {
    return isToolPath(new URL(draftUrl(baseUrl, draft)).pathname);
  } catch {
    return false;
  }
}

/** "published to signups: message id 7 (3 ms)" or "publish to signups refused: 400 invalid_argument: ...". */
export function publishSummary(topic: string, r: CallResult): string {
  const o = publishOutcome(r);
  return o.ok ? `published to ${topic}: message id ${o.messageId} (${r.timeMs.toFixed(0)} ms)` : `publish to ${topic} refused: ${o.reason}`;
}

/** The answer to Send in restricted mode: nothing is sent to the app (it may be running the workspace's code). */
function restricted(url: string): CallResult {
  return { ok: false, status: 0, statusText: "", headers: [], body: "", truncated: false, timeMs: 0, url, error: "restricted mode: trust the workspace to call the app" };
}
