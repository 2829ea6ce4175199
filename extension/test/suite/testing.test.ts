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
});
