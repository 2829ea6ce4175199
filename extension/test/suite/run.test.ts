/**
 * The extension's run plumbing (task, readiness, status bar, ⚡ Call through the API explorer, reuse, stop)
 * with a stand-in for `reprise run`: a 10-line HTTP server set as `reprise.run.cliPath`, so this test does not
 * depend on the Rust runtime. The real `reprise run` is exercised by the UI steps of test/e2e/run.mjs.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { RepriseApi } from "../../src/extension";
import type { CallResult } from "@reprise/webviews";

const STAND_IN = `// stand-in for \`reprise run <root> --port N --watch\` (extension tests only)
import http from "node:http";
const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
http.createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ count: 3, url: req.url, method: req.method, args: process.argv.slice(2) }));
}).listen(port, "127.0.0.1", () => console.log("Reprise: e2e-app running at http://127.0.0.1:" + port));
`;

describe("Run and Call (stand-in CLI)", () => {
  let a: RepriseApi;
  let root: string;
  const cfg = () => vscode.workspace.getConfiguration("reprise");

  before(async () => {
    a = await vscode.extensions.getExtension<RepriseApi>("reprise.reprise-vscode")!.activate();
    const p = await a.context.whenModel(90_000);
    root = vscode.Uri.parse(p.rootUri).fsPath;
    const cli = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "reprise-cli-")), "stand-in.mjs");
    fs.writeFileSync(cli, STAND_IN);
    await cfg().update("run.cliPath", cli, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await a?.context.runner.stop();
    await cfg().update("run.cliPath", undefined, vscode.ConfigurationTarget.Workspace);
    a?.apiExplorer()?.dispose();
  });

  it("▶ Run starts `reprise run` as a task and the status bar shows the port", async () => {
    const port = cfg().get<number>("run.port")!;
    const app = await vscode.commands.executeCommand<{ port: number; ready: boolean; execution: vscode.TaskExecution | null }>("reprise.run", vscode.Uri.file(root));
    assert.ok(app?.ready, "the app answered");
    assert.equal(app.port, port);
    assert.ok(app.execution, "started as a task");
    assert.equal(app.execution.task.definition.type, "reprise");
    assert.match(a.context.status.text, new RegExp(`running on :${port}`));
    const again = await vscode.commands.executeCommand<{ execution: unknown }>("reprise.run", vscode.Uri.file(root));
    assert.equal(again.execution, app.execution, "a second Run reuses the running instance");
  });

  it("⚡ Call sends the pre-filled request from the host and the explorer shows the answer", async () => {
    const p = a.context.models.all()[0];
    const result = await vscode.commands.executeCommand<CallResult>("reprise.callEndpoint", { rootUri: p.rootUri, service: "users", endpoint: "count" });
    assert.equal(result.error, null);
    assert.equal(result.status, 200);
    const body = JSON.parse(result.body);
    assert.equal(body.url, "/users/count");
    assert.equal(body.method, "GET");
    assert.deepEqual(body.args.slice(0, 4), ["run", root, "--port", String(cfg().get("run.port"))]);
    assert.ok(result.timeMs >= 0);
    assert.equal(a.apiExplorer()?.lastResult?.status, 200);
  });

  it("⏹ Stop ends the task and the status bar drops the port", async () => {
    await vscode.commands.executeCommand("reprise.stop");
    assert.equal(a.context.runner.list().length, 0);
    const deadline = Date.now() + 20_000;
    while (/running on/.test(a.context.status.text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.doesNotMatch(a.context.status.text, /running on/);
  });

  it("🐞 Debug runs the app under VS Code's Node debugger (the reprise type resolves to node) and Call reaches it", async () => {
    const p = a.context.models.all()[0];
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const sub = vscode.debug.onDidStartDebugSession((s) => { sub.dispose(); resolve(s); });
    });
    const result = await vscode.commands.executeCommand<CallResult>("reprise.debugEndpoint", { rootUri: p.rootUri, service: "users", endpoint: "count" });
    const session = await started;
    assert.match(session.type, /node/, `debug type ${session.type}`);
    assert.equal(result.status, 200);
    assert.equal(JSON.parse(result.body).url, "/users/count");
    const ended = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession(() => { sub.dispose(); resolve(); });
    });
    await vscode.commands.executeCommand("reprise.stop");
    await ended;
    assert.equal(a.context.runner.list().length, 0);
  });
});
