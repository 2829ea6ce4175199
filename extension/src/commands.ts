/**
 * Command factories: each takes the owner context and returns the handler. Lens commands accept the argument
 * shapes the language server sends (see protocol/src/lsp.ts, `ClientCommand`) and the tree's nodes, so the same
 * command works from a code lens, the tree and the command palette.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import type { RepriseContext } from "./context";
import { ArchitecturePanel } from "./architecture-panel";
import { ApiExplorerPanel, type EndpointRef } from "./api-explorer-panel";
import { DEBUG_TYPE, type RepriseLaunchConfig } from "./debug";
import { sendDraft } from "./http-call";
import { draftRequest } from "@reprise/webviews";
import type { TreeNode } from "./tree";
import { runPort } from "./settings";

type Handler = (...args: unknown[]) => unknown;

export function commandTable(ctx: RepriseContext): Record<string, Handler> {
  return {
    "reprise.run": (arg) => runApp(ctx, arg),
    "reprise.stop": (arg) => stopApp(ctx, arg),
    "reprise.debug": (arg) => debugApp(ctx, arg),
    "reprise.showArchitecture": (arg) => {
      const root = rootUriOf(ctx, arg);
      return ArchitecturePanel.show(ctx.extension.extensionUri, ctx.models, root);
    },
    "reprise.openApiExplorer": (arg) => openExplorer(ctx, arg, false),
    "reprise.runEndpoint": (arg) => runEndpoint(ctx, arg),
    "reprise.callEndpoint": (arg) => openExplorer(ctx, arg, true),
    "reprise.debugEndpoint": (arg) => debugEndpoint(ctx, arg),
    "reprise.runCronJob": (arg) => runCronJob(ctx, arg),
    "reprise.showLocations": (arg) => showLocations(arg),
    "reprise.restartServer": () => ctx.restartClient(),
    "reprise.showOutput": () => ctx.output.show(true),
    "reprise.showActions": () => showActions(ctx),
  };
}

// ---------- argument normalisation ----------

function endpointRefOf(arg: unknown): EndpointRef | undefined {
  if (!arg || typeof arg !== "object") return undefined;
  const a = arg as Record<string, unknown>;
  if (a.kind === "endpoint" && typeof a.rootUri === "string") {
    const n = arg as Extract<TreeNode, { kind: "endpoint" }>;
    return { rootUri: n.rootUri, service: n.service, endpoint: n.endpoint.name };
  }
  if (typeof a.rootUri === "string" && typeof a.service === "string" && typeof a.endpoint === "string") {
    return { rootUri: a.rootUri, service: a.service, endpoint: a.endpoint };
  }
  return undefined;
}

/** App root URI for a command argument (Uri, tree node, lens args) or the active editor. */
function rootUriOf(ctx: RepriseContext, arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return ctx.models.rootFor(arg)?.rootUri ?? arg.toString();
  if (arg && typeof arg === "object" && typeof (arg as { rootUri?: unknown }).rootUri === "string") return (arg as { rootUri: string }).rootUri;
  return ctx.models.rootFor(vscode.window.activeTextEditor?.document.uri)?.rootUri;
}

async function rootPathOf(ctx: RepriseContext, arg: unknown): Promise<string | undefined> {
  const uri = rootUriOf(ctx, arg);
  if (uri) return vscode.Uri.parse(uri).fsPath;
  // No model yet (server still starting): find the app file ourselves.
  const files = await vscode.workspace.findFiles("**/{encore,reprise}.app", "**/node_modules/**", 20);
  if (files.length <= 1) return files[0] ? path.dirname(files[0].fsPath) : undefined;
  const pick = await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(path.dirname(f.fsPath)), root: path.dirname(f.fsPath) })), { placeHolder: "Which app?" });
  return pick?.root;
}

// ---------- run / stop / debug ----------

async function runApp(ctx: RepriseContext, arg: unknown) {
  const root = await rootPathOf(ctx, arg);
  if (!root) return void vscode.window.showWarningMessage("Reprise: no app found (a folder with encore.app or reprise.app).");
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: "Reprise: starting the app" }, () => ctx.runner.start(root));
  } catch (e) {
    void vscode.window.showErrorMessage(`Reprise: ${(e as Error).message}`);
    return undefined;
  }
}

async function stopApp(ctx: RepriseContext, arg: unknown) {
  const root = arg ? await rootPathOf(ctx, arg) : undefined;
  await ctx.runner.stop(root);
  for (const s of [...ctx.debugSessions.values()]) if (!root || s.root === root) await vscode.debug.stopDebugging(s.session);
}

/** A `reprise` entry of launch.json for this folder, when the user has one (reused rather than synthesised). */
function launchJsonConfig(folder: vscode.WorkspaceFolder | undefined): RepriseLaunchConfig | undefined {
  const configs = vscode.workspace.getConfiguration("launch", folder).get<vscode.DebugConfiguration[]>("configurations", []);
  return configs.find((c) => c.type === DEBUG_TYPE && c.request === "launch") as RepriseLaunchConfig | undefined;
}

async function debugApp(ctx: RepriseContext, arg: unknown): Promise<number | undefined> {
  const root = await rootPathOf(ctx, arg);
  if (!root) return undefined;
  const existing = ctx.runner.get(root);
  if (existing) return existing.port;
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root));
  const config: RepriseLaunchConfig = { ...(launchJsonConfig(folder) ?? { type: DEBUG_TYPE, request: "launch", name: "Reprise: debug app" }), root };
  const ok = await vscode.debug.startDebugging(folder, config);
  if (!ok) return undefined;
  const port = config.port ?? runPort(vscode.Uri.file(root));
  const app = ctx.runner.adopt(root, port);
  await ctx.runner.waitReady(app, 120_000);
  return port;
}

