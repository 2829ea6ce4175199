/**
 * Turns an app folder into something Node can run on the Reprise runtime: analyse it (refusing to start on error
 * diagnostics), generate the per-app service clients module and an entry module that exports every endpoint in
 * model order, and bundle the app's TypeScript with esbuild (source maps on). `encore.dev/*` maps to `reprise/*`,
 * `~encore/clients` / `~reprise/clients` to the generated clients, `~encore/auth` / `~reprise/auth` to the SDK's
 * auth accessor, so Encore.ts apps run unmodified.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import type { AppModel, Diagnostic } from "@reprise/protocol";
import type { Plugin } from "esbuild";
import { SDK_SUBPATHS } from "./modules.js";

export interface Analysed {
  model: AppModel;
  errors: Diagnostic[];
}

export interface Prepared extends Analysed {
  /** The bundle to import; null when the app has errors. */
  bundle: string | null;
  cached: boolean;
}

function toolStamp(): string {
  // The analyser's own build is in the analysis key (AnalysisCache.key); these are the bundler's inputs besides the app.
  const files = [fileURLToPath(import.meta.url), join(sdkRoot(), "dist/src/internal/host.js"), join(sdkRoot(), "package.json")];
  return files.map((f) => `${f}:${existsSync(f) ? statSync(f).mtimeMs : 0}`).join("|");
}

/**
 * Analysis + bundle, cached by the content of the app's files (and the tools' versions): an unchanged app starts
 * without re-analysing or re-bundling. Cache entries live in .reprise/run/ (the newest few are kept).
 */
export async function prepareApp(appRoot: string): Promise<Prepared> {
  const { loadAppFiles, AnalysisCache } = await import("@reprise/analyzer/node");
  const files = loadAppFiles(appRoot);
  // The same content key as the analysis cache (every file's path, size and text, and the analyser's build).
  const key = createHash("sha256").update(toolStamp()).update(new AnalysisCache(appRoot).key(files)).digest("hex").slice(0, 20);
  const outDir = join(appRoot, ".reprise", "run");
  const modelFile = join(outDir, `app-${key}.model.json`);
  const bundleFile = join(outDir, `app-${key}.mjs`);
  if (existsSync(modelFile) && existsSync(bundleFile)) {
    try {
      return { model: JSON.parse(readFileSync(modelFile, "utf8")) as AppModel, errors: [], bundle: bundleFile, cached: true };
    } catch {
      // a damaged cache entry is rebuilt below
    }
  }
  const { analyze } = await import("@reprise/analyzer");
  const model = analyze(files);
  const errors = model.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) return { model, errors, bundle: null, cached: false };
  const bundle = await bundleApp(model, appRoot, bundleFile);
  writeFileSync(modelFile, JSON.stringify(model));
  pruneCache(outDir, 6);
  return { model, errors, bundle, cached: false };
}

function pruneCache(dir: string, keep: number): void {
  const entries = readdirSync(dir)
    .filter((f) => /^app-[0-9a-f]+\.mjs$/.test(f))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of entries.slice(keep)) {
    rmSync(join(dir, f), { force: true });
    rmSync(join(dir, f.replace(/\.mjs$/, ".model.json")), { force: true });
  }
}

export async function analyseApp(appRoot: string): Promise<Analysed> {
  const [{ analyze }, { loadAppFiles }] = await Promise.all([import("@reprise/analyzer"), import("@reprise/analyzer/node")]);
  const model = analyze(loadAppFiles(appRoot));
  return { model, errors: model.diagnostics.filter((d) => d.severity === "error") };
}

export function formatDiagnostics(diags: Diagnostic[]): string {
  return diags.map((d) => `  ${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}  ${d.severity} ${d.code}: ${d.message}`).join("\n");
}

/** Root of the installed `reprise` SDK package (real path, so the app and the host share module instances). */
let sdkRootCache: string | undefined;
export function sdkRoot(): string {
  return (sdkRootCache ??= dirname(realpathSync(createRequire(import.meta.url).resolve("reprise/package.json"))));
}

const SDK_MODULES = new Set<string>(SDK_SUBPATHS);

function sdkFile(sub: string): string | null {
  const root = sdkRoot();
  if (sub === "") return join(root, "dist/src/index.js");
  if (SDK_MODULES.has(sub)) return join(root, "dist/src", sub, "index.js");
  if (/^internal\/[a-z-]+$/.test(sub)) return join(root, "dist/src", `${sub}.js`);
  return null;
}

function identifier(service: string): string {
  return service.replace(/-/g, "_");
}

