/**
 * Thin wiring: binds LSP methods on a vscode-languageserver connection to RepriseServer. Capabilities,
 * client-capability checks, dynamic registrations and error containment live here; no analysis does.
 * Every request handler is wrapped so that an internal error becomes an LSP error response plus a log line.
 */
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  WatchKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceFoldersChangeEvent,
} from "vscode-languageserver/node";
import { URI } from "vscode-uri";
import { CreateCommand, GraphRequest, type GraphRequestParams } from "@reprise/protocol";
import { lensStyleFor } from "./features/code-lens.js";
import { CreateRefused } from "./features/create.js";
import { RenameRefused } from "./features/rename.js";
import { FolderWatcher } from "./fs-watcher.js";
import { RepriseServer, type LogLevel } from "./language-server.js";
import { runParseChild } from "./parse-host.js";
import { runSupervisor } from "./supervisor.js";
import { processRole, type ProcessRole } from "./process-role.js";

export const SERVER_NAME = "reprise-language-server";
export const SERVER_VERSION = "0.1.0";
/** Files whose changes matter to the analysis (sources, app/service manifests, package/tsconfig, migrations). */
export const WATCH_GLOB = "**/*.{ts,tsx,js,mjs,sql,app,json}";

export interface InitializationOptions {
  /** Re-analysis debounce in ms (0–50). The benchmark sets 0. */
  debounceMs?: number;
  /** Delay of reprise/appModel notifications in ms. */
  appModelDelayMs?: number;
  /** Settings for clients without workspace/configuration (same shape as the `reprise` section). */
  settings?: unknown;
  /**
   * Watch files in the server when the client cannot (default: only then). false turns it off; true forces it even
   * for clients that register watchers.
   */
  serverFileWatching?: boolean;
  /** Set by the supervisor after a crash: absolute paths of files to parse in a child process. */
  quarantine?: string[];
  /** Lens titles with `$(icon)` codicons or plain words; default: codicons when `clientInfo.name` is VS Code's. */
  lensStyle?: "codicons" | "plain";
}

let processHandlersInstalled = false;

/** A connection over stdio, or over the transport named in process.argv (--stdio, --node-ipc, --socket=N). */
export function createServerConnection(transport: "stdio" | "argv" = "argv"): Connection {
  return transport === "stdio" ? createConnection(ProposedFeatures.all, process.stdin, process.stdout) : createConnection(ProposedFeatures.all);
}

/**
 * Runs this process's role (process-role.ts): the isolated parser (parse-host.ts), the supervisor, which runs the
 * server itself in a child (supervisor.ts), or the server in this process (the worker, --socket / --pipe,
 * REPRISE_LSP_SUPERVISOR=0). Entries that care about start-up time call process-role.ts's runProcess instead,
 * which does not load this module for the supervisor.
 */
export function runServerProcess(role: ProcessRole = processRole(process.argv.slice(2), process.env)): void {
  if (role.kind === "parse-child") return runParseChild();
  if (role.kind === "supervisor") return runSupervisor(role.transport);
  startServer(createServerConnection(role.viaArgv ? "argv" : "stdio"));
}

