/**
 * `Reprise: New Service / Endpoint / Topic + Subscription / Database / Cron Job / Bucket / Secret`: palette commands
 * that ask for the names (checked by the language server as they are typed: `reprise.server.create` with
 * `apply: false`), then apply the server's edit, save the touched files and open the new declaration. The code
 * itself comes from the server (the analyser's scaffold), so Neovim and Helix users get the same result through
 * `workspace/executeCommand`.
 *
 * Each command also takes its answers as one argument (`{ name, service, ... }`, the CreateCommandArgs fields
 * without `kind`), which skips the prompts (tests and keybindings use it).
 */
import * as vscode from "vscode";
import { CreateCommand, type CreateCommandArgs, type CreateCommandResult, type CreateKind } from "@reprise/protocol";
import type { RepriseContext } from "./context";

type Answers = Omit<CreateCommandArgs, "kind" | "apply">;

const LABEL: Record<CreateKind, string> = {
  service: "service",
  endpoint: "endpoint",
  topic: "topic",
  database: "database",
  cron: "cron job",
  bucket: "bucket",
  secret: "secret",
};

export const CREATE_COMMANDS: Record<string, CreateKind> = {
  "reprise.newService": "service",
  "reprise.newEndpoint": "endpoint",
  "reprise.newTopic": "topic",
  "reprise.newDatabase": "database",
  "reprise.newCronJob": "cron",
  "reprise.newBucket": "bucket",
  "reprise.newSecret": "secret",
};

export function createCommandTable(ctx: RepriseContext): Record<string, (arg?: unknown) => Promise<CreateCommandResult | undefined>> {
  const table: Record<string, (arg?: unknown) => Promise<CreateCommandResult | undefined>> = {};
  for (const [id, kind] of Object.entries(CREATE_COMMANDS)) table[id] = (arg) => createResource(ctx, kind, arg);
  return table;
}

async function ask(ctx: RepriseContext, args: CreateCommandArgs): Promise<CreateCommandResult> {
  const client = ctx.client;
  if (!client) throw new Error("the language server is not running");
  return (await client.sendRequest("workspace/executeCommand", { command: CreateCommand, arguments: [{ ...args, apply: false }] })) as CreateCommandResult;
}

async function createResource(ctx: RepriseContext, kind: CreateKind, arg: unknown): Promise<CreateCommandResult | undefined> {
  const given = arg && typeof arg === "object" && !(arg instanceof vscode.Uri) ? (arg as Answers) : undefined;
  try {
    if (!ctx.client?.isRunning()) await ctx.startClient();
    const roots = ctx.models.all();
    let rootUri = given?.rootUri ?? ctx.models.rootFor(vscode.window.activeTextEditor?.document.uri)?.rootUri;
    if (!given && roots.length > 1) {
      const pick = await vscode.window.showQuickPick(roots.map((r) => ({ label: vscode.workspace.asRelativePath(vscode.Uri.parse(r.rootUri)), rootUri: r.rootUri })), { placeHolder: "Which app?" });
      if (!pick) return undefined;
      rootUri = pick.rootUri;
    }
    if (!rootUri) {
      void vscode.window.showWarningMessage("Reprise: no app found (a folder with encore.app or reprise.app).");
      return undefined;
    }
    const answers = given ?? (await prompt(ctx, kind, rootUri));
    if (!answers) return undefined;
    const result = await ask(ctx, { ...answers, kind, rootUri });
    if (!result.ok) {
      void vscode.window.showErrorMessage(`Reprise: ${result.problem}`);
      return result;
    }
    const converter = ctx.client!.protocol2CodeConverter;
    const edit = await converter.asWorkspaceEdit(result.edit as Parameters<typeof converter.asWorkspaceEdit>[0]);
    if (!edit || !(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(`Reprise: could not apply "${result.title}".`);
      return { ...result, applied: false };
    }
    // The edit leaves the new and changed files dirty; save them so the app (and `reprise run`) sees them.
    for (const [uri] of edit.entries()) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (doc?.isDirty) await doc.save();
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(result.uri));
    const r = result.range;
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character) });
    ctx.output.info(`created: ${result.title}`);
    return { ...result, applied: true };
  } catch (e) {
    const message = `creating a ${LABEL[kind]} failed: ${(e as Error).message}`;
    ctx.output.error(message);
    void vscode.window.showErrorMessage(`Reprise: ${message}`);
    return { ok: false, problem: message };
  }
}

