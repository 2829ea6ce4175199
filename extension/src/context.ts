/**
 * The one owner object of the extension: it holds the language client, the model store, the runner, the
 * status bar, the output channel and every disposable, and is the only thing `activate` creates. Commands and
 * views get it passed in; nothing is a module-level singleton filled in piece by piece.
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import type { AppModelParams } from "@reprise/protocol";
import { AppModelStore } from "./app-models";
import { AppRunner } from "./run";
import { ClientGenerator } from "./gen-client";
import { StatusBar } from "./status";
import { ContextKey } from "./settings";

/**
 * The language client's code (vscode-languageclient and the reprise/* wiring in client.ts), loaded when the client
 * starts, after activation, not while VS Code loads the extension: the bundle keeps it in its own file,
 * dist/client.js (extension/scripts/bundle.mjs), so activation does not pay for reading and running it.
 */
function clientModule(): typeof import("./client") {
  return require("./client") as typeof import("./client");
}

export interface DebugRun {
  session: vscode.DebugSession;
  root: string;
  port: number;
}

export class RepriseContext implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel("Reprise", { log: true });
  readonly models = new AppModelStore();
  readonly status = new StatusBar();
  readonly runner: AppRunner;
  readonly clientGenerator: ClientGenerator;
  readonly debugSessions = new Map<string, DebugRun>();
  /** What was refused in restricted mode, newest last (the same text the user sees; read by the tests). */
  readonly refusals: string[] = [];
  client: LanguageClient | undefined;
  private clientStarting: Promise<void> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private analysingTimer: NodeJS.Timeout | undefined;
  private readonly firstModelEmitter = new vscode.EventEmitter<AppModelParams>();

  constructor(readonly extension: vscode.ExtensionContext) {
    this.runner = new AppRunner(extension.extensionPath, this.output);
    this.clientGenerator = new ClientGenerator(extension.extensionPath, this.output, (uri) => {
      const root = this.models.rootFor(uri);
      return root ? vscode.Uri.parse(root.rootUri).fsPath : undefined;
    });
    this.disposables.push(
      this.output, this.models, this.status, this.runner, this.clientGenerator, this.firstModelEmitter,
      this.runner.onDidChange(() => {
        this.status.set({ runningPort: this.runner.firstPort() });
        void vscode.commands.executeCommand("setContext", ContextKey.running, this.runner.list().length > 0);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && this.models.rootFor(e.document.uri) && /\.(ts|tsx|js|mjs|sql)$/.test(e.document.fileName)) this.setAnalysing(true);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.status.set({ trusted: true });
        if (this.client) clientModule().refreshCodeLenses(this.client);
      }),
      vscode.debug.onDidStartDebugSession((s) => {
        const meta = s.configuration.__reprise as { root: string; port: number } | undefined;
        if (meta) this.debugSessions.set(s.id, { session: s, ...meta });
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        const run = this.debugSessions.get(s.id);
        if (!run) return;
        this.debugSessions.delete(s.id);
        if (!this.runner.get(run.root)?.execution) this.runner.forget(run.root);
      }),
    );
    void vscode.commands.executeCommand("setContext", ContextKey.active, true);
  }

  private setAnalysing(on: boolean): void {
    clearTimeout(this.analysingTimer);
    this.status.set({ analysing: on });
    // If the server decides a change needs no new model, don't spin forever.
    if (on) this.analysingTimer = setTimeout(() => this.status.set({ analysing: false }), 5000);
  }

  private onAppModel(p: AppModelParams): void {
    if (this.models.update(p)) {
      this.setAnalysing(false);
      this.status.set({ problems: this.models.problemCount() });
      this.firstModelEmitter.fire(p);
    }
  }

  /** Resolves with the first app model after (re)start, for commands and tests that need one. */
  whenModel(timeoutMs = 60_000): Promise<AppModelParams> {
    const have = this.models.all()[0];
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { sub.dispose(); reject(new Error("no app model from the language server")); }, timeoutMs);
      const sub = this.firstModelEmitter.event((p) => { clearTimeout(t); sub.dispose(); resolve(p); });
    });
  }

  startClient(): Promise<void> {
    this.clientStarting ??= this.doStartClient().finally(() => (this.clientStarting = undefined));
    return this.clientStarting;
  }

  private async doStartClient(): Promise<void> {
    const { createClient, findServerModule, serverModuleCandidates, State } = clientModule();
    const serverModule = findServerModule(this.extension.extensionPath);
    if (!serverModule) {
      this.output.error(`Language server not found; looked for: ${serverModuleCandidates(this.extension.extensionPath).join(", ")}`);
      this.status.set({ server: "failed", analysing: false });
      return;
    }
    this.output.info(`Starting the language server: ${serverModule}`);
    const client = createClient(serverModule, this.output, (p) => this.onAppModel(p));
    this.client = client;
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) this.status.set({ server: "ready" });
      else if (e.newState === State.Stopped) this.status.set({ server: "stopped", analysing: false });
      else this.status.set({ server: "starting" });
    });
    this.status.set({ server: "starting", analysing: true });
    try {
      await client.start();
    } catch (e) {
      this.output.error(`The language server failed to start: ${(e as Error).message}`);
      this.status.set({ server: "failed", analysing: false });
    }
  }

  async restartClient(): Promise<void> {
    const old = this.client;
    this.client = undefined;
    if (old) await old.stop().catch((e: Error) => this.output.warn(`stopping the server: ${e.message}`));
    this.models.clear();
    this.status.set({ problems: 0 });
    await this.startClient();
  }

  add(...d: vscode.Disposable[]): void {
    this.disposables.push(...d);
  }

  async dispose(): Promise<void> {
    clearTimeout(this.analysingTimer);
    const client = this.client;
    this.client = undefined;
    await client?.stop().catch(() => undefined);
    await this.runner.stop();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
