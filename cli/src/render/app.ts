/** Shared by check/graph: argument parsing for `[appRoot]` and loading + analysing an app from disk. */
import { existsSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";
import { Analyzer, parseLimitsOf, type AnalysisResult, type AnalyzerOptions, type SourceInput } from "@reprise/analyzer";
import { AnalysisCache, cacheEnabled, findAppRoot, findAppRoots, loadAppFiles, resultFromCache } from "@reprise/analyzer/node";

import { UsageError } from "../usage.js";
// The one usage-error type, re-exported for the commands that import it from here.
export { UsageError };

export interface LoadedApp {
  root: string;
  files: SourceInput[];
  result: AnalysisResult;
}

/** The valued flags every analysing command accepts: the guard's limits (`reprise check --help`). */
export const LIMIT_FLAGS = ["max-nesting-depth", "max-file-size"];

/** Analyzer options from --max-nesting-depth N and --max-file-size BYTES (suffixes k, kb, m, mb accepted). */
export function limitOptions(options: Map<string, string | true>): AnalyzerOptions {
  const out: AnalyzerOptions = {};
  const depth = options.get("max-nesting-depth");
  if (typeof depth === "string") {
    if (!/^\d+$/.test(depth) || Number(depth) < 1) throw new UsageError(`--max-nesting-depth needs a positive whole number, got '${depth}'`);
    out.maxNestingDepth = Number(depth);
  }
  const size = options.get("max-file-size");
  if (typeof size === "string") {
    const m = /^(\d+)\s*(b|k|kb|m|mb)?$/i.exec(size.trim());
    if (!m || Number(m[1]) < 1) throw new UsageError(`--max-file-size needs a size in bytes (e.g. 2097152, 512kb or 4mb), got '${size}'`);
    const unit = (m[2] ?? "b").toLowerCase();
    out.maxFileBytes = Number(m[1]) * (unit.startsWith("m") ? 1024 * 1024 : unit.startsWith("k") ? 1024 : 1);
  }
  return out;
}

/** Resolves the app root from an optional path argument (default: the current directory), walking upward. */
export function loadApp(pathArg: string | undefined, analyzerOptions: AnalyzerOptions = {}): LoadedApp {
  const start = resolve(pathArg ?? process.cwd());
  if (!existsSync(start)) throw new UsageError(`${start} does not exist`);
  const root = findAppRoot(start);
  if (!root) {
    const dir = statSync(start).isDirectory() ? start : resolve(start, "..");
    const nested = findAppRoots(dir).slice(0, 5);
    const hint = nested.length ? `; apps below it: ${nested.map((r) => relative(process.cwd(), r) || ".").join(", ")}` : "";
    throw new UsageError(`no encore.app or reprise.app found in ${dir} or any parent${hint}`);
  }
  const files = loadAppFiles(root, { maxFileBytes: parseLimitsOf(analyzerOptions).maxFileBytes });
  // A second run on unchanged files answers from the analysis cache (analyzer/src/node/cache.ts).
  const cache = cacheEnabled() ? new AnalysisCache(root) : null;
  const key = cache?.key(files, analyzerOptions);
  const hit = cache && key ? cache.read(key) : null;
  if (hit) return { root, files, result: resultFromCache(files, hit) };
  const result = new Analyzer(analyzerOptions).setFiles(files);
  if (cache && key) cache.write(key, result);
  return { root, files, result };
}

/** Splits argv into positionals and `--flag` / `--flag value` / `--flag=value` options. */
export function parseArgs(args: string[], valued: string[], flags: string[]): { positionals: string[]; options: Map<string, string | true> } {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (valued.includes(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        options.set(name, v);
      } else if (flags.includes(name) && eq < 0) options.set(name, true);
      else throw new UsageError(`unknown option ${a}`);
    } else if (a.startsWith("-") && a !== "-") {
      if (a === "-h") options.set("help", true);
      else throw new UsageError(`unknown option ${a}`);
    } else positionals.push(a);
  }
  if (positionals.length > 1) throw new UsageError(`expected at most one app path, got ${positionals.length}`);
  return { positionals, options };
}
