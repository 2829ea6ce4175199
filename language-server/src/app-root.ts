/**
 * One app root (a folder holding `encore.app` or `reprise.app`) as the server sees it: its analyzer instance,
 * the edits waiting for the next debounced re-analysis, what was last published per file, and the lazily built
 * model index. File IO for closed files happens here and only here; the analyzer itself never touches the disk.
 */
import { readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { URI } from "vscode-uri";
import { Analyzer, DEFAULT_MAX_FILE_BYTES, type AnalysisResult, type AnalyzerOptions, type SourceInput } from "@reprise/analyzer";
import { IgnoreRules, loadAppFiles, readSourceInput, SKIPPED_DIRS, wantsText } from "@reprise/analyzer/node";
import { ModelIndex } from "./model-index.js";
import { ServerParserHost } from "./parse-host.js";

export const APP_FILE_NAMES = ["encore.app", "reprise.app"];

/** Same rule as the analyzer's loader: skipped folders and hidden folders anywhere on the path. */
export function isSkippedPath(rel: string): boolean {
  const segs = rel.split("/");
  return segs.some((seg, i) => SKIPPED_DIRS.has(seg) || (i < segs.length - 1 && seg.startsWith(".")));
}

/** Text of a file as the analyzer's loader would hand it in; undefined when it does not exist or is not a file. */
export function readSource(absPath: string): string | undefined {
  try {
    if (!statSync(absPath).isFile()) return undefined;
    return wantsText(absPath.split(path.sep).join("/")) ? readFileSync(absPath, "utf8") : "";
  } catch {
    return undefined;
  }
}

/** A queued input: new text (and the size on disk when the file was too large to read), or null = removed. */
export type PendingInput = { text: string; size?: number } | null;

export function isDirectory(absPath: string): boolean {
  try {
    return statSync(absPath).isDirectory();
  } catch {
    return false;
  }
}

export class AppRoot {
  readonly uri: URI;
  readonly uriString: string;
  readonly analyzer: Analyzer;
  /** The app's ignore rules (skipped folders, .gitignore): ignored files are never read, parsed or published. */
  ignore: IgnoreRules;
  /** Where this root's files are parsed (in process, or isolated for files that crashed a server). */
  readonly parser: ServerParserHost;
  /** Files larger than this are not read (the analyzer reports them as too large). */
  maxFileBytes = DEFAULT_MAX_FILE_BYTES;
  /** Root-relative path → new input (null = removed), applied at the next flush. */
  readonly pending = new Map<string, PendingInput>();
  /** Files whose diagnostics must be re-sent at the next flush even if unchanged (edited open documents). */
  readonly touched = new Set<string>();
  /** Files whose last published diagnostics were non-empty (cleared when the root goes away). */
  readonly published = new Set<string>();
  timer: ReturnType<typeof setTimeout> | undefined;
  modelTimer: ReturnType<typeof setTimeout> | undefined;
  /** What the client's code lenses last showed (see lensSignature in language-server.ts). */
  lensSignature: string | undefined;
  lensSignatureCache: { generation: number; signature: string } | undefined;
  /** Bumped on every queued edit; a flush records the value it covered. */
  editVersion = 0;
  private index: { generation: number; index: ModelIndex } | undefined;

  constructor(
    readonly dir: string,
    /** Root-relative folders of app roots nested inside this one: their files belong to them, not to us. */
    readonly nested: string[],
    options: AnalyzerOptions,
    quarantine: ReadonlySet<string> = new Set(),
  ) {
    this.uri = URI.file(dir);
    this.uriString = this.uri.toString();
    this.parser = new ServerParserHost(dir, quarantine);
    this.analyzer = new Analyzer({ ...options, parser: this.parser });
    this.ignore = IgnoreRules.forRoot(dir);
  }

  /** Re-reads the .gitignore files (one changed); the caller rescans. */
  reloadIgnoreRules(): void {
    this.ignore = IgnoreRules.forRoot(this.dir);
  }

  /** A file as the loader reads it (size-limited); undefined when it is not a readable file. */
  read(rel: string): { text: string; size?: number } | undefined {
    const input = readSourceInput(this.absolute(rel), rel, this.maxFileBytes);
    return input && { text: input.text, size: input.size };
  }

  /** Root-relative "/" path of an absolute path inside this root, or undefined when it is outside or skipped. */
  relative(absPath: string): string | undefined {
    const rel = path.relative(this.dir, absPath);
    if (!rel || rel.startsWith("..") || path.isAbsolute(rel)) return undefined;
    const posix = rel.split(path.sep).join("/");
    if (isSkippedPath(posix) || this.ignore.ignores(posix, false)) return undefined;
    if (this.nested.some((n) => posix === n || posix.startsWith(n + "/"))) return undefined;
    return posix;
  }

  absolute(rel: string): string {
    return path.join(this.dir, ...rel.split("/"));
  }

  /** Files on disk now, with open documents' text laid over them. */
  loadFiles(overlay: (rel: string) => string | undefined): SourceInput[] {
    const files: SourceInput[] = [];
    this.reloadIgnoreRules();
    for (const f of loadAppFiles(this.dir, { maxFileBytes: this.maxFileBytes, ignore: this.ignore })) {
      if (this.nested.some((n) => f.path === n || f.path.startsWith(n + "/"))) continue;
      const open = overlay(f.path);
      files.push(open !== undefined ? { path: f.path, text: open } : f);
    }
    return files;
  }

  /**
   * Applies queued edits; undefined when there were none. Large batches go through one setFiles. The result's
   * changedFiles covers the whole batch (each incremental step only reports its own changes).
   */
  applyPending(): AnalysisResult | undefined {
    if (!this.pending.size) return undefined;
    const edits = [...this.pending];
    this.pending.clear();
    if (edits.length > 64) {
      const files = new Map<string, { text: string; size?: number }>();
      for (const name of this.analyzer.fileNames()) {
        const parsed = this.analyzer.getParsedFile(name);
        files.set(name, parsed && !parsed.refused ? { text: parsed.text } : (this.read(name) ?? { text: "" }));
      }
      for (const [rel, input] of edits) {
        if (input === null) files.delete(rel);
        else files.set(rel, input);
      }
      return this.analyzer.setFiles([...files].map(([p, f]) => ({ path: p, text: f.text, size: f.size })));
    }
    let result: AnalysisResult | undefined;
    const changed = new Set<string>();
    const known = new Set(this.analyzer.fileNames());
    for (const [rel, input] of edits) {
      if (input === null) {
        if (known.has(rel)) result = this.analyzer.remove(rel);
        else continue;
      } else result = this.analyzer.update(rel, input.text, input.size);
      for (const f of result.changedFiles) changed.add(f);
    }
    if (!result) return undefined;
    return edits.length === 1 ? result : { ...result, changedFiles: [...changed] };
  }

  /** The model index of the current generation (built on first use). */
  modelIndex(): ModelIndex {
    const result = this.analyzer.result;
    if (!this.index || this.index.generation !== result.generation) this.index = { generation: result.generation, index: new ModelIndex(result.model) };
    return this.index.index;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.modelTimer) clearTimeout(this.modelTimer);
    this.timer = this.modelTimer = undefined;
  }
}
