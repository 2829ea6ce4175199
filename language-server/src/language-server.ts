/**
 * The transport-free language server: app roots, open documents, debounced incremental re-analysis with
 * generations, diagnostics publishing and the feature requests. connection.ts binds it to an LSP connection;
 * everything here talks to the client only through `ServerHost`, so the class can be driven in-process too.
 *
 * Invariants: the analyzer is only fed through AppRoot.pending + flush; a request always sees every edit that
 * arrived before it (it flushes the root first); a file is re-published only when the analyzer reports its
 * diagnostics changed or it was edited; a `reprise/appModel` notification is dropped if a newer generation of the same root exists.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type {
  CodeAction,
  CodeActionContext,
  CodeLens,
  CompletionItem,
  DocumentSymbol,
  FileEvent,
  Hover,
  Location as LspLocation,
  PublishDiagnosticsParams,
  TextDocumentContentChangeEvent,
  WorkspaceEdit,
  WorkspaceSymbol,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { URI } from "vscode-uri";
import { AppModelNotification, toGraph, type AppModel, type AppModelParams, type CreateCommandResult, type Diagnostic, type Position, type Range } from "@reprise/protocol";
import { parseLimitsOf, type AnalysisResult, type AnalyzerOptions } from "@reprise/analyzer";
import { AnalysisCache, cacheEnabled, findAppRoot, findAppRoots, resultFromCache } from "@reprise/analyzer/node";
import { APP_FILE_NAMES, AppRoot, isDirectory, type PendingInput } from "./app-root.js";
import { codeActions } from "./features/code-actions.js";
import { CreateRefused, planCreate, readCreateArgs } from "./features/create.js";
import { provideCodeLenses, resolveCodeLens, type LensData, type LensStyle } from "./features/code-lens.js";
import { completions } from "./features/completion.js";
import type { FeatureContext } from "./features/context.js";
import { hover } from "./features/hover.js";
import { definition, pathDefinition, references } from "./features/navigation.js";
import { findNameReferences, prepareRename, rename, type RenameEnv } from "./features/rename.js";
import { documentSymbols, workspaceSymbols } from "./features/symbols.js";
import { SettingsCache, sameLimits, sameSeverities, type Settings } from "./settings.js";
import { queryCard, RootSql, sqlCompletions } from "./sql.js";
import { diagnostic as toLspDiagnostic, fileUri } from "./to-proto.js";

export type LogLevel = "error" | "warn" | "info" | "debug";

export interface ServerHost {
  publishDiagnostics(params: PublishDiagnosticsParams): void;
  sendNotification(method: string, params: unknown): void;
  log(level: LogLevel, message: string): void;
  /** workspace/configuration for section "reprise", one entry per scope URI; absent when the client lacks it. */
  fetchSettings?: (scopeUris: string[]) => Promise<unknown[]>;
  /** workspace/codeLens/refresh; absent when the client lacks it. */
  refreshCodeLenses?: () => void;
  /** workspace/applyEdit; absent when the client lacks it. */
  applyEdit?: (label: string, edit: WorkspaceEdit) => Promise<{ applied: boolean; failureReason?: string }>;
}

export interface ServerConfig {
  /** Workspace folders as file-system paths. */
  workspaceFolders: string[];
  /** Delay between the last edit and re-analysis (≤50 ms; 0 re-analyses on the next tick). */
  debounceMs?: number;
  /** Send `reprise/appModel` (the client advertised `experimental.reprise.appModel`). */
  appModelNotifications?: boolean;
  /** Delay before a `reprise/appModel` notification, so that typing sends diagnostics first and the model rarely. */
  appModelDelayMs?: number;
  /** Settings the client pushed in initializationOptions (used when it has no workspace/configuration). */
  initialSettings?: unknown;
  /** Absolute paths of files that crashed a previous server process: parsed in a child process (supervisor.ts). */
  quarantine?: string[];
  /** Lens title decoration: `$(icon)` codicons for VS Code, plain words for other clients. */
  lensStyle?: LensStyle;
  /** What the client's workspace edits support (for rename: versioned edits, folder moves, change annotations). */
  workspaceEdit?: { documentChanges: boolean; resourceRename: boolean; resourceCreate?: boolean; changeAnnotations: boolean };
}

