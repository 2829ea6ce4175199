/** Shared by the extension-host suites: the extension's API, polling with a deadline, fixture paths. */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { RepriseApi } from "../src/extension";

export const EXTENSION_ID = "reprise.reprise-vscode";

export async function api(): Promise<RepriseApi> {
  const ext = vscode.extensions.getExtension<RepriseApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext.activate();
}

export async function poll<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function fixtureFile(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "a workspace folder is open");
  return vscode.Uri.joinPath(folder.uri, rel);
}

/** The code lenses VS Code shows for a file (resolved), retried until the server answered with commands. */
export async function lensesOf(rel: string): Promise<vscode.CodeLens[]> {
  const uri = fixtureFile(rel);
  return poll(`code lenses on ${rel}`, async () => {
    await vscode.workspace.openTextDocument(uri); // the renderer needs a model for the provider command
    const l = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri, 50);
    return l && l.some((x) => x.command?.title) ? l : undefined;
  });
}
