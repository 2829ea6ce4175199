/**
 * The incremental analyser. Inputs are the app's files as text (no IO here); each change re-parses and
 * re-extracts only the changed file, drops the cached schemas that depended on it, and reruns the cheap global
 * link step. Invalidation rules are documented in docs/app-model.md ("Incremental analysis").
 */
import { RUNTIME_CONFIG_FILES } from "./config-names.js";
import { secretsConfigDiagnostics } from "./link/secrets-config.js";
import type { SqlQuery } from "./link/infra.js";
import type { AppModel, Cors, Diagnostic, Range, Severity } from "@reprise/protocol";
import { APP_MODEL_VERSION } from "@reprise/protocol";
import type { Node } from "./ast.js";
import { D } from "./diagnostics/catalogue.js";
import { makeDiagnostic } from "./diagnostics/define.js";
import { extractFile, isScannedSource } from "./extract.js";
import { emptyFacts, type FileFacts } from "./facts.js";
import { stripJsonComments } from "./jsonc.js";
import { link, LinkMemo } from "./link/index.js";
import { ZERO_RANGE } from "./link/context.js";
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_NESTING_DEPTH, MAX_NESTING_DEPTH_CEILING } from "./guard.js";
import { IN_PROCESS_PARSER, ParsedFile, type ParseLimits, type ParserHost } from "./parsed-file.js";
import { ModuleResolver } from "./resolve.js";
import { createSchemaBuilder, type SchemaBuilderLike, type SchemaRequestContext, type SchemaResultLike, type SchemaRole } from "./schema-bridge.js";
import { APP_ROOT_MARKERS } from "./sdk.js";

export interface SourceInput {
  /** Relative to the app root, "/" separators. */
  path: string;
  text: string;
  /**
   * UTF-8 size on disk when the caller did not read the file because it is larger than the size limit (`text`
   * is then ""); the analyser reports it as too large instead of seeing an empty file.
   */
  size?: number;
}

export interface AnalyzerOptions {
  appId?: string;
  /** Per-code severity overrides; "off" drops the diagnostic. */
  severity?: Record<string, Severity | "off">;
  /** Files nested deeper than this (estimated, see guard.ts) are not parsed (RP1005). Default 500, at most 1,000. */
  maxNestingDepth?: number;
  /** Files larger than this many UTF-8 bytes are not parsed (RP1006). Default 2 MB. */
  maxFileBytes?: number;
  /** Where swc runs (default: in this process). The language server isolates files that crashed it (RP1007). */
  parser?: ParserHost;
}

/** The parse limits of a set of options: defaults filled in, the depth clamped to what is safe for swc. */
export function parseLimitsOf(options: AnalyzerOptions): ParseLimits {
  const depth = options.maxNestingDepth;
  const bytes = options.maxFileBytes;
  return {
    maxNestingDepth: typeof depth === "number" && depth >= 1 ? Math.min(Math.floor(depth), MAX_NESTING_DEPTH_CEILING) : DEFAULT_MAX_NESTING_DEPTH,
    maxFileBytes: typeof bytes === "number" && bytes >= 1 ? Math.floor(bytes) : DEFAULT_MAX_FILE_BYTES,
  };
}

export interface AnalysisResult {
  model: AppModel;
  /** Every input file is present; [] when clean. */
  diagnosticsByFile: Map<string, Diagnostic[]>;
  /** Files whose diagnostics differ from the previous result (including now-empty and removed files). */
  changedFiles: string[];
  /** Increments on every setFiles/update/remove/setOptions. */
  generation: number;
  /** SQL queries on the app's databases, for @reprise/sqlcheck (not part of the app model). */
  sqlQueries: SqlQuery[];
}

/** Shared by every clean file of every result (results are read-only). */
const NO_DIAGNOSTICS: Diagnostic[] = Object.freeze([]) as unknown as Diagnostic[];

const PARSEABLE = /\.(ts|tsx|mts|cts|js|mjs|cjs|jsx)$/;

interface FileState {
  text: string;
  size?: number;
  parsed: ParsedFile | null;
  facts: FileFacts | null;
}

