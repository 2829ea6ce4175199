/**
 * Command factories: each takes the owner context and returns the handler. Lens commands accept the argument
 * shapes the language server sends (see protocol/src/lsp.ts, `ClientCommand`) and the tree's nodes, so the same
 * command works from a code lens, the tree and the command palette.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import type { RepriseContext } from "./context";
import { createCommandTable } from "./create-commands";
import { OPEN_DOCS_COMMAND, openDiagnosticDocs } from "./docs-link";
import { ArchitecturePanel } from "./architecture-panel";
import { ApiExplorerPanel, type EndpointRef, type ExplorerDeps, type TopicRef } from "./api-explorer-panel";
import { DEBUG_TYPE, type RepriseLaunchConfig } from "./debug";
import { describeError, runCronNow, type AdminResult, type CronRunValue } from "./admin";
import { toolHeaders } from "./instances";
import type { TreeNode } from "./tree";
import { runPort } from "./settings";
import { generateClientCommand, type GenerateRequest } from "./gen-client";

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
    "reprise.publishMessage": (arg) => publishMessage(ctx, arg),
    "reprise.showLocations": (arg) => showLocations(arg),
    "reprise.restartServer": () => ctx.restartClient(),
    "reprise.showOutput": () => ctx.output.show(true),
    "reprise.showActions": () => showActions(ctx),
    [OPEN_DOCS_COMMAND]: (page) => openDiagnosticDocs(page),
    ...createCommandTable(ctx),
    "reprise.generateClient": (arg) => generateClient(ctx, arg),
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

// ---------- generate client ----------

/** `arg`: an app Uri / tree node / `{ root, lang?, out? }` (out given: no questions asked). */
async function generateClient(ctx: RepriseContext, arg: unknown) {
  if (!refuseUntrusted(ctx, "Generating a client")) return undefined;
  const req = arg && typeof arg === "object" && typeof (arg as { root?: unknown }).root === "string" ? (arg as Partial<GenerateRequest>) : undefined;
  const root = req?.root ?? (await rootPathOf(ctx, arg));
  if (!root) return void vscode.window.showWarningMessage("Reprise: no app found (a folder with encore.app or reprise.app).");
  return generateClientCommand(ctx.clientGenerator, root, req);
}

// ---------- run / stop / debug ----------

async function runApp(ctx: RepriseContext, arg: unknown) {
  if (!refuseUntrusted(ctx, "Running the app")) return undefined;
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
  if (!refuseUntrusted(ctx, "Debugging the app")) return undefined;
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

export const explorerDeps = (ctx: RepriseContext): ExplorerDeps => ({ extensionUri: ctx.extension.extensionUri, models: ctx.models, runner: ctx.runner, log: (line) => ctx.output.info(line), memento: ctx.extension.workspaceState });

async function openExplorer(ctx: RepriseContext, arg: unknown, sendOnce: boolean) {
  if (sendOnce && !refuseUntrusted(ctx, "Calling an endpoint")) return undefined;
  const ref = endpointRefOf(arg) ?? (await pickEndpoint(ctx));
  if (!ref) return undefined;
  const panel = ApiExplorerPanel.show(explorerDeps(ctx), ref);
  if (!sendOnce) return panel;
  if (!(await ensureRunning(ctx, ref.rootUri))) return panel;
  return panel.sendCurrent();
}

/** Starts the app of `rootUri` unless it is already answering; false when it could not be started. */
async function ensureRunning(ctx: RepriseContext, rootUri: string): Promise<boolean> {
  if (ctx.runner.get(vscode.Uri.parse(rootUri).fsPath)?.ready) return true;
  return !!(await runApp(ctx, { rootUri }));
}

// ---------- topics ----------

function topicRefOf(arg: unknown): TopicRef | undefined {
  if (!arg || typeof arg !== "object") return undefined;
  const a = arg as Record<string, unknown>;
  if (typeof a.rootUri !== "string") return undefined;
  if (a.kind === "topic" && typeof a.name === "string") return { kind: "topic", rootUri: a.rootUri, topic: a.name }; // tree node
  if (typeof a.topic === "string") return { kind: "topic", rootUri: a.rootUri, topic: a.topic, sampleMessage: a.sampleMessage }; // PublishMessageArgs
  return undefined;
}

async function pickTopic(ctx: RepriseContext): Promise<TopicRef | undefined> {
  const items = ctx.models.all().flatMap((p) => p.model.app.topics.map((t) => ({
    label: t.name, description: `${t.subscriptions.length} subscriber${t.subscriptions.length === 1 ? "" : "s"}`, ref: { kind: "topic" as const, rootUri: p.rootUri, topic: t.name },
  })));
  if (!items.length) {
    void vscode.window.showInformationMessage("Reprise: no topics found.");
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder: "Topic to publish a test message to" }))?.ref;
}

