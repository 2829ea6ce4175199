/**
 * The latest app model per app root, fed by the server's `reprise/appModel` notification. Drops out-of-order
 * generations (the protocol's rule) and tells listeners when something changed. Everything in the extension that
 * shows the app (status bar, tree, diagram, API explorer) reads from here, never from the server directly.
 */
import * as vscode from "vscode";
import type { AppModelParams, CronJob, Endpoint, Service, Topic } from "@reprise/protocol";

export class AppModelStore implements vscode.Disposable {
  private readonly byRoot = new Map<string, AppModelParams>();
  private readonly changed = new vscode.EventEmitter<AppModelParams>();
  readonly onDidChange = this.changed.event;

  update(params: AppModelParams): boolean {
    const prev = this.byRoot.get(params.rootUri);
    if (prev && params.generation < prev.generation) return false;
    this.byRoot.set(params.rootUri, params);
    this.changed.fire(params);
    return true;
  }

  clear(): void {
    this.byRoot.clear();
  }

  get(rootUri: string): AppModelParams | undefined {
    return this.byRoot.get(rootUri);
  }

  all(): AppModelParams[] {
    return [...this.byRoot.values()].sort((a, b) => a.rootUri.localeCompare(b.rootUri));
  }

  /** The app roots as file-system paths (where each app's `.reprise/instances/` is). */
  rootPaths(): string[] {
    return this.all().map((p) => vscode.Uri.parse(p.rootUri).fsPath);
  }

  /** The root holding `uri` (longest match), else the only / first root. */
  rootFor(uri?: vscode.Uri): AppModelParams | undefined {
    const roots = this.all();
    if (uri) {
      const s = uri.toString();
      const hit = roots.filter((r) => s === r.rootUri || s.startsWith(r.rootUri.endsWith("/") ? r.rootUri : r.rootUri + "/"))
        .sort((a, b) => b.rootUri.length - a.rootUri.length)[0];
      if (hit) return hit;
    }
    return roots[0];
  }

  findEndpoint(rootUri: string, service: string, name: string): { service: Service; endpoint: Endpoint } | undefined {
    const svc = this.byRoot.get(rootUri)?.model.app.services.find((s) => s.name === service);
    const endpoint = svc?.endpoints.find((e) => e.name === name);
    return svc && endpoint ? { service: svc, endpoint } : undefined;
  }

  findCronJob(rootUri: string, name: string): CronJob | undefined {
    return this.byRoot.get(rootUri)?.model.app.cronJobs.find((c) => c.name === name);
  }

  findTopic(rootUri: string, name: string): Topic | undefined {
    return this.byRoot.get(rootUri)?.model.app.topics.find((t) => t.name === name);
  }

  /** Errors and warnings over every root (what the status bar counts as problems). */
  problemCount(): number {
    let n = 0;
    for (const r of this.byRoot.values()) n += r.model.diagnostics.filter((d) => d.severity === "error" || d.severity === "warning").length;
    return n;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** A model location (root-relative file, 0-based range) as a VS Code location. */
export function toVsLocation(rootUri: string, loc: { file: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }): vscode.Location {
  const root = vscode.Uri.parse(rootUri);
  const uri = loc.file.startsWith("/") ? vscode.Uri.file(loc.file) : vscode.Uri.joinPath(root, loc.file);
  const r = loc.range;
  return new vscode.Location(uri, new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character));
}

export async function revealLocation(location: vscode.Location): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(location.uri);
  await vscode.window.showTextDocument(doc, { selection: location.range, preview: false });
}