// ---------- endpoints ----------

async function runEndpoint(ctx: RepriseContext, arg: unknown) {
  const ref = endpointRefOf(arg);
  const app = await runApp(ctx, ref ? { rootUri: ref.rootUri } : arg);
  if (app && ref) ApiExplorerPanel.show(explorerDeps(ctx), ref);
  return app;
}

async function pickEndpoint(ctx: RepriseContext): Promise<EndpointRef | undefined> {
  const items = ctx.models.all().flatMap((p) =>
    p.model.app.services.flatMap((s) => s.endpoints.map((e) => ({ label: `${s.name}.${e.name}`, description: `${e.method.join(",")} ${e.path}`, ref: { rootUri: p.rootUri, service: s.name, endpoint: e.name } }))));
  if (!items.length) {
    void vscode.window.showInformationMessage("Reprise: no endpoints found yet.");
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder: "Endpoint to open in the API explorer" }))?.ref;
}

const explorerDeps = (ctx: RepriseContext) => ({ extensionUri: ctx.extension.extensionUri, models: ctx.models, runner: ctx.runner });

async function openExplorer(ctx: RepriseContext, arg: unknown, sendOnce: boolean) {
  const ref = endpointRefOf(arg) ?? (await pickEndpoint(ctx));
  if (!ref) return undefined;
  const panel = ApiExplorerPanel.show(explorerDeps(ctx), ref);
  if (!sendOnce) return panel;
  const root = vscode.Uri.parse(ref.rootUri).fsPath;
  if (!ctx.runner.get(root)?.ready) {
    if (!vscode.workspace.isTrusted) return panel; // shows "app not running"; nothing starts in restricted mode
    const app = await runApp(ctx, { rootUri: ref.rootUri });
    if (!app) return panel;
  }
  return panel.sendCurrent();
}

async function debugEndpoint(ctx: RepriseContext, arg: unknown) {
  const ref = endpointRefOf(arg);
  const port = await debugApp(ctx, ref ? { rootUri: ref.rootUri } : arg);
  if (port === undefined || !ref) return undefined;
  return ApiExplorerPanel.show(explorerDeps(ctx), ref).sendCurrent();
}

// ---------- cron, locations ----------

async function runCronJob(ctx: RepriseContext, arg: unknown) {
  const a = (arg ?? {}) as { rootUri?: string; name?: string; endpoint?: { service: string; name: string } | null };
  const rootUri = a.rootUri ?? rootUriOf(ctx, undefined);
  if (!rootUri || !a.name) return undefined;
  const job = ctx.models.findCronJob(rootUri, a.name);
  const target = job?.endpoint ?? a.endpoint;
  const found = target && ctx.models.findEndpoint(rootUri, target.service, target.name);
  if (!found) return void vscode.window.showWarningMessage(`Reprise: cron job ${a.name} has no endpoint to run.`);
  const app = await runApp(ctx, { rootUri });
  if (!app) return undefined;
  const result = await sendDraft(app.baseUrl, draftRequest(found.endpoint));
  const summary = result.error ? `failed: ${result.error}` : `${result.status} ${result.statusText} in ${result.timeMs.toFixed(0)} ms`;
  ctx.output.info(`cron ${a.name} → ${found.service.name}.${found.endpoint.name}: ${summary}`);
  void (result.ok ? vscode.window.showInformationMessage(`Reprise: ran ${job?.title ?? a.name}: ${summary}`) : vscode.window.showWarningMessage(`Reprise: ${job?.title ?? a.name} ${summary}`));
  return result;
}

interface LspRange { start: { line: number; character: number }; end: { line: number; character: number } }
function showLocations(arg: unknown) {
  const a = arg as { uri?: string; position?: { line: number; character: number }; locations?: { uri: string; range: LspRange }[] } | undefined;
  if (!a?.uri || !a.position || !Array.isArray(a.locations)) return undefined;
  const r = (x: LspRange) => new vscode.Range(x.start.line, x.start.character, x.end.line, x.end.character);
  return vscode.commands.executeCommand("editor.action.showReferences", vscode.Uri.parse(a.uri), new vscode.Position(a.position.line, a.position.character),
    a.locations.map((l) => new vscode.Location(vscode.Uri.parse(l.uri), r(l.range))));
}

// ---------- status bar actions ----------

async function showActions(ctx: RepriseContext) {
  const running = ctx.runner.list().length > 0;
  const trusted = vscode.workspace.isTrusted;
  const items: (vscode.QuickPickItem & { command: string })[] = [
    ...(trusted ? [running ? { label: "$(debug-stop) Stop the app", command: "reprise.stop" } : { label: "$(play) Run the app", command: "reprise.run" }] : []),
    ...(trusted && !running ? [{ label: "$(debug-alt) Debug the app", command: "reprise.debug" }] : []),
    { label: "$(type-hierarchy) Show architecture", command: "reprise.showArchitecture" },
    { label: "$(zap) Open API explorer", command: "reprise.openApiExplorer" },
    { label: "$(warning) Show problems", command: "workbench.actions.view.problems" },
    { label: "$(output) Show Reprise output", command: "reprise.showOutput" },
    { label: "$(refresh) Restart language server", command: "reprise.restartServer" },
  ];
  const pick = await vscode.window.showQuickPick(items, { placeHolder: `Reprise — ${ctx.status.text.replace(/\$\([^)]*\)\s*/g, "")}` });
  if (pick) await vscode.commands.executeCommand(pick.command);
}
