/**
 * The one Reprise status bar item: analysing / N problems / running on :PORT / stopped. Clicking it opens a
 * quick pick of the actions that make sense right now.
 */
import * as vscode from "vscode";

export type ServerState = "starting" | "ready" | "stopped" | "failed";

export interface StatusInputs {
  server: ServerState;
  analysing: boolean;
  problems: number;
  runningPort: number | null;
  trusted: boolean;
}

export function statusText(s: StatusInputs): { text: string; tooltip: string } {
  const t = baseStatusText(s);
  return s.trusted ? t : { text: `$(shield) ${t.text.replace(/^\$\([^)]*\)\s*/, "")}`, tooltip: `${t.tooltip}\nRestricted mode: Reprise analyses the app but does not run, call, debug or publish to it.` };
}

function baseStatusText(s: StatusInputs): { text: string; tooltip: string } {
  const problems = s.problems ? ` · $(warning) ${s.problems}` : "";
  if (s.server === "failed") return { text: "$(error) Reprise: server failed", tooltip: "The Reprise language server could not start; see the Reprise output." };
  if (s.server === "stopped") return { text: "$(debug-stop) Reprise: stopped", tooltip: "The Reprise language server is stopped." };
  if (s.runningPort !== null) return { text: `$(radio-tower) Reprise: running on :${s.runningPort}${problems}`, tooltip: `The app is running on http://127.0.0.1:${s.runningPort}` };
  if (s.server === "starting" || s.analysing) return { text: "$(sync~spin) Reprise: analysing", tooltip: "Analysing the app…" };
  if (s.problems) return { text: `$(warning) Reprise: ${s.problems} problem${s.problems === 1 ? "" : "s"}`, tooltip: "Infrastructure problems found; click for actions." };
  return { text: "$(check) Reprise", tooltip: "Reprise: no problems" };
}

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("reprise.status", vscode.StatusBarAlignment.Left, 10);
  private inputs: StatusInputs = { server: "starting", analysing: true, problems: 0, runningPort: null, trusted: vscode.workspace.isTrusted };

  constructor() {
    this.item.name = "Reprise";
    this.item.command = "reprise.showActions";
    this.render();
    this.item.show();
  }

  set(patch: Partial<StatusInputs>): void {
    this.inputs = { ...this.inputs, ...patch };
    this.render();
  }

  get state(): Readonly<StatusInputs> {
    return this.inputs;
  }

  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    return typeof this.item.tooltip === "string" ? this.item.tooltip : "";
  }

  private render(): void {
    const { text, tooltip } = statusText(this.inputs);
    this.item.text = text;
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    this.item.dispose();
  }
}