/** Starts the language server on `connection` (default: from the process arguments, e.g. --stdio). */
export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  let server: RepriseServer | undefined;
  let folderWatcher: FolderWatcher | undefined;
  let serverWatching = false;
  let workspacePaths: string[] = [];
  let watchDynamic = false;
  let foldersNotify = false;
  let configPull = false;
  let configDynamic = false;
  const log = (level: LogLevel, message: string) => {
    const console = connection.console;
    if (level === "error") console.error(message);
    else if (level === "warn") console.warn(message);
    else if (level === "info") console.info(message);
    else console.log(message);
  };

  if (!processHandlersInstalled) {
    processHandlersInstalled = true;
    process.on("unhandledRejection", (reason) => log("error", `unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
    process.on("uncaughtException", (err) => log("error", `uncaught exception: ${err.stack ?? err.message}`));
  }

  /** Runs a request handler; an exception becomes a logged InternalError response instead of a dead server. */
  function guarded<P, R>(method: string, handler: (params: P, s: RepriseServer) => Promise<R> | R, empty: R) {
    return async (params: P): Promise<R | ResponseError<void>> => {
      if (!server) return empty;
      try {
        return await handler(params, server);
      } catch (err) {
        // A refused rename (name taken, reserved, invalid) is a RequestFailed error whose message the client shows.
        if (err instanceof RenameRefused || err instanceof CreateRefused) return new ResponseError(LSPErrorCodes.RequestFailed, err.message);
        const message = err instanceof Error ? err.message : String(err);
        log("error", `${method} failed: ${err instanceof Error ? (err.stack ?? message) : message}`);
        return new ResponseError(ErrorCodes.InternalError, `${method} failed: ${message}`);
      }
    };
  }
  function notified<P>(method: string, handler: (params: P, s: RepriseServer) => void) {
    return (params: P) => {
      if (!server) return;
      try {
        handler(params, server);
      } catch (err) {
        log("error", `${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    };
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    watchDynamic = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    configPull = caps.workspace?.configuration === true;
    configDynamic = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    foldersNotify = caps.workspace?.workspaceFolders === true;
    const experimental = caps.experimental as { reprise?: { appModel?: boolean } } | undefined;
    const folders = params.workspaceFolders?.length
      ? params.workspaceFolders.map((f) => f.uri)
      : params.rootUri
        ? [params.rootUri]
        : params.rootPath
          ? [URI.file(params.rootPath).toString()]
          : [];
    const lensRefresh = caps.workspace?.codeLens?.refreshSupport === true;
    workspacePaths = folders.map((u) => URI.parse(u)).filter((u) => u.scheme === "file").map((u) => u.fsPath);
    serverWatching = typeof options.serverFileWatching === "boolean" ? options.serverFileWatching : !watchDynamic;
    server = new RepriseServer(
      {
        publishDiagnostics: (p) => void connection.sendDiagnostics(p),
        sendNotification: (method, p) => void connection.sendNotification(method, p),
        log,
        fetchSettings: configPull
          ? (scopes) => connection.workspace.getConfiguration(scopes.map((scopeUri) => ({ scopeUri, section: "reprise" })))
          : undefined,
        refreshCodeLenses: lensRefresh ? () => void connection.sendRequest("workspace/codeLens/refresh").catch(() => undefined) : undefined,
        applyEdit: caps.workspace?.applyEdit === true ? (label, edit) => connection.workspace.applyEdit({ label, edit }) : undefined,
      },
      {
        workspaceFolders: workspacePaths,
        debounceMs: typeof options.debounceMs === "number" ? options.debounceMs : undefined,
        appModelDelayMs: typeof options.appModelDelayMs === "number" ? options.appModelDelayMs : undefined,
        appModelNotifications: experimental?.reprise?.appModel === true,
        initialSettings: options.settings,
        lensStyle: options.lensStyle === "codicons" || options.lensStyle === "plain" ? options.lensStyle : lensStyleFor(params.clientInfo?.name),
        workspaceEdit: {
          documentChanges: caps.workspace?.workspaceEdit?.documentChanges === true,
          resourceRename: caps.workspace?.workspaceEdit?.resourceOperations?.includes("rename") === true,
          resourceCreate: caps.workspace?.workspaceEdit?.resourceOperations?.includes("create") === true,
          changeAnnotations: caps.workspace?.workspaceEdit?.changeAnnotationSupport !== undefined,
        },
        quarantine: Array.isArray(options.quarantine) ? options.quarantine.filter((q): q is string => typeof q === "string") : undefined,
      },
    );
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
        codeLensProvider: { resolveProvider: true },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: caps.textDocument?.rename?.prepareSupport === true ? { prepareProvider: true } : true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        completionProvider: { triggerCharacters: ['"', "'"], resolveProvider: false },
        executeCommandProvider: { commands: [CreateCommand] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: caps.workspace?.workspaceFolders === true } },
        experimental: { reprise: { appModel: true, graph: true } },
      },
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    };
  });

  connection.onInitialized(() => {
    // Registration round-trips and the first analysis run side by side: the workspace's diagnostics come first.
    if (watchDynamic) {
      connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: WATCH_GLOB }, { globPattern: "**/.gitignore" }, { globPattern: "**/*", kind: WatchKind.Create | WatchKind.Delete }] })
        .catch((err) => log("warn", `could not register file watchers: ${err}`));
    }
    if (configDynamic) {
      connection.client.register(DidChangeConfigurationNotification.type, { section: "reprise" }).catch(() => undefined);
    }
    if (foldersNotify) {
      connection.workspace.onDidChangeWorkspaceFolders(
        notified("didChangeWorkspaceFolders", (e: WorkspaceFoldersChangeEvent, s) => {
          const paths = (list: { uri: string }[]) => list.map((f) => URI.parse(f.uri)).filter((u) => u.scheme === "file").map((u) => u.fsPath);
          s.workspaceFoldersChanged(paths(e.added), paths(e.removed));
          for (const folder of paths(e.added)) folderWatcher?.add(folder);
        }),
      );
    }
    void server?.start().then(() => {
      if (!serverWatching || !server) return;
      const s = server;
      folderWatcher = new FolderWatcher(
        (events) => {
          try {
            s.didChangeWatchedFiles(events);
          } catch (err) {
            log("error", `file watching failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          }
        },
        (message) => log("warn", message),
      );
      for (const folder of workspacePaths) folderWatcher.add(folder);
      log("info", `watching ${folderWatcher.folderCount} folders for changes (the client does not watch files)`);
    });
  });

  connection.onDidOpenTextDocument(notified("didOpen", (p, s) => s.didOpen(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text)));
  connection.onDidChangeTextDocument(notified("didChange", (p, s) => s.didChange(p.textDocument.uri, p.textDocument.version, p.contentChanges)));
  connection.onDidCloseTextDocument(notified("didClose", (p, s) => s.didClose(p.textDocument.uri)));
  connection.onDidChangeWatchedFiles(notified("didChangeWatchedFiles", (p, s) => s.didChangeWatchedFiles(p.changes)));
  connection.onDidChangeConfiguration(
    notified("didChangeConfiguration", (p, s) => {
      const pushed = (p.settings as { reprise?: unknown } | null | undefined)?.reprise;
      s.settingsChanged(configPull ? undefined : pushed).catch((err) => log("error", `applying settings failed: ${err}`));
    }),
  );

  connection.onCodeLens(guarded("textDocument/codeLens", (p, s) => s.codeLenses(p.textDocument.uri), []));
  connection.onCodeLensResolve(guarded("codeLens/resolve", (lens, s) => s.resolveCodeLens(lens), { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }));
  connection.onHover(guarded("textDocument/hover", (p, s) => s.hover(p.textDocument.uri, p.position), null));
  connection.onDefinition(guarded("textDocument/definition", (p, s) => s.definition(p.textDocument.uri, p.position), []));
  connection.onReferences(guarded("textDocument/references", (p, s) => s.references(p.textDocument.uri, p.position, p.context.includeDeclaration), []));
  connection.onPrepareRename(guarded("textDocument/prepareRename", (p, s) => s.prepareRename(p.textDocument.uri, p.position), null));
  connection.onRenameRequest(guarded("textDocument/rename", (p, s) => s.rename(p.textDocument.uri, p.position, p.newName), null));
  connection.onDocumentSymbol(guarded("textDocument/documentSymbol", (p, s) => s.documentSymbols(p.textDocument.uri), []));
  connection.onWorkspaceSymbol(guarded("workspace/symbol", (p, s) => s.workspaceSymbols(p.query), []));
  connection.onCodeAction(guarded("textDocument/codeAction", (p, s) => s.codeActions(p.textDocument.uri, p.range, p.context), []));
  connection.onCompletion(guarded("textDocument/completion", (p, s) => s.completion(p.textDocument.uri, p.position), []));
  connection.onExecuteCommand(
    guarded("workspace/executeCommand", (p, s) => {
      if (p.command !== CreateCommand) throw new CreateRefused(`Unknown command '${p.command}'.`);
      if (p.arguments?.length !== 1) throw new CreateRefused(`${CreateCommand} takes exactly one argument (got ${p.arguments?.length ?? 0}).`);
      return s.create(p.arguments[0]);
    }, null),
  );
  connection.onRequest(GraphRequest, guarded("reprise/graph", (p: GraphRequestParams | undefined, s) => s.graph(p?.rootUri), []));

  connection.onShutdown(() => {
    folderWatcher?.dispose();
    server?.dispose();
  });
  connection.listen();
  return connection;
}
