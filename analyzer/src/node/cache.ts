/**
 * The analysis cache: the last analysis of an app, kept under `<app>/.reprise/cache/analysis.json`, so that a
 * second `reprise check` (or `graph`, `openapi`, `run`) and a language server starting on an unchanged app answer
 * without analysing. The analyser itself stays pure: this is the caller's IO, in the Node-side part of the package.
 *
 * A hit needs an exact key: a hash over every input file (path, size and text, in order), the analyser options
 * that change results, and the fingerprint of the code doing the analysis (size and mtime of the files of the
 * package or bundle this module was loaded from, plus swc's version), so a rebuilt or upgraded Reprise never reads
 * a result an older one wrote. One entry per app (the latest); reading or writing it never fails the caller: an
 * unreadable, corrupt or foreign file is a miss, a write that fails is skipped. `REPRISE_CACHE=0` turns it off.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { APP_MODEL_VERSION, type AppModel, type Diagnostic } from "@reprise/protocol";
import type { AnalysisResult, AnalyzerOptions, SourceInput } from "../analyzer.js";
import type { SqlQuery } from "../link/infra.js";

/** Bump when the file's shape changes. */
const CACHE_FORMAT = 1;
const FILE = "analysis.json";

interface CacheFile {
  format: number;
  key: string;
  model: AppModel;
  sqlQueries: SqlQuery[];
}

let fingerprint: string | undefined;

/**
 * What identifies the running analyser: size + mtime of every file in the folder tree this module was loaded from
 * (the package's dist folder, or the bundle's folder), at most a few hundred files, and swc's version.
 */
export function codeFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const h = createHash("sha256");
  h.update(`model ${APP_MODEL_VERSION}\n`);
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/src/node/cache.js → dist/; a bundle → its own folder's parent (dist/).
  const top = here.endsWith(`${join("src", "node")}`) ? join(here, "..", "..") : join(here, "..");
  const stack = [top];
  let seen = 0;
  while (stack.length && seen < 2000) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        // Compiled tests are not part of what analyses.
        if (e.name !== "node_modules" && e.name !== "test" && !e.name.startsWith(".")) stack.push(p);
        continue;
      }
      if (!/\.(m?js|json|node)$/.test(e.name)) continue;
      try {
        const st = statSync(p);
        h.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
        seen++;
      } catch {
        // Vanished while walking: the fingerprint just does not include it.
      }
    }
  }
  try {
    h.update(`swc ${createRequire(import.meta.url)("@swc/core/package.json").version}\n`);
  } catch {
    h.update("swc ?\n");
  }
  return (fingerprint = h.digest("hex"));
}

/** The options that change an analysis (the parser host does not). */
function optionsKey(options: AnalyzerOptions): string {
  const { parser: _parser, severity, ...rest } = options;
  const sev = severity ? Object.keys(severity).sort().map((k) => [k, severity[k]]) : [];
  return JSON.stringify([rest.appId ?? null, rest.maxNestingDepth ?? null, rest.maxFileBytes ?? null, sev]);
}

export function cacheEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.REPRISE_CACHE !== "0";
}

export class AnalysisCache {
  readonly dir: string;

  constructor(appRoot: string) {
    this.dir = join(appRoot, ".reprise", "cache");
  }

  /** The key of an analysis of `files` with `options` by this build of the analyser. */
  key(files: readonly SourceInput[], options: AnalyzerOptions = {}): string {
    const h = createHash("sha256");
    h.update(`${CACHE_FORMAT}\n${codeFingerprint()}\n${optionsKey(options)}\n`);
    for (const f of files) {
      h.update(f.path);
      h.update(`\0${f.size ?? -1}\0${f.text.length}\0`);
      h.update(f.text);
      h.update("\0");
    }
    return h.digest("hex");
  }

  /** The cached analysis for `key`, or null (no entry, another key, unreadable or corrupt). */
  read(key: string): { model: AppModel; sqlQueries: SqlQuery[] } | null {
    try {
      const raw = readFileSync(join(this.dir, FILE), "utf8");
      // Cheap reject before parsing megabytes of JSON: the key sits at the start of the file.
      if (!raw.slice(0, 200).includes(key)) return null;
      const v = JSON.parse(raw) as CacheFile;
      if (v.format !== CACHE_FORMAT || v.key !== key || !v.model || v.model.version !== APP_MODEL_VERSION || !Array.isArray(v.sqlQueries)) return null;
      return { model: v.model, sqlQueries: v.sqlQueries };
    } catch {
      return null;
    }
  }

  /** Stores the analysis under `key` (atomically: a reader sees the old or the new entry, never half of one). */
  write(key: string, result: Pick<AnalysisResult, "model" | "sqlQueries">): boolean {
    try {
      mkdirSync(this.dir, { recursive: true });
      const body = `{"format":${CACHE_FORMAT},"key":${JSON.stringify(key)},"model":${JSON.stringify(result.model)},"sqlQueries":${JSON.stringify(result.sqlQueries)}}\n`;
      const tmp = join(this.dir, `${FILE}.${process.pid}.tmp`);
      writeFileSync(tmp, body);
      renameSync(tmp, join(this.dir, FILE));
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * An AnalysisResult rebuilt from a cached model for the same `files`: diagnostics grouped per file (every input
 * file present, [] when clean), every file counted as changed.
 */
export function resultFromCache(files: readonly SourceInput[], cached: { model: AppModel; sqlQueries: SqlQuery[] }): AnalysisResult {
  const byFile = new Map<string, Diagnostic[]>();
  for (const f of files) byFile.set(f.path.replace(/\\/g, "/").replace(/^\.\//, ""), []);
  for (const d of cached.model.diagnostics) {
    const list = byFile.get(d.file);
    if (list) list.push(d);
    else byFile.set(d.file, [d]);
  }
  return { model: cached.model, diagnosticsByFile: byFile, changedFiles: [...byFile.keys()].sort(), generation: 1, sqlQueries: cached.sqlQueries };
}
