/**
 * Module hooks for the test processes of `reprise test` (registered by setup.ts with `module.register`): the app's
 * TypeScript loads as ESM compiled by esbuild (source maps inline, so stack traces and breakpoints point at the
 * .ts lines), `encore.dev/*` and `reprise/*` resolve to the installed SDK, `~encore/clients` / `~reprise/clients`
 * to the app's generated clients module and `~encore/auth` / `~reprise/auth` to the SDK's auth accessor: the same
 * mapping `reprise run`'s bundle uses (src/run/build.ts), so test files and the runtime share module instances.
 * The app's tsconfig `paths` aliases resolve for its own files (as esbuild resolves them in `reprise run`'s bundle).
 */
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join, relative, sep } from "node:path";
import { aliasCandidates, type PathAlias } from "@reprise/analyzer/resolve";
import { transformSync } from "esbuild";
import { SDK_SUBPATHS } from "../run/modules.js";

interface HookData {
  sdkRoot: string;
  clientsFile: string;
  appRoot: string;
  /** The app's tsconfig.json `paths` (targets relative to the app root), read by the parent. */
  aliases: PathAlias[];
}

type Resolve = (specifier: string, context: { parentURL?: string }) => Promise<{ url: string; format?: string | null; shortCircuit?: boolean }>;
type Load = (url: string, context: { format?: string | null }) => Promise<{ format: string; source?: string | Buffer | null; shortCircuit?: boolean }>;

let data: HookData;

export function initialize(d: HookData): void {
  data = d;
}

// The modules `reprise run` maps (one list, cli/src/run/modules.ts), plus the testing helpers tests import.
const SDK_MODULES = new Set<string>([...SDK_SUBPATHS, "testing"]);

function sdkUrl(sub: string): string | null {
  if (sub === "") return pathToFileURL(join(data.sdkRoot, "dist/src/index.js")).href;
  if (SDK_MODULES.has(sub)) return pathToFileURL(join(data.sdkRoot, "dist/src", sub, "index.js")).href;
  if (/^internal\/[a-z-]+$/.test(sub)) return pathToFileURL(join(data.sdkRoot, "dist/src", `${sub}.js`)).href;
  return null;
}

const TS = /\.(ts|mts|cts|tsx)$/;

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** TypeScript's ESM conventions: `./x` → x.ts / x/index.ts, `./x.js` → x.ts when only the .ts exists. */
function tsCandidate(path: string): string | null {
  if (isFile(path)) return null;
  const base = path.replace(/\.(js|mjs|cjs|jsx)$/, "");
  for (const ext of [".ts", ".tsx", ".mts"]) if (isFile(base + ext)) return base + ext;
  for (const ext of [".ts", ".tsx"]) if (isFile(join(path, "index" + ext))) return join(path, "index" + ext);
  return null;
}

/** `specifier` under the app's `paths` aliases (the same matching as the analyser's resolver), for an app file. */
function aliased(specifier: string, parentURL: string | undefined): string | null {
  if (!data.aliases.length || !parentURL?.startsWith("file:")) return null;
  const from = relative(data.appRoot, fileURLToPath(parentURL));
  if (from.startsWith("..") || from.split(sep).includes("node_modules")) return null;
  for (const rel of aliasCandidates(data.aliases, specifier)) {
    const p = join(data.appRoot, rel);
    if (isFile(p)) return p;
    const ts = tsCandidate(p);
    if (ts) return ts;
  }
  return null;
}

export const resolve = async (specifier: string, context: { parentURL?: string }, next: Resolve) => {
  const m = /^(encore\.dev|reprise)(\/.*)?$/.exec(specifier);
  if (m) {
    const url = sdkUrl((m[2] ?? "").replace(/^\//, ""));
    if (!url) throw new Error(`${specifier} is not part of the Reprise SDK (supported: reprise, reprise/${[...SDK_MODULES].join(", reprise/")})`);
    return { url, format: "module", shortCircuit: true };
  }
  if (/^~(encore|reprise)\/clients(\/.*)?$|(encore|reprise)\.gen\/clients/.test(specifier)) {
    return { url: pathToFileURL(data.clientsFile).href, format: "module", shortCircuit: true };
  }
  if (/^~(encore|reprise)\/auth(\/.*)?$|(encore|reprise)\.gen\/auth/.test(specifier)) {
    return { url: sdkUrl("auth")!, format: "module", shortCircuit: true };
  }
  if ((specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("file:")) && context.parentURL?.startsWith("file:")) {
    const target = specifier.startsWith("file:") ? fileURLToPath(specifier) : fileURLToPath(new URL(specifier, context.parentURL));
    const ts = tsCandidate(target);
    if (ts) return { url: pathToFileURL(ts).href, format: "module", shortCircuit: true };
  } else if (!specifier.startsWith("node:")) {
    const hit = aliased(specifier, context.parentURL);
    if (hit) return { url: pathToFileURL(hit).href, format: TS.test(hit) ? "module" : undefined, shortCircuit: true };
  }
  return next(specifier, context);
};

export const load = async (url: string, context: { format?: string | null }, next: Load) => {
  if (url.startsWith("file:") && TS.test(new URL(url).pathname) && !url.includes("/node_modules/")) {
    const file = fileURLToPath(url);
    const out = transformSync(readFileSync(file, "utf8"), {
      loader: file.endsWith(".tsx") ? "tsx" : "ts",
      format: "esm",
      target: "node20",
      sourcemap: "inline",
      sourcefile: file,
    });
    return { format: "module", source: out.code, shortCircuit: true };
  }
  return next(url, context);
};