export class Analyzer {
  private options: AnalyzerOptions;
  private limits: ParseLimits;
  private readonly files = new Map<string, FileState>();
  private readonly facts = new Map<string, FileFacts>();
  private readonly resolver = new ModuleResolver((p) => this.files.has(p));
  private builder: SchemaBuilderLike;
  private readonly schemaCache = new Map<string, Map<string, SchemaResultLike>>();
  /** Per-file counter bumped when the file's cached schemas are dropped (see link/endpoints.ts memo). */
  private readonly schemaEpochs = new Map<string, number>();
  private epochBase = 0;
  /** Scanned files' facts sorted by path; rebuilt when the file set changes. */
  private sortedFacts: FileFacts[] | null = null;
  /** dependency file → files whose cached schemas read it. */
  private readonly reverseDeps = new Map<string, Set<string>>();
  private generation = 0;
  private current: AnalysisResult;
  /** The input paths; a new Set only when the file set changes (link results memoise on its identity). */
  private pathSet: ReadonlySet<string> = new Set();
  private readonly linkMemo = new LinkMemo();

  constructor(options: AnalyzerOptions = {}) {
    this.options = { ...options };
    this.limits = parseLimitsOf(this.options);
    this.builder = this.newBuilder();
    this.current = this.relink([]);
  }

  get result(): AnalysisResult {
    return this.current;
  }

  fileNames(): string[] {
    return [...this.files.keys()].sort();
  }

  /**
   * Static imports and re-exports, in files outside folder `dir`, whose specifier resolves to a file inside it
   * (for moving a folder: these are the specifiers to rewrite). `relative`: the specifier starts with `./` or `../`.
   */
  importsInto(dir: string): { file: string; specifier: string; range: Range; target: string; relative: boolean }[] {
    const inside = (p: string) => p === dir || p.startsWith(dir + "/");
    const out: { file: string; specifier: string; range: Range; target: string; relative: boolean }[] = [];
    for (const [file, facts] of this.facts) {
      if (inside(file)) continue;
      for (const site of facts.specifierSites ?? []) {
        const target = this.resolver.resolve(file, site.specifier);
        if (target !== undefined && inside(target)) out.push({ file, specifier: site.specifier, range: site.range, target, relative: /^\.\.?\//.test(site.specifier) });
      }
    }
    return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.range.start.line - b.range.start.line));
  }

  getParsedFile(path: string): ParsedFile | undefined {
    const st = this.files.get(path);
    if (!st || !PARSEABLE.test(path)) return undefined;
    if (!st.parsed) st.parsed = ParsedFile.parse(path, st.text, this.limits, st.size, this.options.parser ?? IN_PROCESS_PARSER);
    return st.parsed;
  }

  setFiles(files: Iterable<SourceInput>): AnalysisResult {
    const before = new Set(this.files.keys());
    this.files.clear();
    this.facts.clear();
    for (const f of files) this.files.set(normalize(f.path), { text: f.text, size: f.size, parsed: null, facts: null });
    this.fileSetChanged();
    for (const path of this.files.keys()) this.extract(path);
    return (this.current = this.relink([...before].filter((p) => !this.files.has(p))));
  }

  /** `size`: as in SourceInput (the file was too large to read). */
  update(path: string, text: string, size?: number): AnalysisResult {
    path = normalize(path);
    const st = this.files.get(path);
    if (st && st.text === text && st.size === size) {
      this.generation++;
      return (this.current = { ...this.current, changedFiles: [], generation: this.generation });
    }
    this.files.set(path, { text, size, parsed: null, facts: null });
    if (!st) this.fileSetChanged();
    else this.fileChanged(path);
    this.extract(path);
    return (this.current = this.relink([]));
  }

  remove(path: string): AnalysisResult {
    path = normalize(path);
    if (!this.files.delete(path)) {
      this.generation++;
      return (this.current = { ...this.current, changedFiles: [], generation: this.generation });
    }
    this.facts.delete(path);
    this.fileSetChanged();
    return (this.current = this.relink([path]));
  }