/** The `~encore/clients` module of an app: one namespace per service, each endpoint a function calling the runtime. */
export function clientsModule(model: AppModel): string {
  const lines = [`import { callEndpoint } from "reprise/internal/clients";`];
  let index = 0;
  for (const s of model.app.services) {
    const members: string[] = [];
    for (const e of s.endpoints) {
      if (!e.static && !e.streaming && !e.raw) members.push(`  ${JSON.stringify(e.name)}: (params, opts) => callEndpoint(${index}, params, opts),`);
      index++;
    }
    lines.push(`export const ${identifier(s.name)} = {\n${members.join("\n")}\n  ref() { return this; },\n};`);
  }
  return lines.join("\n") + "\n";
}

/** The entry module: imports service files (middleware registration), then exports endpoints in model order. */
export function entryModule(model: AppModel, appRoot: string): string {
  const files = new Map<string, string>();
  const alias = (file: string) => {
    let a = files.get(file);
    if (!a) files.set(file, (a = `m${files.size}`));
    return a;
  };
  for (const s of model.app.services) if (s.file) alias(s.file);
  const eps = model.app.services.flatMap((s) => s.endpoints).map((e) => `${alias(e.location.file)}[${JSON.stringify(e.name)}]`);
  const ah = model.app.authHandler;
  // The auth handler need not be exported when an exported Gateway carries it (`new Gateway({ authHandler })`).
  const gw = model.app.gateway;
  const viaGateway = gw?.authHandler ? `__gatewayAuth(${alias(gw.location.file)})` : "undefined";
  const auth = ah ? `(${alias(ah.location.file)}[${JSON.stringify(ah.name)}] ?? ${viaGateway})` : "undefined";
  const imports = [...files].map(([file, a]) => `import * as ${a} from ${JSON.stringify(resolve(appRoot, file))};`);
  const helper = `function __gatewayAuth(mod) {\n  for (const v of Object.values(mod)) if (v && typeof v === "object" && v.name === "api-gateway" && v.config && v.config.authHandler) return v.config.authHandler;\n  return undefined;\n}`;
  return `${imports.join("\n")}\n${helper}\nexport const endpoints = [\n  ${eps.join(",\n  ")}\n];\nexport const authHandler = ${auth};\n`;
}

/**
 * Maps the SDK's specifiers. `reprise run` (`production` false) points them at the installed SDK's files and leaves
 * every other package external (loaded from the app's node_modules). A production build (`reprise build`) keeps
 * the SDK as bare `reprise/<sub>` imports (the build folder carries the SDK package) and bundles everything else.
 */
export function aliasPlugin(clientsFile: string, production = false): Plugin {
  const target = (sub: string, file: string) => (production ? (sub === "" ? "reprise" : `reprise/${sub}`) : file);
  return {
    name: "reprise-aliases",
    setup(build) {
      build.onResolve({ filter: /^(encore\.dev|reprise)(\/.*)?$/ }, (args) => {
        const sub = args.path.replace(/^(encore\.dev|reprise)\/?/, "");
        const file = sdkFile(sub);
        if (!file) return { errors: [{ text: `${args.path} is not part of the Reprise SDK (supported: reprise, reprise/${[...SDK_MODULES].join(", reprise/")})` }] };
        return { path: target(sub, file), external: true };
      });
      build.onResolve({ filter: /^~(encore|reprise)\/clients(\/.*)?$|(encore|reprise)\.gen\/clients/ }, () => ({ path: clientsFile }));
      build.onResolve({ filter: /^~(encore|reprise)\/auth(\/.*)?$|(encore|reprise)\.gen\/auth/ }, () => ({ path: target("auth", sdkFile("auth")!), external: true }));
      // Other packages load from the app's node_modules at run time (a production build bundles them).
      if (!production) build.onResolve({ filter: /^[^./~]/ }, (args) => (args.path.startsWith("/") ? undefined : { path: args.path, external: true }));
    },
  };
}

/** Bundles the app into `outfile` (content-addressed by the caller, so a changed app never hits the ESM cache). */
export async function bundleApp(model: AppModel, appRoot: string, outfile: string): Promise<string> {
  const { build } = await import("esbuild");
  const outDir = join(appRoot, ".reprise", "run");
  mkdirSync(outDir, { recursive: true });
  const clientsFile = join(outDir, `clients-${process.pid}.mjs`);
  const entryFile = join(outDir, `entry-${process.pid}.mjs`);
  writeFileSync(clientsFile, clientsModule(model));
  writeFileSync(entryFile, entryModule(model, appRoot));
  // Written under a temporary name and renamed: concurrent runs of the same app never import a half-written file.
  const tmpFile = `${outfile}.${process.pid}.tmp`;
  await build({
    entryPoints: [entryFile],
    outfile: tmpFile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "inline",
    sourcesContent: true,
    logLevel: "silent",
    absWorkingDir: appRoot,
    plugins: [aliasPlugin(clientsFile)],
    banner: { js: `import { createRequire as __repriseCreateRequire } from "node:module"; const require = __repriseCreateRequire(import.meta.url);` },
  });
  renameSync(tmpFile, outfile);
  rmSync(clientsFile, { force: true });
  rmSync(entryFile, { force: true });
  return outfile;
}
