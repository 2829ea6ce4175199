/**
 * Host side of the trace viewer: one panel listing the running app's recent traces (read from the runtime's
 * trace endpoint `GET /__reprise/traces`, a tool route: the run's token comes from the app's instance file) with the waterfall of the selected one. Clicking a span that ran an
 * endpoint opens that endpoint's source via the app model. `reprise.openTrace <id>` opens a trace directly (the API
 * explorer offers it when a response carries `x-reprise-trace-id`).
 */
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { spanEndpoint, TRACE_API_PATH, type TraceList, type TraceView } from "@reprise/protocol";
import { isMessage, makeNonce, tracesPage, TRACES_TO_HOST_TYPES, type HostToTraces, type TracesState, type TracesToHost } from "@reprise/webviews";
import { revealLocation, toVsLocation, type AppModelStore } from "../app-models";
import { runPort } from "../settings";
import { linkExplorerResponses, type RespondingPanel } from "./explorer-link";
import { toolHeaders } from "../instances";

export const TRACES_VIEW_TYPE = "reprise.traces";

export interface TracesDeps {
  extensionUri: vscode.Uri;
  models: AppModelStore;
  /** The running app's base URL; defaults to the configured run port on loopback. */
  baseUrl?: () => string;
  /** The API explorer panel, if one is open: its responses link to their traces. */
  explorer?: () => RespondingPanel | undefined;
}

class TraceFetchError extends Error {}

async function getJson<T>(url: string, headers: Record<string, string>): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(5000), redirect: "manual" });
  } catch {
    throw new TraceFetchError("The app is not running (start it with Reprise: Run App), so there are no traces to show.");
  }
  const body = (await response.json().catch(() => null)) as { message?: string } | null;
  if (!response.ok) throw new TraceFetchError(body?.message ?? `the trace endpoint answered HTTP ${response.status}`);
  return body as T;
}

export class TracesPanel implements vscode.Disposable {
  private static current: TracesPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private shown: TraceView | null = null;
  private pendingOpen: string | null = null;
  private isReady = false;

  static show(deps: TracesDeps, traceId?: string): TracesPanel {
    let p = TracesPanel.current;
    if (p) p.panel.reveal(vscode.ViewColumn.Beside, true);
    else {
      const panel = vscode.window.createWebviewPanel(TRACES_VIEW_TYPE, "Reprise: Traces", { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, TracesPanel.options(deps));
      p = TracesPanel.current = new TracesPanel(panel, deps);
    }
    if (traceId) p.open(traceId);
    return p;
  }

  static get instance(): TracesPanel | undefined {
    return TracesPanel.current;
  }

  static options(deps: TracesDeps): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, "dist", "media")] };
  }

  static serializer(deps: TracesDeps): vscode.WebviewPanelSerializer<TracesState> {
    return {
      async deserializeWebviewPanel(panel) {
        panel.webview.options = TracesPanel.options(deps);
        TracesPanel.current?.dispose();
        TracesPanel.current = new TracesPanel(panel, deps);
      },
    };
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly deps: TracesDeps) {
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(deps.extensionUri, "dist", "media", "traces.js")).toString();
    panel.webview.html = tracesPage({ cspSource: panel.webview.cspSource, nonce: makeNonce((n) => randomBytes(n)), scripts: [script] });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isMessage<TracesToHost>(m, TRACES_TO_HOST_TYPES)) void this.onMessage(m);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private baseUrl(): string {
    return this.deps.baseUrl?.() ?? `http://127.0.0.1:${runPort()}`;
  }

  /** The run's token for the trace endpoint, from the instance file of whichever workspace app listens there. */
  private headers(baseUrl: string): Record<string, string> {
    return toolHeaders(baseUrl, this.deps.models.rootPaths());
  }

  private post(message: HostToTraces): void {
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(m: TracesToHost): Promise<void> {
    switch (m.type) {
      case "ready":
        this.isReady = true;
        await this.refresh();
        if (this.pendingOpen ?? m.state?.selected) await this.open(this.pendingOpen ?? m.state!.selected!);
        this.pendingOpen = null;
        return;
      case "refresh":
        return this.refresh();
      case "open":
        return this.open(m.traceId);
      case "reveal":
        return this.reveal(m.spanId);
    }
  }

  async refresh(): Promise<void> {
    const baseUrl = this.baseUrl();
    try {
      const list = await getJson<TraceList>(`${baseUrl}${TRACE_API_PATH}?limit=200`, this.headers(baseUrl));
      this.post({ type: "list", baseUrl, traces: list.traces, stats: list.stats, error: null });
    } catch (e) {
      this.post({ type: "list", baseUrl, traces: [], stats: null, error: (e as Error).message });
    }
  }

  async open(traceId: string): Promise<void> {
    if (!/^[0-9a-f]{32}$/.test(traceId)) return;
    if (!this.isReady) {
      this.pendingOpen = traceId;
      return;
    }
    try {
      const baseUrl = this.baseUrl();
      const trace = await getJson<TraceView>(`${baseUrl}${TRACE_API_PATH}/${traceId}`, this.headers(baseUrl));
      this.shown = trace;
      const revealable = trace.spans.filter((s) => this.locate(s.spanId) !== undefined).map((s) => s.spanId);
      this.post({ type: "trace", trace, revealable });
    } catch (e) {
      this.post({ type: "traceError", traceId, message: (e as Error).message });
    }
  }

  private locate(spanId: string): vscode.Location | undefined {
    const span = this.shown?.spans.find((s) => s.spanId === spanId);
    const ref = span && spanEndpoint(span);
    if (!ref) return undefined;
    for (const root of this.deps.models.all()) {
      const hit = this.deps.models.findEndpoint(root.rootUri, ref.service, ref.endpoint);
      if (hit) return toVsLocation(root.rootUri, hit.endpoint.location);
    }
    return undefined;
  }

  private async reveal(spanId: string): Promise<void> {
    const location = this.locate(spanId);
    if (location) await revealLocation(location);
  }

  dispose(): void {
    if (TracesPanel.current === this) TracesPanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/**
 * Everything the trace viewer adds to the extension: the `reprise.showTraces` and `reprise.openTrace` commands and
 * the panel serializer. The extension's activate calls this once and disposes the result on deactivate.
 */
export function registerTraces(deps: TracesDeps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand("reprise.showTraces", () => TracesPanel.show(deps)),
    vscode.commands.registerCommand("reprise.openTrace", (traceId?: string) => TracesPanel.show(deps, typeof traceId === "string" ? traceId : undefined)),
    vscode.window.registerWebviewPanelSerializer(TRACES_VIEW_TYPE, TracesPanel.serializer(deps)),
    linkExplorerResponses(deps.explorer ?? (() => undefined), () => void TracesPanel.instance?.refresh()),
    { dispose: () => TracesPanel.instance?.dispose() },
  );
}