  setOptions(options: AnalyzerOptions): AnalysisResult {
    this.options = { ...options };
    const limits = parseLimitsOf(this.options);
    if (limits.maxNestingDepth !== this.limits.maxNestingDepth || limits.maxFileBytes !== this.limits.maxFileBytes) {
      // Different limits can change which files are parsed: start over with the same inputs.
      this.limits = limits;
      return this.setFiles([...this.files].map(([path, st]) => ({ path, text: st.text, size: st.size })));
    }
    return (this.current = this.relink([]));
  }

  // ---- caches --------------------------------------------------------------------------------------------

  private newBuilder(): SchemaBuilderLike {
    return createSchemaBuilder({ getFile: (p) => this.getParsedFile(p), resolveModule: (from, spec) => this.resolver.resolve(from, spec) });
  }

  /** Adding or removing a file can change any module resolution: drop resolution and schema caches. */
  private fileSetChanged(): void {
    this.pathSet = new Set(this.files.keys());
    this.resolver.setTsconfig(this.files.get("tsconfig.json")?.text);
    this.schemaCache.clear();
    this.reverseDeps.clear();
    this.schemaEpochs.clear();
    this.epochBase++;
    this.sortedFacts = null;
    this.builder = this.newBuilder();
  }

  /** A changed file invalidates its own schemas and those of files whose types referenced it. */
  private fileChanged(path: string): void {
    if (path === "tsconfig.json") return this.fileSetChanged();
    this.builder.invalidate(path);
    const drop = new Set([path, ...(this.reverseDeps.get(path) ?? [])]);
    for (const f of drop) {
      this.schemaCache.delete(f);
      this.schemaEpochs.set(f, (this.schemaEpochs.get(f) ?? 0) + 1);
    }
    this.reverseDeps.delete(path);
  }

  private extract(path: string): void {
    const st = this.files.get(path)!;
    if (!isScannedSource(path)) {
      this.facts.delete(path);
      return;
    }
    const parsed = this.getParsedFile(path)!;
    let facts: FileFacts;
    if (parsed.refused) {
      facts = emptyFacts(path);
      facts.scanned = true;
      facts.isServiceFile = /(^|\/)(encore|reprise)\.service\.ts$/.test(path);
      const r = parsed.refused;
      if (r.reason === "parser-crashed") {
        facts.diagnostics.push(makeDiagnostic(D.ParserCrashed, path, ZERO_RANGE, `Parsing this file crashed the parser (${r.detail}); it is not analysed (its declarations are missing from the app model). The rest of the app is still analysed. Please report this file to Reprise.`));
      } else if (r.reason === "too-deep") {
        facts.diagnostics.push(makeDiagnostic(D.FileTooDeep, path, r.range, `Nesting deeper than ${r.limit} levels; this file is not analysed (its declarations are missing from the app model). Split the expression, move generated code out of the app's sources, or raise maxNestingDepth (at most ${MAX_NESTING_DEPTH_CEILING}). The rest of the app is still analysed.`));
      } else {
        facts.diagnostics.push(makeDiagnostic(D.FileTooLarge, path, ZERO_RANGE, `This file is ${formatBytes(r.bytes)}, over the ${formatBytes(r.limit)} limit; it is not analysed (its declarations are missing from the app model). Move bundles and data out of the app's sources, or raise maxFileBytes. The rest of the app is still analysed.`));
      }
    } else if (parsed.syntaxError) {
      facts = emptyFacts(path);
      facts.scanned = true;
      facts.isServiceFile = /(^|\/)(encore|reprise)\.service\.ts$/.test(path);
      facts.diagnostics.push(makeDiagnostic(D.SyntaxError, path, parsed.syntaxError.range, `Syntax error: ${parsed.syntaxError.message}. The rest of the app is still analysed.`));
    } else {
      try {
        facts = extractFile(parsed);
      } catch (err) {
        facts = emptyFacts(path);
        facts.scanned = true;
        facts.diagnostics.push(makeDiagnostic(D.InternalError, path, ZERO_RANGE, `Reprise failed to analyse this file (${String((err as Error)?.message ?? err).slice(0, 200)}). This is a bug in Reprise; the rest of the app is still analysed.`));
      }
    }
    st.facts = facts;
    this.facts.set(path, facts);
    if (this.sortedFacts) {
      const i = this.sortedFacts.findIndex((f) => f.path === path);
      if (i >= 0) this.sortedFacts[i] = facts;
      else this.sortedFacts = null;
    }
  }

