/**
 * `@reprise/analyzer/node`: the Node-side loader. The only part of the analyser that touches the file system:
 * finds app roots and reads an app's files into SourceInput records for the pure Analyzer.
 */
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { SourceInput } from "../analyzer.js";
import { APP_ROOT_MARKERS } from "../sdk.js";

/** Folders never handed to the analyser. */
export const SKIPPED_DIRS = new Set(["node_modules", ".git", "dist", "build", ".reprise", "encore.gen", "reprise.gen"]);
const TEXT_FILES = /\.(ts|tsx|mts|cts|js|mjs|cjs|jsx)$/;
const MAX_TEXT_BYTES = 4 * 1024 * 1024;

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
  return TEXT_FILES.test(base) || APP_ROOT_MARKERS.includes(base) || base === "tsconfig.json" || base === "package.json";
}

/** Reads every file under appRoot (skipping SKIPPED_DIRS and hidden folders). Throws on an unreadable root. */
export function loadAppFiles(appRoot: string): SourceInput[] {
  const root = resolve(appRoot);
  if (!statSync(root).isDirectory()) throw new Error(`${root} is not a directory`);
  const out: SourceInput[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name) && !e.name.startsWith(".")) walk(abs);
        continue;
      }
      if (!e.isFile()) continue;
      const rel = relative(root, abs).split(sep).join("/");
      let text = "";
      if (wantsText(rel)) {
        try {
          const st = statSync(abs);
          if (st.size <= MAX_TEXT_BYTES) text = readFileSync(abs, "utf8");
        } catch {
          text = "";
        }
      }
      out.push({ path: rel, text });
    }
  };
  walk(root);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
