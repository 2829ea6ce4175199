/**
 * `@reprise/analyzer/node`: the Node-side loader. The only part of the analyser that touches the file system:
 * finds app roots and reads an app's files into SourceInput records for the pure Analyzer.
 */
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { SourceInput } from "../analyzer.js";
import { DEFAULT_MAX_FILE_BYTES } from "../guard.js";
import { RUNTIME_CONFIG_FILES } from "../config-names.js";
import { APP_ROOT_MARKERS } from "../sdk.js";
import { IgnoreRules, SKIPPED_DIRS } from "./ignore-rules.js";

export { IgnoreRules, SKIPPED_DIRS } from "./ignore-rules.js";
export { AnalysisCache, cacheEnabled, codeFingerprint, resultFromCache } from "./cache.js";
const TEXT_FILES = /\.(ts|tsx|mts|cts|js|mjs|cjs|jsx)$/;

export interface LoadOptions {
  /** Files larger than this are not read: they are passed with text "" and their size (the analyser reports them). */
  maxFileBytes?: number;
  /** The app's ignore rules (default: read from its .gitignore files). */
  ignore?: IgnoreRules;
}

/** Walks upward from startPath (a file or folder) to the nearest folder holding encore.app or reprise.app. */
export function findAppRoot(startPath: string): string | null {
  let dir = resolve(startPath);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  for (;;) {
    if (APP_ROOT_MARKERS.some((m) => existsSync(join(dir, m)))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Every app root at or below workspaceDir (apps may be nested in a monorepo), sorted. */
export function findAppRoots(workspaceDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 12) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && APP_ROOT_MARKERS.includes(e.name))) out.push(dir);
    for (const e of entries) {
      if (e.isDirectory() && !SKIPPED_DIRS.has(e.name) && !e.name.startsWith(".")) walk(join(dir, e.name), depth + 1);
    }
  };
  walk(resolve(workspaceDir), 0);
  return out.sort();
}

/** Whether a file's text is handed to the analyser (other files are passed as "" so their paths are visible). */
export function wantsText(relPath: string): boolean {
  const base = relPath.slice(relPath.lastIndexOf("/") + 1);
  if (base.endsWith(".d.ts")) return false;
  return TEXT_FILES.test(base) || APP_ROOT_MARKERS.includes(base) || base === "tsconfig.json" || base === "package.json" || (RUNTIME_CONFIG_FILES as readonly string[]).includes(base);
}

/**
 * Reads one file as the loader hands it to the analyser: the text of source and manifest files, "" for others;
 * a source over `maxFileBytes` is not read (text "" and its size). undefined when it is not a readable file.
 */
export function readSourceInput(absPath: string, rel: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES): SourceInput | undefined {
  try {
    const st = statSync(absPath);
    if (!st.isFile()) return undefined;
    if (!wantsText(rel)) return { path: rel, text: "" };
    if (st.size > maxFileBytes) return { path: rel, text: "", size: st.size };
    return { path: rel, text: readFileSync(absPath, "utf8") };
  } catch {
    return undefined;
  }
}

/**
 * Reads every file under appRoot that the app's ignore rules keep (IgnoreRules: dependency, build-output and
 * generated folders, hidden folders, .gitignore'd paths). Throws on an unreadable root.
 */
export function loadAppFiles(appRoot: string, options: LoadOptions = {}): SourceInput[] {
  const root = resolve(appRoot);
  if (!statSync(root).isDirectory()) throw new Error(`${root} is not a directory`);
  const rules = options.ignore ?? IgnoreRules.forRoot(root);
  const out: SourceInput[] = [];
  // Iterative: folder depth is the disk's, not bounded by anything we control.
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    const relDir = relative(root, dir).split(sep).join("/");
    if (entries.some((e) => e.isFile() && e.name === ".gitignore")) rules.addGitignore(relDir, join(dir, ".gitignore"));
    for (const e of entries) {
      const abs = join(dir, e.name);
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!rules.ignores(rel, true)) stack.push(abs);
        continue;
      }
      if (!e.isFile() || rules.ignores(rel, false)) continue;
      const input = readSourceInput(abs, rel, options.maxFileBytes);
      if (input) out.push(input);
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