  private schemaSource(collected: Diagnostic[]) {
    return {
      epoch: (file: string) => this.epochBase * 1e6 + (this.schemaEpochs.get(file) ?? 0),
      replay: (r: SchemaResultLike) => {
        for (const d of r.diagnostics) collected.push(d);
      },
      get: (file: string, key: string, type: Node, role: SchemaRole, ctx?: () => SchemaRequestContext): SchemaResultLike => {
        let perFile = this.schemaCache.get(file);
        let r = perFile?.get(key);
        if (!r) {
          try {
            r = this.builder.build(file, type, role, ctx?.());
          } catch (err) {
            r = { schema: null, fields: null, dependencies: [], diagnostics: [makeDiagnostic(D.InternalError, file, ZERO_RANGE, `Reprise failed to build a ${role} schema (${String((err as Error)?.message ?? err).slice(0, 200)}). This is a bug in Reprise.`)] };
          }
          if (!perFile) this.schemaCache.set(file, (perFile = new Map()));
          perFile.set(key, r);
          for (const dep of r.dependencies) {
            if (dep === file) continue;
            let set = this.reverseDeps.get(dep);
            if (!set) this.reverseDeps.set(dep, (set = new Set()));
            set.add(file);
          }
        }
        for (const d of r.diagnostics) collected.push(d);
        return r;
      },
    };
  }

  // ---- link ----------------------------------------------------------------------------------------------

  private appInfo(): { id: string; cors?: Cors; diagnostics: Diagnostic[] } {
    const diagnostics: Diagnostic[] = [];
    for (const marker of APP_ROOT_MARKERS) {
      const st = this.files.get(marker);
      if (!st) continue;
      if (st.text.trim() === "") return { id: this.options.appId ?? "app", diagnostics };
      try {
        const v = JSON.parse(stripJsonComments(st.text));
        if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("the top level is not an object");
        const id = typeof v.id === "string" && v.id ? v.id : typeof v.name === "string" && v.name ? v.name : null;
        if (!id) diagnostics.push(makeDiagnostic(D.AppFileNoId, marker, ZERO_RANGE, `${marker} has no "id"; the app id falls back to "${this.options.appId ?? "app"}". Add "id": "my-app".`));
        const cors = v.global_cors === undefined ? undefined : readCors(v.global_cors, marker, diagnostics);
        return { id: id ?? this.options.appId ?? "app", ...(cors ? { cors } : {}), diagnostics };
      } catch (err) {
        diagnostics.push(makeDiagnostic(D.AppFileInvalid, marker, ZERO_RANGE, `${marker} is not valid JSON (${(err as Error).message}); write e.g. { "id": "my-app" }.`));
        return { id: this.options.appId ?? "app", diagnostics };
      }
    }
    return { id: this.options.appId ?? "app", diagnostics };
  }