const DEFAULT_DEBOUNCE_MS = 30;

export class RepriseServer {
  private roots: AppRoot[] = [];
  private readonly docs = new Map<string, TextDocument>();
  /** SQL checks per root (sql.ts), run after each analysis. */
  private readonly sql = new Map<AppRoot, RootSql>();
  private readonly settings: SettingsCache;
  private readonly debounceMs: number;
  private ready: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly host: ServerHost,
    private readonly config: ServerConfig,
  ) {
    this.debounceMs = Math.max(0, Math.min(50, config.debounceMs ?? DEFAULT_DEBOUNCE_MS));
    this.settings = new SettingsCache(host.fetchSettings);
    if (config.initialSettings !== undefined) this.settings.invalidate(config.initialSettings);
  }

  /** Discovers the app roots of the workspace folders, analyses them and publishes their diagnostics. */
  start(): Promise<void> {
    this.ready = this.ready.then(() => this.rediscover()).catch((err) => this.logError("initial analysis", err));
    return this.ready;
  }

  /** workspace/didChangeWorkspaceFolders: roots of added folders appear, roots only reachable through removed ones go. */
  workspaceFoldersChanged(added: string[], removed: string[]): void {
    const gone = new Set(removed.map((f) => path.resolve(f)));
    const folders = this.config.workspaceFolders.filter((f) => !gone.has(path.resolve(f)));
    for (const f of added) if (!folders.some((g) => path.resolve(g) === path.resolve(f))) folders.push(f);
    this.config.workspaceFolders = folders;
    this.ready = this.ready.then(() => this.rediscover()).catch((err) => this.logError("updating workspace folders", err));
  }

  private hasOpenDocument(root: AppRoot): boolean {
    for (const doc of this.docs.values()) {
      const abs = fsPath(doc.uri);
      if (abs && root.relative(abs) !== undefined) return true;
    }
    return false;
  }

  get appRoots(): readonly AppRoot[] {
    return this.roots;
  }

  // ---- roots ----------------------------------------------------------------------------------------------

  private discoverDirs(): string[] {
    const dirs = new Set<string>();
    for (const folder of this.config.workspaceFolders) {
      try {
        for (const dir of findAppRoots(folder)) dirs.add(path.resolve(dir));
      } catch (err) {
        this.logError(`discovering app roots in ${folder}`, err);
      }
    }
    // Roots outside the workspace folders (found through a document opened from there) stay while one is open.
    for (const root of this.roots) if (!this.config.workspaceFolders.some((f) => isInside(root.dir, f)) && this.hasOpenDocument(root)) dirs.add(root.dir);
    return [...dirs];
  }

  /** Re-derives the set of roots; unchanged roots keep their state, removed ones get their diagnostics cleared. */
  private async rediscover(extra: string[] = []): Promise<void> {
    const dirs = [...new Set([...this.discoverDirs(), ...extra.map((d) => path.resolve(d))])].sort();
    const nestedOf = (dir: string) => dirs.filter((d) => d !== dir && isInside(d, dir)).map((d) => path.relative(dir, d).split(path.sep).join("/"));
    const next: AppRoot[] = [];
    const fresh: AppRoot[] = [];
    for (const dir of dirs) {
      const nested = nestedOf(dir);
      const old = this.roots.find((r) => r.dir === dir && r.nested.join("\n") === nested.join("\n"));
      if (old) next.push(old);
      else {
        const root = new AppRoot(dir, nested, {}, new Set(this.config.quarantine ?? []));
        next.push(root);
        fresh.push(root);
      }
    }
    for (const old of this.roots) if (!next.includes(old)) this.disposeRoot(old);
    // Deepest first, so that rootFor() finds the innermost root.
    this.roots = next.sort((a, b) => b.dir.length - a.dir.length);
    for (const root of fresh) {
      const settings = await this.settings.get(root.uriString);
      if (this.disposed || !this.roots.includes(root)) continue;
      await this.loadRoot(root, settings, true);
    }
  }

  /**
   * Loads and analyses a root. On its first load, when the analysis cache (analyzer/src/node/cache.ts) holds a
   * result for exactly these files, that result's diagnostics are published at once and the analysis runs after
   * a turn of the event loop (so they reach the client first); its result then replaces them (unchanged files
   * are not sent again). A miss writes the cache.
   */
  private async loadRoot(root: AppRoot, settings: Settings, first = false): Promise<void> {
    const started = performance.now();
    try {
      const options = { ...analyzerOptions(settings), parser: root.parser };
      root.maxFileBytes = parseLimitsOf(options).maxFileBytes;
      // New limits re-analyse the files the root has: publish that too, or the next result would look unchanged.
      const reset = root.analyzer.setOptions(options);
      if (reset.changedFiles.length) this.publish(root, reset);
      const files = root.loadFiles((rel) => this.docs.get(fileUri(root.uri, rel))?.getText());
      const cache = first && cacheEnabled() ? new AnalysisCache(root.dir) : null;
      const key = cache?.key(files, options);
      const cached = cache && key ? cache.read(key) : null;
      if (cached) {
        this.publishCached(root, resultFromCache(files, cached));
        this.trace(root, `published the cached analysis of ${files.length} files of ${root.dir} in ${(performance.now() - started).toFixed(1)} ms`);
        await new Promise((r) => setImmediate(r));
        if (this.disposed || !this.roots.includes(root)) return;
      }
      const result = root.analyzer.setFiles(files);
      this.publish(root, result);
      this.trace(root, `analysed ${files.length} files of ${root.dir} in ${(performance.now() - started).toFixed(1)} ms`);
      if (cache && key && !cached) cache.write(key, result);
      this.scheduleModel(root);
    } catch (err) {
      this.logError(`loading ${root.dir}`, err);
    }
  }

  /** The files with diagnostics in a cached result, sent before the root's first analysis (SQL checks wait for it). */
  private publishCached(root: AppRoot, result: AnalysisResult): void {
    for (const [file, diags] of result.diagnosticsByFile) {
      if (!diags.length) continue;
      root.published.add(file);
      this.sendDiagnostics(root, file, diags);
    }
  }

  private disposeRoot(root: AppRoot): void {
    root.dispose();
    this.sql.get(root)?.dispose();
    this.sql.delete(root);
    for (const file of root.published.keys()) this.host.publishDiagnostics({ uri: this.uriOf(root, file), diagnostics: [] });
    root.published.clear();
  }

  private rootFor(absPath: string): AppRoot | undefined {
    return this.roots.find((r) => r.relative(absPath) !== undefined);
  }

  // ---- documents and files --------------------------------------------------------------------------------

  didOpen(uri: string, languageId: string, version: number, text: string): void {
    const key = normalize(uri);
    this.docs.set(key, TextDocument.create(uri, languageId, version, text));
    this.ready = this.ready.then(() => this.queueDocument(key, true)).catch((err) => this.logError("didOpen", err));
  }

  didChange(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void {
    const key = normalize(uri);
    const doc = this.docs.get(key);
    if (!doc) return;
    this.docs.set(key, TextDocument.update(doc, changes, version));
    this.queueDocument(key, false).catch((err) => this.logError("didChange", err));
  }

  didClose(uri: string): void {
    const key = normalize(uri);
    if (!this.docs.delete(key)) return;
    const abs = fsPath(uri);
    const root = abs ? this.rootFor(abs) : undefined;
    const rel = abs && root?.relative(abs);
    if (!root || !rel) return;
    // The editor may have discarded unsaved changes: the disk is the truth again.
    this.queue(root, rel, root.read(rel) ?? null, false);
  }

  private async queueDocument(key: string, opening: boolean): Promise<void> {
    const doc = this.docs.get(key);
    const abs = doc && fsPath(doc.uri);
    if (!doc || !abs) return;
    let root = this.rootFor(abs);
    if (!root && opening) {
      const dir = safe(() => findAppRoot(path.dirname(abs)));
      if (dir) {
        await this.rediscover([dir]);
        root = this.rootFor(abs);
      }
    }
    const rel = root?.relative(abs);
    if (!root || !rel) return;
    if (opening && root.analyzer.getParsedFile(rel)?.text === doc.getText()) {
      // Already analysed with this text (loaded from disk): just make sure the client has its diagnostics.
      this.republish(root, rel);
      return;
    }
    this.queue(root, rel, { text: doc.getText() }, true);
  }

  didChangeWatchedFiles(changes: FileEvent[]): void {
    let rediscover = false;
    const rescan = new Set<AppRoot>();
    for (const change of changes) {
      const abs = fsPath(change.uri);
      if (!abs) continue;
      // An app file appearing or going away may add or remove a root; the file itself is still an input below.
      if (APP_FILE_NAMES.includes(path.basename(abs)) && change.type !== 2) rediscover = true;
      if (path.basename(abs) === ".gitignore") {
        // Ignore rules changed: what the root holds may change both ways.
        const owner = this.roots.find((r) => isInside(abs, r.dir));
        if (owner) {
          owner.reloadIgnoreRules();
          rescan.add(owner);
        }
        continue;
      }
      if (this.docs.has(normalize(change.uri))) continue; // document sync owns open files
      const root = this.rootFor(abs);
      const rel = root?.relative(abs);
      if (!root || !rel) continue;
      if (change.type === 3) {
        if (root.analyzer.fileNames().includes(rel) || root.pending.has(rel)) this.queue(root, rel, null, false);
        else for (const name of root.analyzer.fileNames()) if (name.startsWith(rel + "/")) this.queue(root, name, null, false);
      } else if (isDirectory(abs)) {
        rescan.add(root);
      } else {
        this.queue(root, rel, root.read(rel) ?? null, false);
      }
    }
    for (const root of rescan) this.rescan(root);
    if (rediscover) this.ready = this.ready.then(() => this.rediscover()).catch((err) => this.logError("rediscovering app roots", err));
  }

  /** A folder appeared (a move or a copy): diff the disk against what the analyzer has. */
  private rescan(root: AppRoot): void {
    const onDisk = new Map(root.loadFiles(() => undefined).map((f) => [f.path, f]));
    const known = new Set(root.analyzer.fileNames());
    for (const name of known) if (!onDisk.has(name) && !this.docs.has(this.uriKey(root, name))) this.queue(root, name, null, false);
    for (const [name, f] of onDisk) {
      if (this.docs.has(this.uriKey(root, name))) continue;
      const parsed = known.has(name) ? root.analyzer.getParsedFile(name) : undefined;
      // Unknown files, and sources whose text moved on; other known files keep their (name-only or JSON) input.
      if (!known.has(name) || (parsed && (parsed.text !== f.text || f.size !== undefined))) this.queue(root, name, { text: f.text, size: f.size }, false);
    }
  }

  private queue(root: AppRoot, rel: string, input: PendingInput, touched: boolean): void {
    root.pending.set(rel, input);
    if (touched) root.touched.add(rel);
    root.editVersion++;
    if (root.timer) clearTimeout(root.timer);
    root.timer = setTimeout(() => this.flush(root), this.debounceMs);
  }

  /** Applies a root's queued edits now (requests call this so they never answer from stale state). */
  private flush(root: AppRoot): void {
    if (root.timer) clearTimeout(root.timer);
    root.timer = undefined;
    if (!root.pending.size || !this.roots.includes(root)) return;
    const started = performance.now();
    let result: AnalysisResult | undefined;
    try {
      result = root.applyPending();
    } catch (err) {
      this.logError(`re-analysing ${root.dir}`, err);
      return;
    }
    if (!result) return;
    this.publish(root, result);
    this.trace(root, `generation ${result.generation}: re-analysed and published in ${(performance.now() - started).toFixed(1)} ms`);
    this.scheduleModel(root);
  }

  private flushAll(): void {
    for (const root of this.roots) if (root.pending.size) this.flush(root);
  }

  // ---- publishing -----------------------------------------------------------------------------------------

  private uriKey(root: AppRoot, rel: string): string {
    return fileUri(root.uri, rel);
  }

  /** The URI to publish under: the client's own spelling when the document is open. */
  private uriOf(root: AppRoot, rel: string): string {
    const key = this.uriKey(root, rel);
    return this.docs.get(key)?.uri ?? key;
  }

  /** Publishes the files the analysis reports as changed, plus the edited documents (their version moved on). */
  private publish(root: AppRoot, result: AnalysisResult): void {
    const sqlOn = this.settings.peek(root.uriString).analysis.sql;
    if (!sqlOn) this.dropSql(root, result);
    const touched = new Set(root.touched);
    const files = new Set<string>(touched);
    for (const f of result.changedFiles) files.add(f);
    root.touched.clear();
    for (const file of files) {
      const diags = result.diagnosticsByFile.get(file) ?? [];
      if (diags.length || this.sql.get(root)?.byFile.has(file)) root.published.add(file);
      // A file the client has never seen diagnostics for is already clean there.
      else if (!root.published.delete(file) && !touched.has(file)) continue;
      this.sendDiagnostics(root, file, diags);
    }
    if (!sqlOn) return;
    this.sqlOf(root).schedule(result, (changed) => {
      if (!this.roots.includes(root)) return;
      for (const file of changed) {
        const diags = root.analyzer.result.diagnosticsByFile.get(file) ?? [];
        if (diags.length || this.sql.get(root)?.byFile.has(file)) root.published.add(file);
        else root.published.delete(file);
        this.sendDiagnostics(root, file, diags);
      }
    });
  }

  /** `reprise.analysis.sql` off: closes the root's checker and takes its diagnostics back from the client. */
  private dropSql(root: AppRoot, result: AnalysisResult): void {
    const sql = this.sql.get(root);
    if (!sql) return;
    this.sql.delete(root);
    sql.dispose();
    for (const file of sql.byFile.keys()) {
      const diags = result.diagnosticsByFile.get(file) ?? [];
      if (!diags.length) root.published.delete(file);
      this.sendDiagnostics(root, file, diags);
    }
  }

  private sqlOf(root: AppRoot): RootSql {
    let sql = this.sql.get(root);
    if (!sql) {
      sql = new RootSql(root.dir, (rel) => this.docs.get(fileUri(root.uri, rel))?.getText(), (m) => this.trace(root, m));
      this.sql.set(root, sql);
    }
    return sql;
  }

  /** Resolves when the SQL checks of every root have caught up with the latest analysis. */
  async sqlIdle(): Promise<void> {
    await this.ready;
    this.flushAll();
    for (const s of this.sql.values()) await s.idle;
  }

  private republish(root: AppRoot, rel: string): void {
    this.sendDiagnostics(root, rel, root.analyzer.result.diagnosticsByFile.get(rel) ?? []);
  }

  private sendDiagnostics(root: AppRoot, rel: string, analyzerDiags: readonly Diagnostic[]): void {
    const sql = this.sql.get(root)?.byFile.get(rel);
    const diags = sql ? [...analyzerDiags, ...sql] : analyzerDiags;
    const uri = this.uriOf(root, rel);
    const doc = this.docs.get(this.uriKey(root, rel));
    this.host.publishDiagnostics({ uri, version: doc?.version, diagnostics: diags.map((d) => toLspDiagnostic(root.uri, d)) });
  }

  /**
   * After an analysis has settled: send `reprise/appModel` (when the client wants it) and ask the client to
   * re-fetch code lenses when what they show in other files changed (a subscriber count, a new endpoint…).
   */
  private scheduleModel(root: AppRoot): void {
    const refresh = this.host.refreshCodeLenses;
    if (!this.config.appModelNotifications && !refresh) return;
    if (root.modelTimer) clearTimeout(root.modelTimer);
    const generation = root.analyzer.result.generation;
    root.modelTimer = setTimeout(() => {
      root.modelTimer = undefined;
      // Dropped when a newer analysis happened or is queued: the later timer sends that one.
      if (!this.roots.includes(root) || root.pending.size || root.analyzer.result.generation !== generation) return;
      try {
        if (this.config.appModelNotifications) this.host.sendNotification(AppModelNotification, this.modelParams(root));
        if (refresh) {
          const seen = root.lensSignature;
          const now = this.lensSignatureOf(root);
          if (seen !== undefined && seen !== now) refresh();
          root.lensSignature = now;
        }
      } catch (err) {
        this.logError("sending reprise/appModel", err);
      }
    }, this.config.appModelDelayMs ?? 60);
  }

  /** The current lens signature, memoised per generation. */
  private lensSignatureOf(root: AppRoot): string {
    const generation = root.analyzer.result.generation;
    if (root.lensSignatureCache?.generation !== generation) root.lensSignatureCache = { generation, signature: lensSignature(root.analyzer.result.model) };
    return root.lensSignatureCache.signature;
  }

  private modelParams(root: AppRoot): AppModelParams {
    const result = root.analyzer.result;
    return { rootUri: root.uriString, generation: result.generation, model: result.model, graph: toGraph(result.model) };
  }

  // ---- settings -------------------------------------------------------------------------------------------

  /** didChangeConfiguration: drop the cache, re-read, apply severity changes and refresh lenses. */
  async settingsChanged(pushed?: unknown): Promise<void> {
    await this.ready;
    const before = new Map(this.roots.map((r) => [r, this.settings.peek(r.uriString)]));
    this.settings.invalidate(pushed);
    let lensesChanged = false;
    for (const root of this.roots) {
      const old = before.get(root)!;
      const now = await this.settings.get(root.uriString);
      if (old.codeLens.enable !== now.codeLens.enable) lensesChanged = true;
      if (!sameLimits(old, now)) {
        // Other limits can change which files are read and parsed: load the root again.
        this.flush(root);
        await this.loadRoot(root, now);
      } else if (!sameSeverities(old, now) || old.analysis.sql !== now.analysis.sql) {
        this.flush(root);
        this.publish(root, root.analyzer.setOptions({ ...analyzerOptions(now), parser: root.parser }));
        this.scheduleModel(root);
      }
    }
    if (lensesChanged) this.host.refreshCodeLenses?.();
  }

  // ---- requests -------------------------------------------------------------------------------------------

  private async context(uri: string): Promise<FeatureContext | undefined> {
    await this.ready;
    const abs = fsPath(uri);
    const root = abs ? this.rootFor(abs) : undefined;
    const file = abs && root?.relative(abs);
    if (!root || !file) return undefined;
    this.flush(root);
    return {
      root,
      file,
      uri,
      index: root.modelIndex(),
      parsed: root.analyzer.getParsedFile(file),
      settings: await this.settings.get(root.uriString),
    };
  }

  async codeLenses(uri: string): Promise<CodeLens[]> {
    const ctx = await this.context(uri);
    if (!ctx || !ctx.settings.codeLens.enable) return [];
    // What the client now shows: a later analysis that changes it triggers workspace/codeLens/refresh.
    if (this.host.refreshCodeLenses) ctx.root.lensSignature = this.lensSignatureOf(ctx.root);
    return provideCodeLenses(ctx.root, ctx.file);
  }

  async resolveCodeLens(lens: CodeLens): Promise<CodeLens> {
    await this.ready;
    const data = lens.data as LensData | undefined;
    const root = data && this.roots.find((r) => r.uriString === data.root);
    if (!root) return { ...lens, command: { title: "…", command: "" } };
    this.flush(root);
    return resolveCodeLens(root, lens, this.config.lensStyle ?? "plain");
  }

  async hover(uri: string, position: Position): Promise<Hover | null> {
    const ctx = await this.context(uri);
    if (!ctx) return null;
    const sql = this.sql.get(ctx.root);
    if (sql) {
      await sql.idle;
      const q = sql.queryAt(ctx.file, position);
      if (q && !q.ignored) return { contents: { kind: "markdown", value: queryCard(q, sql.infoOf(q)) }, range: q.range };
    }
    return hover(ctx, position);
  }

  async definition(uri: string, position: Position): Promise<LspLocation[]> {
    const ctx = await this.context(uri);
    if (!ctx) return [];
    const sql = this.sql.get(ctx.root);
    const q = sql?.queryAt(ctx.file, position);
    const doc = this.docs.get(normalize(uri));
    if (sql && q && inside(q.textRange, position) && doc) {
      const text = doc.getText();
      const at = doc.offsetAt(position);
      let a = at;
      let b = at;
      while (a > 0 && /[\w$]/.test(text[a - 1])) a--;
      while (b < text.length && /[\w$]/.test(text[b])) b++;
      const target = sql.definitionOf(ctx.root.analyzer.result.model, q, text.slice(a, b));
      return target ? [{ uri: fileUri(ctx.root.uri, target.file), range: target.range }] : [];
    }
    const found = definition(ctx, position);
    if (found.length) return found;
    // A path string (`fetch("/users/42")`, a test's URL) → the endpoints that serve it.
    const line = (doc?.getText() ?? this.renameEnv(ctx.root).readText(ctx.file))?.split("\n")[position.line];
    return line === undefined ? [] : pathDefinition(ctx, line, position);
  }

  async references(uri: string, position: Position, includeDeclaration: boolean): Promise<LspLocation[]> {
    const ctx = await this.context(uri);
    if (!ctx) return [];
    // Usages the model links (topic → publishers and subscribers, endpoint → callers and cron jobs) first; for the
    // other names (and from a config file) every place the name is spelled, in code and in the runtime config files.
    const usages = references(ctx, position, includeDeclaration);
    return usages.length ? usages : (findNameReferences(ctx, this.renameEnv(ctx.root), position, includeDeclaration) ?? []);
  }

  async prepareRename(uri: string, position: Position): Promise<{ range: Range; placeholder: string } | null> {
    const ctx = await this.context(uri);
    return ctx ? prepareRename(ctx, this.renameEnv(ctx.root), position) : null;
  }

  async rename(uri: string, position: Position, newName: string): Promise<WorkspaceEdit | null> {
    const ctx = await this.context(uri);
    return ctx ? rename(ctx, this.renameEnv(ctx.root), position, newName) : null;
  }

  private renameEnv(root: AppRoot): RenameEnv {
    const caps = this.config.workspaceEdit ?? { documentChanges: false, resourceRename: false, changeAnnotations: false };
    return {
      documentChanges: caps.documentChanges,
      resourceRename: caps.resourceRename,
      changeAnnotations: caps.changeAnnotations,
      readText: (file) => {
        const open = this.docs.get(fileUri(root.uri, file));
        if (open) return open.getText();
        try {
          return readFileSync(root.absolute(file), "utf8");
        } catch {
          return undefined;
        }
      },
      version: (file) => this.docs.get(fileUri(root.uri, file))?.version ?? null,
      exists: (file) => existsSync(root.absolute(file)),
    };
  }

  /**
   * `reprise.server.create`: plans the edit that creates a service, endpoint, topic + subscription, database, cron
   * job, bucket or secret, then (unless `apply: false`) has the client apply it. A refused name or argument
   * throws CreateRefused when applying, and is returned as `{ ok: false, problem }` when only checking.
   */
  async create(arg: unknown): Promise<CreateCommandResult> {
    const args = readCreateArgs(arg);
    await this.ready;
    const root = this.rootOfCommand(args.rootUri, args.uri);
    this.flush(root);
    const env = this.renameEnv(root);
    const planned = planCreate(root, args, { read: env.readText, exists: env.exists });
    const apply = args.apply !== false;
    if ("problem" in planned) {
      if (apply) throw new CreateRefused(planned.problem);
      return { ok: false, problem: planned.problem };
    }
    if (!apply) return { ok: true, title: planned.title, edit: planned.edit, applied: false, uri: planned.uri, range: planned.range };
    const caps = this.config.workspaceEdit;
    if (!this.host.applyEdit) throw new CreateRefused("This editor cannot apply workspace edits (workspace/applyEdit); call the command with apply: false and apply the returned edit.");
    if (!caps?.documentChanges || !caps.resourceCreate) throw new CreateRefused("This editor's workspace edits cannot create files (workspaceEdit.resourceOperations 'create'); call the command with apply: false and apply the returned edit.");
    const result = await this.host.applyEdit(planned.title, planned.edit);
    if (!result.applied) throw new CreateRefused(`The editor did not apply the edit${result.failureReason ? `: ${result.failureReason}` : ""}.`);
    return { ok: true, title: planned.title, edit: planned.edit, applied: true, uri: planned.uri, range: planned.range };
  }

  private rootOfCommand(rootUri: string | undefined, uri: string | undefined): AppRoot {
    if (rootUri) {
      const root = this.roots.find((r) => r.uriString === normalize(rootUri));
      if (!root) throw new CreateRefused(`No app root at ${rootUri}.`);
      return root;
    }
    const abs = uri ? fsPath(uri) : undefined;
    const byDoc = abs ? this.rootFor(abs) : undefined;
    if (byDoc) return byDoc;
    if (this.roots.length === 1) return this.roots[0];
    throw new CreateRefused(this.roots.length ? `The workspace has ${this.roots.length} apps; say which one with rootUri.` : "No app found in the workspace (a folder with encore.app or reprise.app).");
  }

  async documentSymbols(uri: string): Promise<DocumentSymbol[]> {
    const ctx = await this.context(uri);
    return ctx ? documentSymbols(ctx.root, ctx.file) : [];
  }

  async workspaceSymbols(query: string): Promise<WorkspaceSymbol[]> {
    await this.ready;
    this.flushAll();
    return workspaceSymbols(this.roots, query);
  }

  async codeActions(uri: string, range: Range, context: CodeActionContext): Promise<CodeAction[]> {
    const ctx = await this.context(uri);
    const edits = this.config.workspaceEdit;
    return ctx ? codeActions(ctx.root, ctx.file, range, context, edits?.documentChanges === true && edits.resourceCreate === true) : [];
  }

  async completion(uri: string, position: Position): Promise<CompletionItem[]> {
    await this.ready;
    const doc = this.docs.get(normalize(uri));
    if (!doc) return [];
    const abs = fsPath(uri);
    const root = abs ? this.rootFor(abs) : undefined;
    const file = abs && root?.relative(abs);
    if (root && file) {
      this.flush(root);
      const sql = this.sql.get(root);
      const q = sql?.queryAt(file, position);
      if (sql && q && inside(q.textRange, position)) return sqlCompletions(await sql.tables(q.database));
    }
    return completions(doc.getText(), doc.offsetAt(position));
  }

  /** `reprise/graph`: the current model and graph of one root, or of all roots. */
  async graph(rootUri?: string): Promise<AppModelParams[]> {
    await this.ready;
    this.flushAll();
    const wanted = rootUri ? normalize(rootUri) : undefined;
    return this.roots.filter((r) => !wanted || r.uriString === wanted).map((r) => this.modelParams(r));
  }

  dispose(): void {
    this.disposed = true;
    for (const root of this.roots) root.dispose();
    for (const sql of this.sql.values()) sql.dispose();
    this.sql.clear();
  }

  // ---- logging --------------------------------------------------------------------------------------------

  private trace(root: AppRoot, message: string): void {
    if (this.settings.peek(root.uriString).trace.server === "verbose") this.host.log("debug", message);
  }

  private logError(what: string, err: unknown): void {
    this.host.log("error", `${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

/** What the lenses show, without positions (the client re-fetches an edited document's lenses by itself). */
function lensSignature(model: AppModel): string {
  const app = model.app;
  return JSON.stringify([
    app.services.map((s) => [s.name, s.endpoints.map((e) => [e.name, e.location.file])]),
    app.topics.map((t) => [t.name, t.location.file, t.subscriptions.map((x) => [x.name, x.location.file])]),
    app.cronJobs.map((c) => [c.name, c.location.file]),
  ]);
}

function analyzerOptions(settings: Settings): AnalyzerOptions {
  const options: AnalyzerOptions = { severity: { ...settings.diagnostics.severity } };
  if (settings.analysis.maxNestingDepth !== null) options.maxNestingDepth = settings.analysis.maxNestingDepth;
  if (settings.analysis.maxFileSize !== null) options.maxFileBytes = settings.analysis.maxFileSize;
  return options;
}

function normalize(uri: string): string {
  try {
    return URI.parse(uri).toString();
  } catch {
    return uri;
  }
}

function fsPath(uri: string): string | undefined {
  try {
    const u = URI.parse(uri);
    return u.scheme === "file" ? u.fsPath : undefined;
  } catch {
    return undefined;
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function inside(r: Range, p: Position): boolean {
  const le = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return le(r.start, p) && le(p, r.end);
}
