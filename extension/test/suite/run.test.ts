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
import type { CronRunOutcome } from "../../src/commands";
import type { ApiExplorerPanel } from "../../src/api-explorer-panel";

const STAND_IN = `// stand-in for \`reprise run <root> --port N --watch\` (extension tests only)
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
// Like reprise run: a token per run in <root>/.reprise/instances/<port>.json, required by the tool routes.
const token = crypto.randomBytes(32).toString("base64url");
const dir = path.join(process.argv[process.argv.indexOf("run") + 1], ".reprise", "instances");
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, port + ".json");
fs.writeFileSync(file, JSON.stringify({ port, pid: process.pid, token, url: "http://127.0.0.1:" + port }), { mode: 0o600 });
process.on("exit", () => fs.rmSync(file, { force: true }));
for (const s of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(s, () => process.exit(0));
// The runtime's admin routes, answered as the contract says (the UI steps of test/e2e/run.mjs use the real ones).
const admin = (req, body, res) => {
  const send = (status, v) => { res.statusCode = status; res.end(JSON.stringify(v)); };
  if (req.headers.authorization !== "Bearer " + token) return send(401, { code: "unauthenticated", message: "no token" });
  let m = new RegExp("^/__reprise/admin/cron/([^/]+)/run$").exec(req.url);
  if (m && req.method === "POST") {
    const job = decodeURIComponent(m[1]);
    if (job === "busy") return send(409, { code: "aborted", message: "the job is already running" });
    if (job !== "recount-users") return send(404, { code: "not_found", message: "no cron job " + job });
    return send(200, { job, endpoint: { service: "users", name: "recount" }, durationMs: 4 });
  }
  m = new RegExp("^/__reprise/admin/topics/([^/]+)/publish$").exec(req.url);
  if (m && req.method === "POST") {
    let msg = null;
    try { msg = JSON.parse(body); } catch {}
    if (!msg || typeof msg.email !== "string") return send(400, { code: "invalid_argument", message: "email: expected a string", details: null });
    return send(200, { messageId: "m-" + decodeURIComponent(m[1]) + "-" + msg.email });
  }
  return false;
};
http.createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (req.url.startsWith("/__reprise/admin/") && admin(req, body, res) !== false) return;
    // App routes echo what they got: the tool token must never reach them.
    res.end(JSON.stringify({ count: 3, url: req.url, method: req.method, args: process.argv.slice(2), authorization: req.headers.authorization ?? null }));
  });
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
    assert.equal(body.authorization, null, "the run's tool token is not sent to app routes");
    assert.ok(result.timeMs >= 0);
    assert.equal(a.apiExplorer()?.lastResult?.status, 200);
  });

  it("▶ Run now runs the cron job through the runtime's admin route and reports its duration or error code", async () => {
    const p = a.context.models.all()[0];
    const ok = await vscode.commands.executeCommand<CronRunOutcome>("reprise.runCronJob", { rootUri: p.rootUri, name: "recount-users", title: "Recount users", endpoint: { service: "users", name: "recount" } });
    assert.ok(ok?.result.ok, JSON.stringify(ok?.result));
    assert.equal(ok.result.value.durationMs, 4);
    assert.deepEqual(ok.result.value.endpoint, { service: "users", name: "recount" });
    const missing = await vscode.commands.executeCommand<CronRunOutcome>("reprise.runCronJob", { rootUri: p.rootUri, name: "no-such-job", title: "", endpoint: null });
    assert.ok(missing && !missing.result.ok && missing.result.status === 404 && missing.result.code === "not_found", JSON.stringify(missing?.result));
    const busy = await vscode.commands.executeCommand<CronRunOutcome>("reprise.runCronJob", { rootUri: p.rootUri, name: "busy", title: "Busy", endpoint: null });
    assert.equal(busy?.result.ok, false);
    assert.ok(busy && !busy.result.ok && busy.result.status === 409 && busy.result.code === "aborted", JSON.stringify(busy?.result));
  });

  it("✉ Publish opens the explorer in publish mode with the sample message and shows the message id or the refusal", async () => {
    const p = a.context.models.all()[0];
    const panel = await vscode.commands.executeCommand<ApiExplorerPanel>("reprise.publishMessage", { rootUri: p.rootUri, topic: "signups", sampleMessage: { email: "ada@example.com", plan: "free" }, subscribers: 1 });
    assert.deepEqual(panel.target, { kind: "topic", rootUri: p.rootUri, topic: "signups", sampleMessage: { email: "ada@example.com", plan: "free" } });
    const published = await panel.sendCurrent();
    assert.equal(published.status, 200, published.body);
    assert.equal(published.url, `http://127.0.0.1:${cfg().get("run.port")}/__reprise/admin/topics/signups/publish`);
    assert.deepEqual(JSON.parse(published.body), { messageId: "m-signups-ada@example.com" });
    // From the tree (no sample given): the message is built from the topic's schema (Signup { email, plan }).
    const fromTree = await vscode.commands.executeCommand<ApiExplorerPanel>("reprise.publishMessage", { kind: "topic", rootUri: p.rootUri, name: "signups" });
    assert.equal(fromTree, panel, "one explorer panel, switched to the other target");
    const sampled = await panel.sendCurrent();
    assert.equal(sampled.status, 200, sampled.body);
    assert.deepEqual(JSON.parse(sampled.body), { messageId: "m-signups-" }, "sample email is the empty string");
    assert.match(panel.panel.title, /Publish: signups/);
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