  private relink(removed: string[]): AnalysisResult {
    this.generation++;
    const app = this.appInfo();
    const schemaDiags: Diagnostic[] = [];
    let model: AppModel;
    let linkDiags: Diagnostic[];
    let sqlQueries: SqlQuery[] = [];
    try {
      if (!this.sortedFacts) this.sortedFacts = [...this.facts.values()].filter((f) => f.scanned).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const r = link({ appId: app.id, files: this.sortedFacts, facts: this.facts, paths: this.pathSet, resolver: this.resolver, schemas: this.schemaSource(schemaDiags), memo: this.linkMemo });
      model = r.model;
      linkDiags = r.diagnostics;
      sqlQueries = r.sqlQueries;
    } catch (err) {
      model = emptyModel(app.id);
      linkDiags = [makeDiagnostic(D.InternalError, this.files.has("reprise.app") ? "reprise.app" : "encore.app", ZERO_RANGE, `Reprise failed to link the app (${String((err as Error)?.message ?? err).slice(0, 200)}). This is a bug in Reprise.`)];
    }
    if (app.cors) model.app.cors = app.cors;
    const all: Diagnostic[] = [...app.diagnostics];
    for (const f of this.facts.values()) all.push(...f.diagnostics);
    all.push(...linkDiags, ...schemaDiags);
    const configPath = RUNTIME_CONFIG_FILES.find((f) => this.files.get(f)?.text);
    if (configPath) all.push(...secretsConfigDiagnostics(model.app, { path: configPath, text: this.files.get(configPath)!.text }));
    const diagnostics = dedupe(this.applySeverity(all).sort(compareDiagnostics));
    model.diagnostics = diagnostics;
    const byFile = new Map<string, Diagnostic[]>();
    for (const p of this.files.keys()) byFile.set(p, NO_DIAGNOSTICS);
    for (const d of diagnostics) {
      let list = byFile.get(d.file);
      if (!list || list === NO_DIAGNOSTICS) byFile.set(d.file, (list = []));
      list.push(d);
    }
    const prev = this.current?.diagnosticsByFile ?? new Map<string, Diagnostic[]>();
    const changed = new Set<string>(removed);
    for (const [p, list] of byFile) {
      const old = prev.get(p);
      if (old === undefined || !sameDiagnostics(old, list)) changed.add(p);
    }
    for (const p of prev.keys()) if (!byFile.has(p)) changed.add(p);
    if (!this.current) changed.clear();
    return { model, diagnosticsByFile: byFile, changedFiles: [...changed].sort(), generation: this.generation, sqlQueries };
  }

  private applySeverity(list: Diagnostic[]): Diagnostic[] {
    const o = this.options.severity;
    if (!o) return list;
    const out: Diagnostic[] = [];
    for (const d of list) {
      const s = o[d.code];
      if (s === "off") continue;
      out.push(s ? { ...d, severity: s } : d);
    }
    return out;
  }
}

/** Shared types reached from several endpoints report the same schema problem once. */
function dedupe(sorted: Diagnostic[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of sorted) {
    const p = out[out.length - 1];
    if (p && compareDiagnostics(p, d) === 0) continue;
    out.push(d);
  }
  return out;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KB`;
  return `${n} bytes`;
}

function normalize(p: string): string {
  return p.replace(/\\/g, "/").replace(/^\.\//, "");
}

function sameDiagnostics(a: Diagnostic[], b: Diagnostic[]): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 0) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  const s = a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
  if (s) return s;
  const e = a.range.end.line - b.range.end.line || a.range.end.character - b.range.end.character;
  if (e) return e;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

function emptyModel(id: string): AppModel {
  return { version: APP_MODEL_VERSION, app: { id, services: [], databases: [], topics: [], cronJobs: [], buckets: [], secrets: [], authHandler: null, gateway: null }, diagnostics: [] };
}

/**
 * `global_cors` of the app file, keys as Encore spells them. A value of the wrong type is an error (RP1003, naming
 * the key), as Encore refuses such an app file; unknown keys are ignored, as Encore ignores them.
 */
function readCors(v: unknown, marker: string, diagnostics: Diagnostic[]): Cors | undefined {
  const bad = (key: string, what: string) =>
    diagnostics.push(makeDiagnostic(D.AppFileInvalid, marker, ZERO_RANGE, `${marker}: global_cors${key ? `.${key}` : ""} must be ${what}.`));
  if (!v || typeof v !== "object" || Array.isArray(v)) {
    bad("", "an object");
    return undefined;
  }
  const o = v as Record<string, unknown>;
  const list = (key: string): string[] | null => {
    const x = o[key];
    if (x === undefined || x === null) return null;
    if (Array.isArray(x) && x.every((e) => typeof e === "string")) return x as string[];
    bad(key, "a list of strings");
    return null;
  };
  // Other keys are ignored, as Encore's app-file parser ignores them.
  if (o.debug !== undefined && typeof o.debug !== "boolean") bad("debug", "true or false");
  return {
    allowOriginsWithoutCredentials: list("allow_origins_without_credentials"),
    allowOriginsWithCredentials: list("allow_origins_with_credentials"),
    allowHeaders: list("allow_headers") ?? [],
    exposeHeaders: list("expose_headers") ?? [],
    debug: o.debug === true,
  };
}
