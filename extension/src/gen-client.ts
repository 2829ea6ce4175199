/**
 * `Reprise: Generate Client…`: runs `reprise gen client` (the CLI the run command uses) for an app and writes the
 * TypeScript client or the OpenAPI document where the user says; the choice is kept in the workspace settings
 * `reprise.client.output` / `reprise.client.lang` (paths relative to the app root). With
 * `reprise.client.regenerateOnSave` on, saving a TypeScript file of that app regenerates the client (debounced; a
 * save that leaves the app with errors keeps the previous client and says so in the output). Nothing runs in an
 * untrusted workspace: the CLI found may be the workspace's own.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import * as vscode from "vscode";
import { resolveCli } from "./run";
import { config, Setting } from "./settings";

export type ClientLang = "typescript" | "openapi";

export interface GenerateRequest {
  root: string;
  lang: ClientLang;
  /** Absolute output path. */
  out: string;
}

export interface GenerateResult {
  ok: boolean;
  /** The CLI's exit code (1: the app has errors, 2: usage or IO). */
  code: number;
  message: string;
}

export class ClientGenerator implements vscode.Disposable {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Completed regenerations triggered by a save, newest last (read by the tests). */
  readonly regenerated: GenerateResult[] = [];

  constructor(
    private readonly extensionPath: string,
    readonly output: vscode.LogOutputChannel,
    private readonly rootOf: (uri: vscode.Uri) => string | undefined,
  ) {
    this.disposables.push(vscode.workspace.onDidSaveTextDocument((doc) => this.onSave(doc)));
  }

  /** Runs the CLI; never throws (a failure is the result). */
  generate(req: GenerateRequest): Promise<GenerateResult> {
    const cli = resolveCli(req.root, this.extensionPath);
    if (!cli) return Promise.resolve({ ok: false, code: 2, message: "the reprise CLI was not found (npm i -D @reprise/cli, or set reprise.run.cliPath)" });
    const args = [cli, "gen", "client", req.root, "--lang", req.lang, "--out", req.out];
    return new Promise((resolve) => {
      execFile(process.execPath, args, { cwd: req.root, env: { ...process.env, ELECTRON_RUN_AS_NODE: "1", NO_COLOR: "1" }, timeout: 120_000 }, (err, _stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 2) : 0;
        const message = code === 0 ? `wrote ${req.out}` : stderr.trim() || String(err?.message ?? err);
        this.output.info(`reprise gen client ${req.lang} (${req.root}): ${code === 0 ? message : `exit ${code}\n${message}`}`);
        resolve({ ok: code === 0, code, message });
      });
    });
  }

  /** The saved output of an app (absolute), from `reprise.client.output`; undefined when none was chosen. */
  savedTarget(root: string): { lang: ClientLang; out: string } | undefined {
    const c = config(vscode.Uri.file(root));
    const out = c.get<string>(Setting.clientOutput, "");
    if (!out) return undefined;
    return { lang: c.get<ClientLang>(Setting.clientLang, "typescript") === "openapi" ? "openapi" : "typescript", out: path.isAbsolute(out) ? out : path.join(root, out) };
  }

  private onSave(doc: vscode.TextDocument): void {
    if (!vscode.workspace.isTrusted || !/\.(ts|mts|tsx)$/.test(doc.fileName) || doc.uri.scheme !== "file") return;
    const root = this.rootOf(doc.uri);
    if (!root || !config(vscode.Uri.file(root)).get<boolean>(Setting.clientRegenerateOnSave, false)) return;
    const target = this.savedTarget(root);
    if (!target || path.resolve(doc.fileName) === path.resolve(target.out)) return;
    const rel = path.relative(root, doc.fileName);
    if (rel.startsWith("..") || rel.split(path.sep).some((p) => p === "node_modules" || p.startsWith("."))) return;
    clearTimeout(this.pending.get(root));
    this.pending.set(
      root,
      setTimeout(() => {
        this.pending.delete(root);
        void this.generate({ root, ...target }).then((r) => {
          this.regenerated.push(r);
          if (!r.ok) vscode.window.setStatusBarMessage(`Reprise: client not regenerated (${r.code === 1 ? "the app has errors" : "see the Reprise output"})`, 5000);
        });
      }, 300),
    );
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * The command. Called with `{ root, lang, out }` it runs without asking (tests, keybindings); otherwise it asks
 * for the language and the file (defaulting to the saved choice) and saves the choice in the workspace settings.
 */
export async function generateClientCommand(gen: ClientGenerator, root: string, arg: Partial<GenerateRequest> | undefined): Promise<GenerateResult | undefined> {
  let lang = arg?.lang;
  let out = arg?.out;
  const saved = gen.savedTarget(root);
  if (!lang) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: "TypeScript", description: "dependency-free client on fetch (browsers, Node, Deno)", lang: "typescript" as const },
        { label: "OpenAPI 3.1", description: "JSON document", lang: "openapi" as const },
      ].sort((a) => (a.lang === saved?.lang ? -1 : 0)),
      { placeHolder: "Generate a client in which language?" },
    );
    if (!pick) return undefined;
    lang = pick.lang;
  }
  if (!out) {
    const fallback = path.join(root, lang === "openapi" ? "openapi.json" : "client.ts");
    const uri = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(saved?.lang === lang ? saved.out : fallback),
      filters: lang === "openapi" ? { "OpenAPI (JSON)": ["json"] } : { TypeScript: ["ts"] },
      title: "Reprise: write the client to",
    });
    if (!uri) return undefined;
    out = uri.fsPath;
  }
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: "Reprise: generating the client" }, () => gen.generate({ root, lang: lang!, out: out! }));
  if (result.ok) {
    const c = config(vscode.Uri.file(root));
    const rel = path.relative(root, out);
    const target = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root)) ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace;
    try {
      await c.update(Setting.clientOutput, rel.startsWith("..") ? out : rel, target);
      await c.update(Setting.clientLang, lang, target);
    } catch (e) {
      gen.output.warn(`could not save the client's location in the settings: ${(e as Error).message}`);
    }
    if (!arg?.out) void vscode.window.showInformationMessage(`Reprise: client written to ${vscode.workspace.asRelativePath(out)}`);
  } else void vscode.window.showErrorMessage(`Reprise: could not generate the client: ${result.message.split("\n").slice(-1)[0]}`);
  return result;
}
