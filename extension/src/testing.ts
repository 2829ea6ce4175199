/**
 * The Testing view: an app's test files (`*.test.ts`, `*.spec.ts`, .mts/.js/.mjs) and the tests in them (found in
 * the source, testing-parse.ts), run and debugged per test, per file or all at once through `reprise test` (so
 * tests get the same isolated infrastructure as in the terminal). Results come from the JUnit report
 * `reprise test --junit` writes; a failure is shown at the failing line. A status bar item sums the last run up.
 * Discovery works in restricted mode; running and debugging refuse there.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import * as vscode from "vscode";
import { resolveCli } from "./run";
import { failureLocation, findTests, parseJunit, type FoundTest, type JunitCase } from "./testing-parse";

const TEST_GLOB = "**/*.{test,spec}.{ts,mts,js,mjs}";
const EXCLUDE = "**/{node_modules,.reprise,dist,.git}/**";

/** The app root holding `file`: the nearest folder with reprise.app or encore.app. */
export function appRootOf(file: string): string | null {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "reprise.app")) || fs.existsSync(path.join(dir, "encore.app"))) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

interface ItemData {
  root: string;
  file: string;
  /** Full test name path (suites then the test); empty for a file. */
  names: string[];
}

export class RepriseTesting implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController("reprise.tests", "Reprise");
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly status = vscode.window.createStatusBarItem("reprise.tests", vscode.StatusBarAlignment.Left, 9);
  private readonly disposables: vscode.Disposable[] = [];
  /** The summary of the last run, for tests of the extension. */
  lastSummary: { passed: number; failed: number; skipped: number } | null = null;
  /** Each test's outcome in the last run (by item id), for tests of the extension. */
  readonly lastResults = new Map<string, { status: "passed" | "failed" | "skipped" | "errored"; message?: string; location?: vscode.Location }>();

  constructor(private readonly extensionPath: string, private readonly output: vscode.LogOutputChannel) {
    this.status.name = "Reprise tests";
    this.status.command = "testing.showMostRecentOutput";
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discoverAll();
      else await this.refreshFile(item.uri!);
    };
    this.controller.refreshHandler = () => this.discoverAll();
    this.controller.createRunProfile("Run", vscode.TestRunProfileKind.Run, (req, token) => this.run(req, token, false), true);
    this.controller.createRunProfile("Debug", vscode.TestRunProfileKind.Debug, (req, token) => this.run(req, token, true), true);
    const watcher = vscode.workspace.createFileSystemWatcher(TEST_GLOB);
    watcher.onDidCreate((u) => void this.refreshFile(u));
    watcher.onDidChange((u) => void this.refreshFile(u));
    watcher.onDidDelete((u) => this.controller.items.delete(u.toString()));
    this.disposables.push(this.controller, this.status, watcher, vscode.workspace.onDidChangeTextDocument((e) => {
      if (this.controller.items.get(e.document.uri.toString())) this.fillFile(this.controller.items.get(e.document.uri.toString())!, e.document.getText());
    }));
  }

  async discoverAll(): Promise<void> {
    const uris = await vscode.workspace.findFiles(TEST_GLOB, EXCLUDE);
    const seen = new Set<string>();
    for (const uri of uris) {
      if (await this.refreshFile(uri)) seen.add(uri.toString());
    }
    this.controller.items.forEach((item) => {
      if (!seen.has(item.id)) this.controller.items.delete(item.id);
    });
  }

  /** Adds or updates a test file's item (only files inside an app); false when the file is not a test of an app. */
  async refreshFile(uri: vscode.Uri): Promise<boolean> {
    if (uri.scheme !== "file") return false;
    const root = appRootOf(uri.fsPath);
    if (!root) return false;
    let item = this.controller.items.get(uri.toString());
    if (!item) {
      item = this.controller.createTestItem(uri.toString(), path.relative(root, uri.fsPath), uri);
      this.data.set(item, { root, file: uri.fsPath, names: [] });
      this.controller.items.add(item);
    }
    let text: string;
    try {
      text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString("utf8");
    } catch {
      this.controller.items.delete(item.id);
      return false;
    }
    this.fillFile(item, text);
    return true;
  }

  private fillFile(file: vscode.TestItem, text: string): void {
    const d = this.data.get(file)!;
    const build = (found: FoundTest[], names: string[]): vscode.TestItem[] =>
      found.map((f) => {
        const full = [...names, f.name];
        const item = this.controller.createTestItem(`${file.id}#${full.join(" > ")}`, f.name, file.uri);
        item.range = new vscode.Range(f.line, f.column, f.line, f.column);
        this.data.set(item, { root: d.root, file: d.file, names: full });
        item.children.replace(build(f.children, full));
        return item;
      });
    file.children.replace(build(findTests(text), []));
  }

  /** Runs (or debugs) the given items as the Testing view's ▶ does. */
  runItems(items: vscode.TestItem[], debug = false): Promise<void> {
    return this.run(new vscode.TestRunRequest(items), new vscode.CancellationTokenSource().token, debug);
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken, debug: boolean): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage("Reprise: running tests is disabled in restricted mode.");
      return;
    }
    const run = this.controller.createTestRun(request);
    this.lastResults.clear();
    const queue: vscode.TestItem[] = [];
    if (request.include) queue.push(...request.include);
    else this.controller.items.forEach((i) => queue.push(i));
    const excluded = new Set(request.exclude ?? []);
    // One `reprise test` per file (per app), filtered by test name when only some tests of it were asked for.
    const byFile = new Map<string, { file: vscode.TestItem; items: vscode.TestItem[] }>();
    for (const item of queue) {
      if (excluded.has(item)) continue;
      const d = this.data.get(item);
      if (!d) continue;
      const fileItem = this.controller.items.get(vscode.Uri.file(d.file).toString());
      if (!fileItem) continue;
      const entry = byFile.get(d.file) ?? { file: fileItem, items: [] };
      entry.items.push(item);
      byFile.set(d.file, entry);
    }
    const summary = { passed: 0, failed: 0, skipped: 0 };
    try {
      for (const { file, items } of byFile.values()) {
        if (token.isCancellationRequested) break;
        const whole = items.includes(file);
        const leaves = (whole ? [file] : items).flatMap((i) => this.leaves(i));
        for (const l of leaves) run.started(l);
        const d = this.data.get(file)!;
        const names = whole ? null : items.map((i) => this.data.get(i)!.names);
        const cases = await this.execute(d, names, run, token, debug);
        if (cases === null) {
          for (const l of leaves) {
            run.errored(l, new vscode.TestMessage("reprise test did not produce a report (see the output)"));
            this.lastResults.set(l.id, { status: "errored" });
          }
          summary.failed += leaves.length;
          continue;
        }
        this.report(run, d, leaves, cases, summary);
      }
    } finally {
      run.end();
      this.lastSummary = summary;
      this.status.text = `$(beaker) ${summary.passed} passed${summary.failed ? `, $(error) ${summary.failed} failed` : ""}${summary.skipped ? `, ${summary.skipped} skipped` : ""}`;
      this.status.tooltip = "Reprise: the last test run";
      this.status.show();
    }
  }

  private leaves(item: vscode.TestItem): vscode.TestItem[] {
    if (item.children.size === 0) return this.data.get(item)?.names.length ? [item] : [];
    const out: vscode.TestItem[] = [];
    item.children.forEach((c) => out.push(...this.leaves(c)));
    return out;
  }

  private report(run: vscode.TestRun, d: ItemData, leaves: vscode.TestItem[], cases: JunitCase[], summary: { passed: number; failed: number; skipped: number }): void {
    for (const leaf of leaves) {
      const names = this.data.get(leaf)!.names;
      const name = names[names.length - 1]!;
      const suites = names.slice(0, -1).join(" > ");
      const c = cases.find((x) => x.name === name && x.suites.join(" > ") === suites) ?? cases.find((x) => x.name === name);
      if (!c || c.status === "skipped") {
        run.skipped(leaf);
        this.lastResults.set(leaf.id, { status: "skipped" });
        summary.skipped++;
      } else if (c.status === "passed") {
        run.passed(leaf, c.timeMs);
        this.lastResults.set(leaf.id, { status: "passed" });
        summary.passed++;
      } else {
        const msg = new vscode.TestMessage(c.message ?? c.details ?? "failed");
        const loc = failureLocation(c.details ?? c.message ?? "", [d.file, path.relative(d.root, d.file)]);
        if (loc) msg.location = new vscode.Location(vscode.Uri.file(d.file), new vscode.Position(loc.line - 1, Math.max(0, loc.column - 1)));
        run.failed(leaf, msg, c.timeMs);
        this.lastResults.set(leaf.id, { status: "failed", message: String(msg.message), location: msg.location });
        summary.failed++;
      }
    }
  }

  /** Runs `reprise test` for one file; resolves with the report's cases, or null when none was written. */
  private async execute(d: ItemData, names: string[][] | null, run: vscode.TestRun, token: vscode.CancellationToken, debug: boolean): Promise<JunitCase[] | null> {
    const cli = resolveCli(d.root, this.extensionPath);
    if (!cli) {
      run.appendOutput("Reprise: the reprise CLI was not found (npm i -D @reprise/cli, or set reprise.run.cliPath).\r\n");
      return null;
    }
    const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "reprise-vscode-test-")), "report.xml");
    const args = ["test", path.relative(d.root, d.file), "--junit", report];
    if (names) {
      const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      args.push("--name", `^(${names.map((n) => esc(n[n.length - 1]!)).join("|")})$`);
    }
    this.output.info(`Running ${[cli, ...args].join(" ")}`);
    try {
      if (debug) await this.debugRun(d.root, cli, args, token);
      else await this.spawnRun(d.root, cli, args, run, token);
      if (!fs.existsSync(report)) return null;
      return parseJunit(fs.readFileSync(report, "utf8"));
    } finally {
      fs.rmSync(path.dirname(report), { recursive: true, force: true });
    }
  }

  private spawnRun(root: string, cli: string, args: string[], run: vscode.TestRun, token: vscode.CancellationToken): Promise<number | null> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ELECTRON_RUN_AS_NODE: "1", FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
      const out = (b: Buffer) => run.appendOutput(b.toString("utf8").replace(/\r?\n/g, "\r\n"));
      child.stdout.on("data", out);
      child.stderr.on("data", out);
      const sub = token.onCancellationRequested(() => child.kill("SIGINT"));
      child.on("error", (e) => {
        run.appendOutput(`reprise test could not start: ${e.message}\r\n`);
      });
      child.on("close", (code) => {
        sub.dispose();
        resolve(code);
      });
    });
  }

  /** A node launch of `reprise test` under VS Code's JavaScript debugger, which follows the test processes. */
  private async debugRun(root: string, cli: string, args: string[], token: vscode.CancellationToken): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root));
    const name = `Reprise: debug tests (${path.basename(args[1]!)})`;
    const ended = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.name === name && !s.parentSession) {
          sub.dispose();
          resolve();
        }
      });
    });
    const started = await vscode.debug.startDebugging(folder, {
      type: "node",
      request: "launch",
      name,
      program: cli,
      args,
      cwd: root,
      autoAttachChildProcesses: true,
      sourceMaps: true,
      resolveSourceMapLocations: [path.join(root, "**"), "!**/node_modules/**"],
      skipFiles: ["<node_internals>/**"],
      console: "internalConsole",
      outputCapture: "std",
    });
    if (!started) return;
    const sub = token.onCancellationRequested(() => void vscode.debug.stopDebugging());
    await ended;
    sub.dispose();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
