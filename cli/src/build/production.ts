/**
 * `reprise build`: an analysed app → a self-contained production folder (docs/build.md):
 *
 *   main.mjs                  launcher: `node main.mjs [--port N] [--config FILE]` (reprise/internal/launch)
 *   app/app.mjs (+ .map)      the app and its npm dependencies bundled by esbuild (minified, linked source map);
 *                             the SDK stays an import of the `reprise` package below
 *   app/model.json            the app model the runtime routes and validates with
 *   app/<migrations, static>  each database's migrations folder and each api.static folder, at their app paths
 *   node_modules/             the SDK (its JS and the native addon for this platform only), @reprise/protocol,
 *                             pg and its dependencies (PGlite only with --embedded-databases)
 *   package.json              the packages above, pinned to the copied versions; `npm start`
 *   reprise-build.json        what was built (app, platform, versions); marks the folder as a build output
 *   Dockerfile, .dockerignore with --docker
 *
 * No infrastructure config is read: the folder starts against whatever config the deployment hands it. Tests,
 * dev databases and `.reprise/` are never copied (only what the entry module imports is bundled; a test file
 * reached from it is refused).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { AppModel, ErrorCode } from "@reprise/protocol";
import { aliasPlugin, clientsModule, entryModule, sdkRoot } from "../run/build.js";
import { dockerFiles } from "./docker.js";

export const BUILD_MARKER = "reprise-build.json";

/** Node platform-arch → the Rust target its addon is built for (the names `--target` accepts). */
export const TARGETS: Record<string, string> = {
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
  "darwin-x64": "x86_64-apple-darwin",
  "darwin-arm64": "aarch64-apple-darwin",
  "win32-x64": "x86_64-pc-windows-msvc",
};

export function currentTarget(): string {
  return `${process.platform}-${process.arch}`;
}

type BuildErrorCode = Extract<ErrorCode, "RP_BUILD_TARGET" | "RP_BUILD_OUT" | "RP_BUILD_BUNDLE" | "RP_BUILD_FILES" | "RP_BUILD_PACKAGE">;

export class BuildError extends Error {
  constructor(
    readonly code: BuildErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface BuildOptions {
  appRoot: string;
  model: AppModel;
  outDir: string;
  target?: string;
  docker?: boolean;
  /** Copy PGlite too, so databases without a URL work when REPRISE_ENV=local (never in other environments). */
  embeddedDatabases?: boolean;
}

export interface BuildResult {
  outDir: string;
  bytes: number;
  files: number;
  packages: Record<string, string>;
  bundledInputs: number;
}

/** Refuses a target this machine cannot produce an addon for, naming what it would take. */
export function checkTarget(target: string | undefined): void {
  const here = currentTarget();
  if (!target || target === here) return;
  if (!(target in TARGETS)) throw new BuildError("RP_BUILD_TARGET", `unknown --target '${target}' (known: ${Object.keys(TARGETS).join(", ")})`);
  const triple = TARGETS[target];
  throw new BuildError(
    "RP_BUILD_TARGET",
    `cannot build for ${target} here (this machine is ${here}): the build carries the runtime's native addon, which must be compiled for ${target} — ` +
      `a Rust toolchain with that target (rustup target add ${triple}) and its linker/C toolchain, then \`cargo build --release --target ${triple}\` in runtime/ ` +
      `(or run \`reprise build\` on a ${target} machine or container)`,
  );
}

/** The output folder must be new, empty, or an earlier build (its marker file), and never the app or a parent of it. */
function prepareOutDir(outDir: string, appRoot: string): void {
  const out = resolve(outDir);
  const rel = relative(out, appRoot);
  if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) throw new BuildError("RP_BUILD_OUT", `--out ${out} would contain the app itself; choose a folder of its own`);
  const inside = relative(appRoot, out);
  if (!inside.startsWith("..") && inside.split(sep).some((p) => p === ".reprise" || p === "node_modules")) {
    throw new BuildError("RP_BUILD_OUT", `--out ${out} is inside the app's ${inside.split(sep).find((p) => p === ".reprise" || p === "node_modules")} folder`);
  }
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new BuildError("RP_BUILD_OUT", `--out ${out} is a file`);
    const entries = readdirSync(out);
    if (entries.length && !entries.includes(BUILD_MARKER)) throw new BuildError("RP_BUILD_OUT", `--out ${out} is not empty and is not an earlier build (no ${BUILD_MARKER}); nothing was changed`);
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
}

/** A path of the model (relative to the app root) that must stay inside it. */
function insideApp(appRoot: string, rel: string, what: string): string {
  const abs = resolve(appRoot, rel);
  const r = relative(appRoot, abs);
  if (r.startsWith("..") || isAbsolute(r)) throw new BuildError("RP_BUILD_FILES", `${what} ${rel} is outside the app`);
  return r;
}

const NEVER_COPIED = /(^|[\\/])(\.reprise|node_modules|\.git)([\\/]|$)|\.(test|spec)\.[cm]?[jt]sx?$|(^|[\\/])\.secrets\.local\.cue$/;

function copyAppFolder(appRoot: string, outApp: string, rel: string): void {
  const from = join(appRoot, rel);
  if (!existsSync(from)) return;
  cpSync(from, join(outApp, rel), { recursive: true, filter: (src) => !NEVER_COPIED.test(relative(appRoot, src)) });
}

/** Finds an installed package's folder from `fromDir` the way Node resolves it (walking up node_modules). */
function packageDir(name: string, fromDir: string): string | null {
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, "node_modules", name, "package.json");
    if (existsSync(candidate)) return dirname(realpathSync(candidate));
    if (dirname(d) === d) return null;
  }
}

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/**
 * Copies a package and its dependencies (flat under out/node_modules; a second version of one name nests under
 * its dependent, as npm would). Records name → version.
 */
