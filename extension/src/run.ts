/**
 * Running the app: `reprise run` (the CLI on the Rust runtime) as a VS Code Task, so it gets a terminal, the
 * `$reprise` problem matcher and the user's task keybindings for free. One instance per app root: starting again
 * reuses the running task, and an app already answering on the configured port (started outside VS Code) is
 * reused too. Nothing here runs in an untrusted workspace.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import * as vscode from "vscode";
import { config, runPort, Setting } from "./settings";

export const TASK_TYPE = "reprise";

export interface RepriseTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  command: "run";
  /** App root folder (absolute path). */
  root: string;
  port?: number;
}

export interface RunningApp {
  root: string;
  port: number;
  baseUrl: string;
  /** null when the app was started outside VS Code (or by a debug session) and is only being reused. */
  execution: vscode.TaskExecution | null;
  ready: boolean;
}

/** The CLI entry: setting, the app's own node_modules (walking up, for monorepos), then the copy in the extension. */
export function resolveCli(root: string, extensionPath: string): string | undefined {
  const explicit = config(vscode.Uri.file(root)).get<string>(Setting.runCliPath, "");
  if (explicit) return path.isAbsolute(explicit) ? explicit : path.join(root, explicit);
  for (let dir = root; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", "@reprise", "cli", "bin", "reprise.mjs");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  const bundled = path.join(extensionPath, "dist", "node_modules", "@reprise", "cli", "bin", "reprise.mjs");
  return fs.existsSync(bundled) ? bundled : undefined;
}

/** Answers true when anything speaks HTTP on 127.0.0.1:port (any status counts: the app is up). */
export function probe(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/", timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

export class AppRunner implements vscode.Disposable {
  private readonly running = new Map<string, RunningApp>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionPath: string, private readonly output: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.tasks.onDidEndTaskProcess((e) => this.onEnded(e.execution, e.exitCode)),
      vscode.tasks.onDidEndTask((e) => this.onEnded(e.execution, undefined)),
      vscode.tasks.registerTaskProvider(TASK_TYPE, {
        provideTasks: () => [],
        resolveTask: (task) => {
          const def = task.definition as RepriseTaskDefinition;
          return def.root ? this.createTask(def.root, def.port ?? runPort(vscode.Uri.file(def.root))) : undefined;
        },
      }),
    );
  }

  get(root: string): RunningApp | undefined {
    return this.running.get(root);
  }

  list(): RunningApp[] {
    return [...this.running.values()];
  }

  /** Port of the first running app, for the status bar. */
  firstPort(): number | null {
    for (const r of this.running.values()) if (r.ready) return r.port;
    return null;
  }

  createTask(root: string, port: number): vscode.Task | undefined {
    const cli = resolveCli(root, this.extensionPath);
    if (!cli) return undefined;
    const extra = config(vscode.Uri.file(root)).get<string[]>(Setting.runArgs, []);
    const def: RepriseTaskDefinition = { type: TASK_TYPE, command: "run", root, port };
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root)) ?? vscode.TaskScope.Workspace;
    const exec = new vscode.ProcessExecution(process.execPath, [cli, "run", root, "--port", String(port), "--watch", ...extra], {
      cwd: root,
      env: { ELECTRON_RUN_AS_NODE: "1" },
    });
    const task = new vscode.Task(def, folder, `run ${path.basename(root)}`, "reprise", exec, ["$reprise"]);
    task.isBackground = true;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Silent, panel: vscode.TaskPanelKind.Dedicated, clear: true };
    return task;
  }

  /**
   * Starts the app for `root`, or returns the instance already running. Resolves once the app answers HTTP
   * (or rejects when the process exits first / the deadline passes).
   */
  async start(root: string, timeoutMs = 120_000): Promise<RunningApp> {
    if (!vscode.workspace.isTrusted) throw new Error("Running the app is disabled in restricted mode. Trust the workspace to run it.");
    const existing = this.running.get(root);
    if (existing) return existing.ready ? existing : this.waitReady(existing, timeoutMs);
    const port = runPort(vscode.Uri.file(root));
    if (await probe(port)) {
      this.output.info(`An app already answers on port ${port}; reusing it.`);
      const reused: RunningApp = { root, port, baseUrl: `http://127.0.0.1:${port}`, execution: null, ready: true };
      this.running.set(root, reused);
      this.changed.fire();
      return reused;
    }
    const task = this.createTask(root, port);
    if (!task) throw new Error("The reprise CLI was not found: install `@reprise/cli` in the app (npm i -D @reprise/cli) or set reprise.run.cliPath.");
    this.output.info(`Starting ${task.execution instanceof vscode.ProcessExecution ? [task.execution.process, ...task.execution.args].join(" ") : "reprise run"}`);
    const execution = await vscode.tasks.executeTask(task);
    const app: RunningApp = { root, port, baseUrl: `http://127.0.0.1:${port}`, execution, ready: false };
    this.running.set(root, app);
    this.changed.fire();
    return this.waitReady(app, timeoutMs);
  }

  /** Records an app started by someone else (a debug session) so Call and the status bar use it. */
  adopt(root: string, port: number): RunningApp {
    const app: RunningApp = { root, port, baseUrl: `http://127.0.0.1:${port}`, execution: null, ready: false };
    this.running.set(root, app);
    this.changed.fire();
    return app;
  }

  forget(root: string): void {
    if (this.running.delete(root)) this.changed.fire();
  }

  async waitReady(app: RunningApp, timeoutMs: number): Promise<RunningApp> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.running.get(app.root) !== app) throw new Error("The app stopped before it was ready; see the task's terminal.");
      if (await probe(app.port, 500)) {
        app.ready = true;
        this.changed.fire();
        return app;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`The app did not answer on port ${app.port} within ${Math.round(timeoutMs / 1000)} s.`);
  }

  async stop(root?: string): Promise<void> {
    const targets = root ? [this.running.get(root)].filter((a): a is RunningApp => !!a) : this.list();
    for (const app of targets) {
      this.running.delete(app.root);
      app.execution?.terminate();
    }
    if (targets.length) this.changed.fire();
  }

  private onEnded(execution: vscode.TaskExecution, exitCode: number | undefined): void {
    for (const [root, app] of this.running) {
      const def = execution.task.definition as Partial<RepriseTaskDefinition>;
      if (app.execution && (app.execution === execution || (def.type === TASK_TYPE && def.root === root))) {
        this.running.delete(root);
        if (exitCode !== undefined && exitCode !== 0) this.output.warn(`reprise run exited with code ${exitCode}`);
        this.changed.fire();
      }
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}