/**
 * ✉ Publish test message: the API explorer in publish mode, pre-filled with a sample message from the topic's
 * schema; the user edits it and presses Publish (the panel shows the message id or the runtime's validation
 * error). The app is started first when it is not running.
 */
async function publishMessage(ctx: RepriseContext, arg: unknown) {
  if (!refuseUntrusted(ctx, "Publishing a message")) return undefined;
  const ref = topicRefOf(arg) ?? (await pickTopic(ctx));
  if (!ref) return undefined;
  const panel = ApiExplorerPanel.show(explorerDeps(ctx), ref);
  await ensureRunning(ctx, ref.rootUri);
  return panel;
}

async function debugEndpoint(ctx: RepriseContext, arg: unknown) {
  const ref = endpointRefOf(arg);
  const port = await debugApp(ctx, ref ? { rootUri: ref.rootUri } : arg);
  if (port === undefined || !ref) return undefined;
  return ApiExplorerPanel.show(explorerDeps(ctx), ref).sendCurrent();
}

// ---------- cron, locations ----------

export interface CronRunOutcome {
  job: string;
  result: AdminResult<CronRunValue>;
}

/**
 * ▶ Run now: asks the running app (started first if needed) to run the job through the runtime's admin route, so
 * private endpoints (`expose: false`, the usual cron target) run exactly as the scheduler would run them.
 */
async function runCronJob(ctx: RepriseContext, arg: unknown): Promise<CronRunOutcome | undefined> {
  if (!refuseUntrusted(ctx, "Running a cron job")) return undefined;
  const a = (arg && typeof arg === "object" && typeof (arg as { name?: unknown }).name === "string" ? arg : await pickCronJob(ctx)) as { rootUri?: string; name?: string; title?: string } | undefined;
  const rootUri = a?.rootUri ?? rootUriOf(ctx, undefined);
  if (!a || !rootUri || !a.name) return undefined;
  const job = ctx.models.findCronJob(rootUri, a.name);
  const label = job?.title || a.title || a.name;
  const app = await runApp(ctx, { rootUri });
  if (!app) return undefined;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reprise: running ${label}` }, () => runCronNow(app.baseUrl, a.name!, toolHeaders(app.baseUrl, [app.root, ...ctx.models.rootPaths()])));
  if (result.ok) {
    const ep = result.value.endpoint;
    const summary = `ran ${label}${ep ? ` (${ep.service}.${ep.name})` : ""} in ${result.value.durationMs.toFixed(0)} ms`;
    ctx.output.info(`cron ${a.name}: ${summary}`);
    void vscode.window.showInformationMessage(`Reprise: ${summary}`);
  } else {
    const why = describeError(result);
    ctx.output.warn(`cron ${a.name}: failed: ${why}`);
    const more = result.code === "aborted" ? " (it is already running)" : "";
    void vscode.window.showWarningMessage(`Reprise: ${label} failed${more}: ${why}`, "Show Output").then((b) => b && ctx.output.show(true));
  }
  return { job: a.name, result };
}

/** The palette form of Run now: every cron job of every app root. */
async function pickCronJob(ctx: RepriseContext): Promise<{ rootUri: string; name: string; title: string } | undefined> {
  const items = ctx.models.all().flatMap((p) => p.model.app.cronJobs.map((c) => ({
    label: c.title || c.name,
    description: `${c.name} · ${c.every ? `every ${c.every}` : c.schedule ?? ""}${c.endpoint ? ` → ${c.endpoint.service}.${c.endpoint.name}` : ""}`,
    job: { rootUri: p.rootUri, name: c.name, title: c.title },
  })));
  if (!items.length) {
    void vscode.window.showInformationMessage("Reprise: no cron jobs found.");
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder: "Cron job to run now" }))?.job;
}

/** Restricted mode: nothing that runs workspace code. Returns false (after telling the user) when untrusted. */
export function refuseUntrusted(ctx: RepriseContext, what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  const message = `Reprise: ${what} is disabled in restricted mode. Trust the workspace to run the app.`;
  ctx.refusals.push(message);
  ctx.output.warn(message);
  void vscode.window.showWarningMessage(message, "Manage Workspace Trust")
    .then((b) => b && vscode.commands.executeCommand("workbench.trust.manage"));
  return false;
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
