/**
 * Restricted mode, in a real untrusted workspace (test/e2e/run.mjs starts this code-server with workspace trust
 * on and the folder not trusted; nothing here fakes `isTrusted`). Analysis still works — model, diagnostics,
 * informational lenses, diagram, explorer draft — and everything that would run the app's code refuses with a
 * message and starts nothing: no task, no debug session, no request to the app.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { api, fixtureFile, lensesOf, poll } from "../helpers";
import type { RepriseApi } from "../../src/extension";

describe("Restricted mode (untrusted workspace)", () => {
  let a: RepriseApi;
  let rootUri: string;

  before(async () => {
    a = await api();
    rootUri = (await a.context.whenModel(90_000)).rootUri;
  });

  it("the workspace is really untrusted and the extension still activates", () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const ext = vscode.extensions.getExtension("reprise.reprise-vscode")!;
    assert.equal(ext.isActive, true);
    assert.equal(ext.packageJSON.capabilities.untrustedWorkspaces.supported, "limited");
  });

  it("analyses the app: model, the seeded RP2001 diagnostic, restricted status", async () => {
    const services = a.context.models.get(rootUri)!.model.app.services.map((s) => s.name).sort();
    assert.deepEqual(services, ["hello", "users"]);
    const uri = fixtureFile("hello/hello.ts");
    await vscode.window.showTextDocument(uri);
    await poll("RP2001 on hello.ts", () => vscode.languages.getDiagnostics(uri).find((d) => String(typeof d.code === "object" ? d.code.value : d.code) === "RP2001"));
    assert.match(a.context.status.text, /\$\(shield\) Reprise/);
    assert.match(a.context.status.tooltip, /Restricted mode/);
  });

  it("shows the informational lenses only (no Run / Call / Debug / Run now / Publish)", async () => {
    const topic = await lensesOf("users/signups.ts");
    assert.deepEqual(topic.map((l) => l.command?.title), ["1 subscriber"]);
    // users.ts has only gated lenses (two endpoints and a cron job): the server's answer is filtered to nothing.
    // (The server answers from the current analysis, which the model above shows is done, so [] is final.)
    const doc = await vscode.workspace.openTextDocument(fixtureFile("users/users.ts"));
    const users = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", doc.uri, 50);
    assert.deepEqual(users.map((l) => l.command?.title), []);
    assert.ok(a.context.models.get(rootUri)!.model.app.cronJobs.some((c) => c.name === "recount-users"), "the cron job is there, its lens is hidden");
    const welcome = await lensesOf("hello/welcome.ts");
    assert.deepEqual(welcome.map((l) => l.command?.title), ["$(arrow-right) topic signups"]);
  });

  it("every command that would run the app refuses with a message and starts nothing", async () => {
    const started: string[] = [];
    const subs = [
      vscode.tasks.onDidStartTask((e) => started.push(`task ${e.execution.task.name}`)),
      vscode.debug.onDidStartDebugSession((s) => started.push(`debug ${s.type}`)),
    ];
    try {
      const endpoint = { rootUri, service: "users", endpoint: "count", method: "GET", methods: ["GET"], path: "/users/count", sampleRequest: null };
      const calls: [string, unknown][] = [
        ["reprise.run", vscode.Uri.parse(rootUri)],
        ["reprise.debug", vscode.Uri.parse(rootUri)],
        ["reprise.runEndpoint", endpoint],
        ["reprise.callEndpoint", endpoint],
        ["reprise.debugEndpoint", endpoint],
        ["reprise.runCronJob", { rootUri, name: "recount-users", title: "Recount users", endpoint: { service: "users", name: "recount" } }],
        ["reprise.publishMessage", { rootUri, topic: "signups", sampleMessage: { email: "x", plan: "free" }, subscribers: 1 }],
        ["reprise.generateClient", vscode.Uri.parse(rootUri)],
      ];
      for (const [command, arg] of calls) {
        const before = a.context.refusals.length;
        const result = await vscode.commands.executeCommand(command, arg);
        assert.equal(result, undefined, `${command} returned nothing`);
        assert.equal(a.context.refusals.length, before + 1, `${command} refused`);
        assert.match(a.context.refusals.at(-1)!, /disabled in restricted mode\. Trust the workspace/);
      }
      // F5: the debug configuration provider refuses too.
      const folder = vscode.workspace.workspaceFolders![0];
      assert.equal(await a.debugProvider.resolveDebugConfiguration(folder, { type: "reprise", request: "launch", name: "x" }), undefined);
      assert.equal(a.context.runner.list().length, 0, "no app was started");
      assert.deepEqual(started, []);
    } finally {
      for (const s of subs) s.dispose();
    }
  });

  it("the API explorer shows the draft but Send does not reach the app", async () => {
    const panel = await vscode.commands.executeCommand<{ sendCurrent(): Promise<{ error: string | null; status: number }>; dispose(): void }>(
      "reprise.openApiExplorer", { rootUri, service: "users", endpoint: "count" });
    const result = await panel.sendCurrent();
    assert.equal(result.status, 0);
    assert.match(result.error ?? "", /restricted mode/);
    panel.dispose();
  });

  it("draws the architecture diagram", async () => {
    await vscode.commands.executeCommand("reprise.showArchitecture");
    const panel = await poll("architecture panel", () => a.architecture());
    const rendered = await poll("a rendered diagram", () => panel.lastRendered ?? undefined);
    for (const id of ["service:hello", "service:users", "topic:signups"]) assert.ok(rendered.nodeIds.includes(id), `${id} in ${rendered.nodeIds.join(", ")}`);
    panel.dispose();
  });
  it("the Testing view lists an app's tests but ▶ / 🐞 refuse to run them", async () => {
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const app = fs.mkdtempSync(path.join(os.tmpdir(), "reprise-restricted-tests-"));
    try {
      fs.writeFileSync(path.join(app, "reprise.app"), "{}");
      fs.writeFileSync(path.join(app, "a.test.ts"), `import { test } from "node:test";\ntest("would run", () => {});\n`);
      const file = vscode.Uri.file(path.join(app, "a.test.ts"));
      assert.equal(await a.testing.refreshFile(file), true);
      const item = a.testing.controller.items.get(file.toString())!;
      assert.equal(item.children.size, 1);
      const sessions: string[] = [];
      const sub = vscode.debug.onDidStartDebugSession((s) => sessions.push(s.name));
      await a.testing.runItems([item]);
      await a.testing.runItems([item], true);
      sub.dispose();
      assert.equal(a.testing.lastSummary, null, "no run happened");
      assert.deepEqual(sessions, []);
    } finally {
      fs.rmSync(app, { recursive: true, force: true });
    }
  });
});
