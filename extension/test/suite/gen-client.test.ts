/**
 * `Reprise: Generate Client…` with the real CLI (reprise.run.cliPath set to the repository's): the command writes
 * the TypeScript client of an app and remembers where; with `reprise.client.regenerateOnSave` on, saving an API
 * file of the workspace's app runs the generator again, and since that app carries the suite's seeded error
 * (RP2001), the previous client is kept and the failure is reported (exit code 1).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { RepriseApi } from "../../src/extension";
import type { GenerateResult } from "../../src/gen-client";
import { poll } from "../helpers";

// extension/dist/tsc/test/suite → the repository root.
const REPO = path.resolve(__dirname, "..", "..", "..", "..", "..");

const APP: Record<string, string> = {
  "encore.app": '{ "id": "gen-client-app" }',
  "shop-front/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("shop-front");\n',
  "shop-front/api.ts": 'import { api } from "encore.dev/api";\nexport const ping = api({ expose: true, method: "GET", path: "/ping/:n" }, async ({ n }: { n: number }): Promise<{ at: Date; n: number }> => ({ at: new Date(), n }));\n',
};

describe("Generate Client", () => {
  let a: RepriseApi;
  let root: string;
  const cfg = () => vscode.workspace.getConfiguration("reprise");

  before(async () => {
    a = await vscode.extensions.getExtension<RepriseApi>("reprise.reprise-vscode")!.activate();
    root = vscode.Uri.parse((await a.context.whenModel(90_000)).rootUri).fsPath;
    await cfg().update("run.cliPath", path.join(REPO, "cli", "bin", "reprise.mjs"), vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    // The command saves its choice per folder when the app is in a workspace folder, else for the workspace.
    const folder = vscode.workspace.getConfiguration("reprise", vscode.Uri.file(root));
    for (const k of ["run.cliPath", "client.output", "client.lang", "client.regenerateOnSave"]) {
      await cfg().update(k, undefined, vscode.ConfigurationTarget.Workspace);
      if (folder.inspect(k)?.workspaceFolderValue !== undefined) await folder.update(k, undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    }
  });

  it("writes the TypeScript client of an app (kebab-case service → identifier)", async () => {
    const app = fs.mkdtempSync(path.join(os.tmpdir(), "reprise-gen-app-"));
    for (const [p, text] of Object.entries(APP)) {
      fs.mkdirSync(path.dirname(path.join(app, p)), { recursive: true });
      fs.writeFileSync(path.join(app, p), text);
    }
    const out = path.join(app, "client", "client.ts");
    const result = await vscode.commands.executeCommand<GenerateResult>("reprise.generateClient", { root: app, lang: "typescript", out });
    assert.ok(result?.ok, `generated: ${result?.message}`);
    const text = fs.readFileSync(out, "utf8");
    assert.match(text, /export namespace shop_front \{/);
    assert.match(text, /async ping\(params: shop_front\.PingRequest\): Promise<shop_front\.PingResponse>/);
    fs.rmSync(app, { recursive: true, force: true });
  });

  it("regenerates on save of an API file when the setting is on; an app with errors keeps the previous client", async () => {
    const out = path.join(root, "client.ts");
    await cfg().update("client.output", "client.ts", vscode.ConfigurationTarget.Workspace);
    await cfg().update("client.regenerateOnSave", true, vscode.ConfigurationTarget.Workspace);
    fs.writeFileSync(out, "// previous client\n");
    const before = a.context.clientGenerator.regenerated.length;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(root, "users", "users.ts")));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(doc.lineCount, 0), "\n");
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await doc.save());
    const r = await poll("regeneration after save", () => a.context.clientGenerator.regenerated[before], 60_000);
    assert.equal(r.ok, false);
    assert.equal(r.code, 1, r.message);
    assert.match(r.message, /RP2001/);
    assert.equal(fs.readFileSync(out, "utf8"), "// previous client\n");
    fs.rmSync(out, { force: true });
  });
});