/** Asks for the answers one box at a time; undefined when the user cancels. */
async function prompt(ctx: RepriseContext, kind: CreateKind, rootUri: string): Promise<Answers | undefined> {
  const model = ctx.models.get(rootUri)?.model.app;
  const answers: Answers = { name: "" };
  if (kind !== "service") {
    const services = model?.services ?? [];
    if (!services.length) {
      void vscode.window.showWarningMessage(`Reprise: the app has no service yet; run "Reprise: New Service" first.`);
      return undefined;
    }
    const activeDir = vscode.window.activeTextEditor?.document.uri.toString();
    const items = services
      .map((s) => ({ label: s.name, description: s.dir || "(app root)", active: !!activeDir && activeDir.startsWith(`${rootUri.replace(/\/$/, "")}/${s.dir}/`) }))
      .sort((a, b) => Number(b.active) - Number(a.active));
    const pick = await vscode.window.showQuickPick(items, { placeHolder: `Service the new ${LABEL[kind]} goes into` });
    if (!pick) return undefined;
    answers.service = pick.label;
  }
  if (kind === "endpoint") {
    const method = await vscode.window.showQuickPick(["GET", "POST", "PUT", "PATCH", "DELETE"], { placeHolder: "HTTP method" });
    if (!method) return undefined;
    answers.method = method;
  }
  const placeholder: Record<CreateKind, string> = {
    service: "Service name, e.g. billing (also its folder)",
    endpoint: "Endpoint name (the exported variable), e.g. list",
    topic: "Topic name, e.g. user-signups",
    database: "Database name, e.g. orders",
    cron: "Cron job id, e.g. nightly-cleanup",
    bucket: "Bucket name, e.g. avatars (lowercase, digits, '-')",
    secret: "Secret name, e.g. StripeKey",
  };
  const name = await vscode.window.showInputBox({
    title: `Reprise: New ${LABEL[kind]}`,
    prompt: placeholder[kind],
    ignoreFocusOut: true,
    // The server checks the name with the analyser's rules (taken, reserved, invalid) as it is typed.
    validateInput: async (value) => {
      if (!value.trim()) return "Enter a name.";
      try {
        const r = await ask(ctx, { ...answers, name: value, kind, rootUri, ...(kind === "endpoint" ? { path: `/${answers.service}/${value}` } : {}) });
        return r.ok ? undefined : r.problem;
      } catch {
        return undefined;
      }
    },
  });
  if (!name) return undefined;
  answers.name = name.trim();
  if (kind === "endpoint") {
    const path = await vscode.window.showInputBox({ title: "Reprise: New endpoint", prompt: "Path (':id' for a parameter, '*rest' for a wildcard)", value: `/${answers.service}/${answers.name}`, ignoreFocusOut: true,
      validateInput: async (value) => {
        const r = await ask(ctx, { ...answers, path: value, kind, rootUri }).catch(() => undefined);
        return r && !r.ok ? r.problem : undefined;
      } });
    if (path === undefined) return undefined;
    answers.path = path;
  }
  if (kind === "topic") {
    const sub = await vscode.window.showInputBox({ title: "Reprise: New topic", prompt: "Name of its first subscription", value: `${answers.name}-handler`, ignoreFocusOut: true,
      validateInput: async (value) => {
        const r = await ask(ctx, { ...answers, subscription: value, kind, rootUri }).catch(() => undefined);
        return r && !r.ok ? r.problem : undefined;
      } });
    if (sub === undefined) return undefined;
    answers.subscription = sub;
  }
  if (kind === "cron") {
    const every = await vscode.window.showQuickPick(["5m", "15m", "30m", "1h", "6h", "12h", "24h"], { placeHolder: "Run every (UTC, counted from midnight)" });
    if (!every) return undefined;
    answers.every = every;
  }
  return answers;
}
