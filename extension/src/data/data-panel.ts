/**
 * Host side of the data pages (table grid, SQL console): one panel per target, serving the same bundles the
 * browser dashboard serves. The page's admin requests go to the running app with the token added here; its
 * confirmations become modal dialogs; downloads a save dialog. Restored after a reload by its serializer.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as vscode from "vscode";
import {
  dataPage,
  isMessage,
  makeNonce,
  DATA_TO_HOST_TYPES,
  type DataPageKind,
  type DataPageState,
  type DataTarget,
  type DataToHost,
  type HostToData,
} from "@reprise/webviews";
import { mediaRoot, webviewOptions } from "../webview-host";
import { callAdmin, type DataDeps } from "./app-target";
import { safeFileName } from "./admin-http";

export const DATA_VIEW_TYPES = { table: "reprise.dbTable", sql: "reprise.sqlConsole" } as const;
const KIND: Record<DataTarget["page"], DataPageKind> = { table: "db-table", sql: "sql-console" };

const keyOf = (t: DataTarget) => JSON.stringify(t);
const titleOf = (t: DataTarget) => (t.page === "table" ? `${t.database}: ${t.table}` : `SQL: ${t.database}`);

export type Shown = Extract<DataToHost, { type: "shown" }>;

export class DataPanel implements vscode.Disposable {
  private static readonly open = new Map<string, DataPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly shownEmitter = new vscode.EventEmitter<Shown>();
  /** Fires when the page has shown rows, a result or an error (tests await it). */
  readonly onDidShow = this.shownEmitter.event;
  lastShown: Shown | null = null;

  static show(deps: DataDeps, target: DataTarget): DataPanel {
    const existing = DataPanel.open.get(keyOf(target));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(DATA_VIEW_TYPES[target.page], titleOf(target), vscode.ViewColumn.Active, webviewOptions(deps.extensionUri));
    return new DataPanel(panel, deps, target);
  }

  static find(target: DataTarget): DataPanel | undefined {
    return DataPanel.open.get(keyOf(target));
  }

  static serializer(deps: DataDeps): vscode.WebviewPanelSerializer<DataPageState> {
    return {
      async deserializeWebviewPanel(panel, state) {
        const t = state?.target;
        if (!t || (t.page !== "table" && t.page !== "sql")) {
          panel.dispose();
          return;
        }
        panel.webview.options = webviewOptions(deps.extensionUri);
        DataPanel.open.get(keyOf(t))?.dispose();
        new DataPanel(panel, deps, t);
      },
    };
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly deps: DataDeps, readonly target: DataTarget) {
    DataPanel.open.set(keyOf(target), this);
    panel.title = titleOf(target);
    panel.webview.html = html(KIND[target.page], panel.webview, deps.extensionUri);
    this.disposables.push(panel.onDidDispose(() => this.dispose()), panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)));
  }

  private post(m: HostToData): void {
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isMessage<DataToHost>(m, DATA_TO_HOST_TYPES)) return;
    switch (m.type) {
      case "ready":
        this.post({ type: "target", target: this.target });
        break;
      case "shown":
        this.lastShown = m;
        this.shownEmitter.fire(m);
        if (m.committed === true) this.deps.afterWrite?.();
        break;
      case "openPage":
        if (m.target && (m.target.page === "sql" || m.target.page === "table")) DataPanel.show(this.deps, m.target);
        break;
      case "admin": {
        if (typeof m.id !== "number" || typeof m.path !== "string") return;
        const body = m.body === undefined ? undefined : typeof m.body === "string" ? m.body : Buffer.from(String(m.body.base64), "base64");
        const r = await callAdmin(this.deps, String(m.method), m.path, body, typeof m.contentType === "string" ? m.contentType : undefined);
        const textual = /json|^text\//.test(r.contentType) || r.body.length === 0;
        this.post({ type: "adminResult", id: m.id, status: r.status, contentType: r.contentType, error: r.error, body: textual ? r.body.toString("utf8") : { base64: r.body.toString("base64") } });
        break;
      }
      case "confirm": {
        const action = typeof m.action === "string" && m.action ? m.action : "OK";
        const pick = await vscode.window.showWarningMessage(String(m.message), { modal: true, detail: typeof m.detail === "string" ? m.detail : undefined }, action);
        this.post({ type: "confirmResult", id: m.id, ok: pick === action });
        break;
      }
      case "download": {
        const r = await saveAdminDownload(this.deps, String(m.path), String(m.fileName));
        this.post({ type: "downloadResult", id: m.id, ...r });
        break;
      }
    }
  }

  dispose(): void {
    if (DataPanel.open.get(keyOf(this.target)) === this) DataPanel.open.delete(keyOf(this.target));
    for (const d of this.disposables.splice(0)) d.dispose();
    this.shownEmitter.dispose();
    this.panel.dispose();
  }

  static disposeAll(): void {
    for (const p of [...DataPanel.open.values()]) p.dispose();
  }
}

/** Asks where to save, then writes the bytes of an admin GET there. */
export async function saveAdminDownload(deps: DataDeps, path: string, fileName: string, to?: vscode.Uri): Promise<{ ok: boolean; error: string | null }> {
  const dest = to ?? (await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(safeFileName(fileName)), saveLabel: "Download" }));
  if (!dest) return { ok: false, error: "cancelled" };
  const r = await callAdmin(deps, "GET", path);
  if (r.error || r.status !== 200) return { ok: false, error: r.error ?? `${r.status}: ${r.body.toString("utf8").slice(0, 200)}` };
  await fs.writeFile(dest.fsPath, r.body);
  return { ok: true, error: null };
}

function html(kind: DataPageKind, webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const uri = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot(extensionUri), file)).toString();
  return dataPage(kind, { cspSource: webview.cspSource, nonce: makeNonce((n) => randomBytes(n)), style: uri("data.css"), scripts: [uri(`${kind}.js`)], title: kind });
}
