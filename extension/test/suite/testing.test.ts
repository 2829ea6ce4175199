/**
 * The Testing view (src/testing.ts) with the real `reprise test`: the orders fixture app
 * (test/testing/fixtures/orders-app, copied to a temporary folder) is discovered (files and tests from the source),
 * one test is run and passes; the assertion is broken on disk and the same test fails, its message placed at the
 * failing line; the status bar sums the run up.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { RepriseApi } from "../../src/extension";

// extension/dist/tsc/test/suite → the repository.
const REPO = path.resolve(__dirname, "..", "..", "..", "..", "..");

describe("Testing view", function () {
  this.timeout(240_000);
  const cfg = () => vscode.workspace.getConfiguration("reprise");
  let app: string;
  let api: RepriseApi;

  before(async () => {
    api = (await vscode.extensions.getExtension("reprise.reprise-vscode")!.activate()) as RepriseApi;
    app = fs.mkdtempSync(path.join(os.tmpdir(), "reprise-testing-view-"));
    fs.cpSync(path.join(REPO, "test", "testing", "fixtures", "orders-app"), app, { recursive: true });
    await cfg().update("run.cliPath", path.join(REPO, "cli", "bin", "reprise.mjs"), vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await cfg().update("run.cliPath", undefined, vscode.ConfigurationTarget.Workspace);
    fs.rmSync(app, { recursive: true, force: true });
  });

  it("discovers a test file's tests, runs one (pass), then shows a broken assertion's failure at its line", async () => {
    const testing = api.testing;
    const file = vscode.Uri.file(path.join(app, "orders", "orders.test.ts"));
    assert.equal(await testing.refreshFile(file), true);
    const fileItem = testing.controller.items.get(file.toString())!;
    assert.ok(fileItem, "the test file is in the Testing view");
    assert.equal(fileItem.label, path.join("orders", "orders.test.ts"));
    const names: string[] = [];
    fileItem.children.forEach((c) => names.push(c.label));
    assert.ok(names.includes("an unknown order is a not-found APIError"), names.join(", "));
    assert.ok(names.includes("a published message reaches its subscriber"));
    let first!: vscode.TestItem;
    fileItem.children.forEach((c) => {
      if (c.label === "an order placed through one endpoint is read back through another") first = c;
    });
    assert.equal(first.range?.start.line, 7);

    await testing.runItems([first]);
    assert.equal(testing.lastResults.get(first.id)?.status, "passed", JSON.stringify([...testing.lastResults]));
    assert.deepEqual(testing.lastSummary, { passed: 1, failed: 0, skipped: 0 });

    fs.writeFileSync(file.fsPath, fs.readFileSync(file.fsPath, "utf8").replace(`assert.equal(o.sku, "mug-1");`, `assert.equal(o.sku, "mug-2");`));
    await testing.refreshFile(file);
    let again!: vscode.TestItem;
    testing.controller.items.get(file.toString())!.children.forEach((c) => {
      if (c.label === first.label) again = c;
    });
    await testing.runItems([again]);
    const r = testing.lastResults.get(again.id);
    assert.equal(r?.status, "failed");
    assert.match(r!.message!, /mug-2/);
    assert.equal(r!.location?.uri.fsPath, file.fsPath);
    assert.equal(r!.location?.range.start.line, 9, "the failing assertion's line (0-based)");
    assert.deepEqual(testing.lastSummary, { passed: 0, failed: 1, skipped: 0 });
  });

  it("🐞 Debug runs the test under VS Code's Node debugger, stops at a breakpoint in handler code (.ts), and reports the result", async () => {
    const testing = api.testing;
    const file = vscode.Uri.file(path.join(app, "orders", "orders.test.ts"));
    await testing.refreshFile(file);
    let item!: vscode.TestItem;
    testing.controller.items.get(file.toString())!.children.forEach((c) => {
      if (c.label === "an unknown order is a not-found APIError") item = c;
    });
    // A breakpoint in the handler the test calls (orders.ts, `get`'s not-found branch): it must stop there.
    const handlerFile = vscode.Uri.file(path.join(app, "orders", "orders.ts"));
    const line = fs.readFileSync(handlerFile.fsPath, "utf8").split("\n").findIndex((l) => l.includes("APIError.notFound("));
    assert.ok(line > 0);
    const bp = new vscode.SourceBreakpoint(new vscode.Location(handlerFile, new vscode.Position(line, 0)));
    vscode.debug.addBreakpoints([bp]);
    const stops: { file: string; line: number }[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory("*", {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: async (m: { type: string; event?: string; body?: { reason?: string; threadId?: number } }) => {
          if (m.type !== "event" || m.event !== "stopped" || m.body?.reason !== "breakpoint") return;
          try {
            const st = await session.customRequest("stackTrace", { threadId: m.body.threadId, startFrame: 0, levels: 1 });
            const top = st.stackFrames[0];
            stops.push({ file: top?.source?.path ?? "", line: top?.line ?? 0 });
          } finally {
            await session.customRequest("continue", { threadId: m.body.threadId });
          }
        },
      }),
    });
    const sessions: vscode.DebugSession[] = [];
    const sub = vscode.debug.onDidStartDebugSession((s) => sessions.push(s));
    try {
      await testing.runItems([item], true);
    } finally {
      sub.dispose();
      tracker.dispose();
      vscode.debug.removeBreakpoints([bp]);
    }
    assert.deepEqual(stops.map((s) => [path.basename(s.file), s.line]), [["orders.ts", line + 1]], "stopped once at the handler's breakpoint (.ts line)");
    assert.ok(sessions.some((s) => s.configuration.type === "pwa-node" || s.configuration.type === "node"), sessions.map((s) => s.configuration.type).join(", "));
    assert.ok(sessions.some((s) => String(s.configuration.program ?? "").endsWith("reprise.mjs") || s.name.startsWith("Reprise: debug tests")));
    assert.equal(testing.lastResults.get(item.id)?.status, "passed", JSON.stringify([...testing.lastResults]));
  });
});