function copyPackageTree(name: string, fromDir: string, outModules: string, versions: Record<string, string>, skip: Set<string>, filter?: (rel: string) => boolean): void {
  const dir = packageDir(name, fromDir);
  if (!dir) throw new BuildError("RP_BUILD_PACKAGE", `the runtime dependency ${name} is not installed (looked from ${fromDir})`);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
  let dest = join(outModules, name);
  if (versions[name] !== undefined) {
    if (versions[name] === pkg.version) return;
    throw new BuildError("RP_BUILD_PACKAGE", `two versions of ${name} are needed (${versions[name]} and ${pkg.version}); not supported by reprise build yet`);
  }
  versions[name] = pkg.version;
  cpSync(dir, dest, {
    recursive: true,
    filter: (src) => {
      const rel = relative(dir, src);
      if (rel === "") return true;
      const parts = rel.split(sep);
      if (parts[0] === "node_modules") return false;
      // Tests, TypeScript sources and declarations, source maps and docs are not needed to run a package.
      if (parts.some((p) => p === "test" || p === "tests" || p === "__tests__")) return false;
      if (/\.(test|spec)\.[cm]?[jt]sx?(\.map)?$/.test(rel) || /\.([cm]?ts|tsx|map|md|markdown)$/i.test(rel)) return false;
      return filter ? filter(rel) : true;
    },
  });
  dest = realpathSync(dest);
  for (const dep of Object.keys({ ...pkg.dependencies })) if (!skip.has(dep)) copyPackageTree(dep, dir, outModules, versions, skip);
  // Optional dependencies are copied only when installed (platform-specific builds).
  for (const dep of Object.keys({ ...pkg.optionalDependencies })) if (!skip.has(dep) && packageDir(dep, dir)) copyPackageTree(dep, dir, outModules, versions, skip);
}

function folderSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        bytes += statSync(p).size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}

const LAUNCHER = `#!/usr/bin/env node
// Starts this Reprise production build: node main.mjs [--port N] [--config FILE] (PORT, REPRISE_CONFIG, REPRISE_ENV).
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "reprise/internal/launch";

const code = await launch(dirname(fileURLToPath(import.meta.url)));
if (code !== 0) process.exit(code);
`;

