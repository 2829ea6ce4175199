/**
 * Starts the Reprise language server and wires the client side of the reprise/* protocol: the client
 * advertises `experimental.reprise.appModel` (the server sends app models only to clients that do) and forwards
 * each notification to the model store. The server is the bundled dist/server.mjs in an installed extension, or
 * the workspace build of language-server/ when running from the repository.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
  type StaticFeature,
  type ClientCapabilities,
  type FeatureState,
} from "vscode-languageclient/node";
import { AppModelNotification, ClientCommand, RUNNING_APP_LENS_KINDS, type AppModelParams, type CodeLensData } from "@reprise/protocol";
import { withPreviewLink } from "./docs-link";
import { config, SECTION, Setting } from "./settings";

export { State } from "vscode-languageclient/node";

export const CLIENT_ID = "reprise";

/** Candidate server entry points, in order: explicit setting, bundled copy, monorepo build. */
export function serverModuleCandidates(extensionPath: string): string[] {
  const explicit = config().get<string>(Setting.serverPath, "");
  return [
    ...(explicit ? [explicit] : []),
    path.join(extensionPath, "dist", "server.mjs"),
    path.join(extensionPath, "..", "language-server", "dist", "src", "server.js"),
  ];
}

export function findServerModule(extensionPath: string): string | undefined {
  return serverModuleCandidates(extensionPath).find((p) => fs.existsSync(p));
}

class AppModelFeature implements StaticFeature {
  fillClientCapabilities(capabilities: ClientCapabilities): void {
    const experimental = (capabilities.experimental ??= {}) as Record<string, unknown>;
    experimental.reprise = { ...(experimental.reprise as object | undefined), appModel: true };
  }
  initialize(): void {}
  getState(): FeatureState {
    return { kind: "static" };
  }
  clear(): void {}
}

export function createClient(
  serverModule: string,
  output: vscode.LogOutputChannel,
  onAppModel: (p: AppModelParams) => void,
): LanguageClient {
  const env = { ...process.env, ELECTRON_RUN_AS_NODE: "1" };
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { env } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { env, execArgv: ["--nolazy", "--inspect=6019"] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "typescript" },
      { scheme: "file", language: "typescriptreact" },
      { scheme: "file", language: "javascript" },
      { scheme: "file", pattern: "**/{encore,reprise}.app" },
      { scheme: "file", pattern: "**/migrations/*.sql" },
    ],
    outputChannel: output,
    synchronize: { configurationSection: SECTION },
    // Every host this extension runs in (VS Code desktop and web, code-server, VSCodium, ...) renders `$(icon)`
    // codicons; its clientInfo name does not always say so (code-server reports its own), so ask explicitly.
    initializationOptions: { settings: config(), lensStyle: "codicons" },
    markdown: { isTrusted: false, supportHtml: false },
    middleware: {
      // A diagnostic's docs link (codeDescription.href, a file:// .md page) opens in the Markdown preview.
      handleDiagnostics: (uri, diagnostics, next) => next(uri, diagnostics.map(withPreviewLink)),
      // Restricted mode: the lenses that would run, call, debug or publish to the app are not shown at all.
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        return vscode.workspace.isTrusted || !lenses ? lenses : lenses.filter((l) => !actsOnRunningApp(l));
      },
    },
  };
  const client = new LanguageClient(CLIENT_ID, "Reprise", serverOptions, clientOptions);
  client.registerFeature(new AppModelFeature());
  client.onNotification(AppModelNotification, (params: AppModelParams) => onAppModel(params));
  return client;
}

const GATED = new Set<string>(RUNNING_APP_LENS_KINDS);
const GATED_COMMANDS = new Set<string>([ClientCommand.runEndpoint, ClientCommand.callEndpoint, ClientCommand.debugEndpoint, ClientCommand.runCronJob, ClientCommand.publishMessage]);

/** Whether a lens from the server (resolved or not: `data` is the server's CodeLensData) would act on the app. */
export function actsOnRunningApp(lens: vscode.CodeLens): boolean {
  const data = (lens as vscode.CodeLens & { data?: Partial<CodeLensData> }).data;
  if (data && typeof data.kind === "string") return GATED.has(data.kind);
  return !!lens.command && GATED_COMMANDS.has(lens.command.command);
}

/** Asks VS Code to fetch the lenses again (after trust was granted the hidden ones appear). */
export function refreshCodeLenses(client: LanguageClient): void {
  const feature = client.getFeature("textDocument/codeLens");
  const providers = new Set(vscode.workspace.textDocuments.map((d) => feature.getProvider(d)).filter((p) => p !== undefined));
  for (const p of providers) p.onDidChangeCodeLensEmitter.fire();
}