export async function buildProduction(opts: BuildOptions): Promise<BuildResult> {
  checkTarget(opts.target);
  const appRoot = resolve(opts.appRoot);
  const outDir = resolve(opts.outDir);
  prepareOutDir(outDir, appRoot);
  const outApp = join(outDir, "app");
  mkdirSync(outApp, { recursive: true });
  const { model } = opts;

  // 1. The bundle: the generated entry and clients modules (written in the output folder, then removed).
  const { build } = await import("esbuild");
  const entryFile = join(outDir, ".entry.mjs");
  const clientsFile = join(outDir, ".clients.mjs");
  writeFileSync(entryFile, entryModule(model, appRoot));
  writeFileSync(clientsFile, clientsModule(model));
  let metafile;
  try {
    const result = await build({
      entryPoints: [entryFile],
      outfile: join(outApp, "app.mjs"),
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      minify: true,
      keepNames: true,
      sourcemap: "linked",
      sourcesContent: false,
      metafile: true,
      logLevel: "silent",
      absWorkingDir: appRoot,
      plugins: [aliasPlugin(clientsFile, true)],
      banner: { js: `import { createRequire as __repriseCreateRequire } from "node:module"; const require = __repriseCreateRequire(import.meta.url);` },
    });
    metafile = result.metafile;
  } catch (e) {
    const errs = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors;
    const text = errs?.length ? errs.map((x) => `  ${x.location ? `${x.location.file}:${x.location.line}:${x.location.column + 1}  ` : ""}${x.text}`).join("\n") : String(e);
    throw new BuildError("RP_BUILD_BUNDLE", `could not bundle the app:\n${text}`);
  } finally {
    rmSync(entryFile, { force: true });
    rmSync(clientsFile, { force: true });
  }
  const inputs = Object.keys(metafile.inputs);
  const tests = inputs.filter((f) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(f) || /(^|\/)\.reprise\//.test(f));
  if (tests.length) throw new BuildError("RP_BUILD_BUNDLE", `the app's modules import test files, which a production build never includes: ${tests.join(", ")}`);

  // 2. The model and the files the runtime reads at their app paths.
  writeFileSync(join(outApp, "model.json"), JSON.stringify({ ...model, diagnostics: [] }));
  for (const db of model.app.databases) if (db.migrations.dir) copyAppFolder(appRoot, outApp, insideApp(appRoot, db.migrations.dir, `database ${db.name}'s migrations folder`));
  for (const s of model.app.services) {
    for (const e of s.endpoints) {
      if (!e.static) continue;
      copyAppFolder(appRoot, outApp, insideApp(appRoot, e.static.dir, `the static folder of ${s.name}.${e.name}`));
      if (e.static.notFound) copyAppFolder(appRoot, outApp, insideApp(appRoot, e.static.notFound, `the notFound file of ${s.name}.${e.name}`));
    }
  }

  // 3. The runtime packages: the SDK (its JS and this platform's addon), the protocol, pg; PGlite when asked.
  const outModules = join(outDir, "node_modules");
  const versions: Record<string, string> = {};
  const sdk = sdkRoot();
  const addon = `reprise.${process.platform}-${process.arch}${process.platform === "linux" ? "-gnu" : ""}.node`;
  if (!existsSync(join(sdk, "native", addon))) throw new BuildError("RP_BUILD_PACKAGE", `the runtime addon ${join(sdk, "native", addon)} is missing (npm run build:native in runtime/sdk)`);
  // The SDK loads these lazily, only for the kinds of infrastructure that need them: an app without databases
  // needs no PostgreSQL driver, one without a cache cluster no Redis client, and PGlite only when asked for.
  const importsSdk = (sub: string) => Object.values(metafile.outputs).some((o) => o.imports.some((i) => i.path === `reprise/${sub}`));
  const skip = new Set<string>();
  if (!opts.embeddedDatabases) skip.add("@electric-sql/pglite");
  if (!model.app.databases.length) skip.add("pg");
  if (!importsSdk("storage/cache")) skip.add("@redis/client");
  copyPackageTree("reprise", dirname(sdk), outModules, versions, skip, (rel) => {
    const top = rel.split(sep)[0];
    if (top === "native") return rel === "native" || rel === join("native", addon);
    if (top === "dist") return true;
    return top === "package.json" || top === "README.md" || top === "LICENSE";
  });
  const sdkPkg = JSON.parse(readFileSync(join(sdk, "package.json"), "utf8")) as PackageJson;
  // The protocol ships its JS and its schema (no sources, no tests).
  if (versions["@reprise/protocol"]) {
    const protocolDir = join(outModules, "@reprise", "protocol");
    for (const e of readdirSync(protocolDir)) if (!["package.json", "dist", "schema"].includes(e)) rmSync(join(protocolDir, e), { recursive: true, force: true });
  }

  // 4. Launcher, package.json, marker, Docker files.
  writeFileSync(join(outDir, "main.mjs"), LAUNCHER);
  let appVersion = "0.0.0";
  try {
    appVersion = (JSON.parse(readFileSync(join(appRoot, "package.json"), "utf8")) as { version?: string }).version ?? appVersion;
  } catch {
    // an app without package.json keeps 0.0.0
  }
  const appId = model.app.id || "app";
  const pkgName = appId.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+/, "") || "app";
  const dependencies = Object.fromEntries(Object.entries(versions).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(
    join(outDir, "package.json"),
    JSON.stringify({ name: `${pkgName}-build`, version: appVersion, private: true, type: "module", description: `Production build of the Reprise app '${appId}'`, engines: { node: ">=20" }, scripts: { start: "node main.mjs" }, dependencies }, null, 2) + "\n",
  );
  writeFileSync(
    join(outDir, BUILD_MARKER),
    JSON.stringify({ app: appId, version: appVersion, target: currentTarget(), node: ">=20", reprise: sdkPkg.version, embeddedDatabases: Boolean(opts.embeddedDatabases), endpoints: model.app.services.reduce((n, s) => n + s.endpoints.length, 0) }, null, 2) + "\n",
  );
  if (opts.docker) for (const [name, text] of Object.entries(dockerFiles(appId))) writeFileSync(join(outDir, name), text);
  const size = folderSize(outDir);
  return { outDir, bytes: size.bytes, files: size.files, packages: dependencies, bundledInputs: inputs.length };
}
