#!/usr/bin/env node
// `npm run package`: builds the platform-specific .vsix (linux-x64 by default; REPRISE_VSIX_TARGET overrides).
// This is a workspace monorepo, so vsce runs on a prepared staging folder (dist/vsix-stage) holding exactly what
// the extension needs at run time, with `--no-dependencies`:
//   dist/extension.js + client.js, dist/server.mjs + server-chunks/, dist/media/ (bundles: scripts/bundle.mjs)
//   dist/node_modules/@reprise/cli (+ analyzer, esbuild)            (`reprise run` when the app has no CLI)
//   dist/node_modules/@swc/core + its platform binary package       (the analyzer's parser, native)
//   dist/node_modules/reprise (runtime/sdk: dist + native/*.node)   (the SDK and the Rust runtime addon)
// The packages sit in dist/node_modules (not node_modules) because vsce --no-dependencies drops a top-level
// node_modules; Node's resolution from dist/server.mjs and dist/cli/ finds them there all the same.
// Writes reprise-<version>-<target>.vsix at the repository root and prints its size.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ext = join(dirname(fileURLToPath(import.meta.url)), "..");
const repo = join(ext, "..");
const require = createRequire(import.meta.url);
const target = process.env.REPRISE_VSIX_TARGET ?? "linux-x64";
// npm's platform package names for each vsce target (see docs/extension.md, "Other platforms").
const ESBUILD_BINARY = target.replace(/^alpine-/, "linux-").replace(/^linux-armhf$/, "linux-arm");
const SWC_BINARY = {
  "linux-x64": "@swc/core-linux-x64-gnu", "linux-arm64": "@swc/core-linux-arm64-gnu", "linux-armhf": "@swc/core-linux-arm-gnueabihf",
  "alpine-x64": "@swc/core-linux-x64-musl", "alpine-arm64": "@swc/core-linux-arm64-musl", "darwin-x64": "@swc/core-darwin-x64",
  "darwin-arm64": "@swc/core-darwin-arm64", "win32-x64": "@swc/core-win32-x64-msvc", "win32-arm64": "@swc/core-win32-arm64-msvc",
}[target];
if (!SWC_BINARY) throw new Error(`unknown target ${target}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal})`);
}

run(process.execPath, [join(ext, "scripts/bundle.mjs")], { env: { ...process.env, REPRISE_BUNDLE_MINIFY: "1" } });
for (const required of ["dist/extension.js", "dist/client.js", "dist/server.mjs", "dist/media/diagram.js", "dist/docs/diagnostics/RP1001.md"]) {
  if (!existsSync(join(ext, required))) throw new Error(`package: ${required} is missing (is the language server built?)`);
}

const stage = join(ext, "dist/vsix-stage");
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

const pkg = JSON.parse(readFileSync(join(ext, "package.json"), "utf8"));
const { devDependencies: _dev, dependencies: _deps, scripts: _scripts, private: _private, ...manifest } = pkg;
writeFileSync(join(stage, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
cpSync(join(ext, "README.md"), join(stage, "README.md"));
cpSync(join(ext, "LICENSE"), join(stage, "LICENSE"));
cpSync(join(ext, ".vscodeignore"), join(stage, ".vscodeignore"));
for (const part of ["extension.js", "client.js", "server.mjs", "server-chunks", "media", "docs"]) {
  if (existsSync(join(ext, "dist", part))) cpSync(join(ext, "dist", part), join(stage, "dist", part), { recursive: true });
}

/** The installed folder of package `name` as Node would resolve it from `fromDir` (workspace symlinks followed). */
function packageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) return null;
  }
}

// Packages shipped for their built files only: nothing of theirs is imported at run time, so only those files
// ship and their dependencies stay out (the CLI serves @reprise/webviews' built dist/dashboard folder to the browser; mermaid and its graph
// libraries, ~22 MB in the .vsix, are already bundled inside those files).
const FILES_ONLY = new Set(["@reprise/webviews"]);

/** Copies an installed npm package and its production dependencies into the stage's dist/node_modules. */
function shipPackage(name, { optional = false, from = repo } = {}) {
  const dir = packageDir(name, from);
  if (!dir) {
    if (optional) return console.log(`package: ${name} not installed; skipped`);
    throw new Error(`package: ${name} is not installed (npm install)`);
  }
  const dest = join(stage, "dist/node_modules", name);
  if (existsSync(dest)) return;
  cpSync(dir, dest, {
    recursive: true,
    dereference: true,
    // top-level folders only: the SDK's build output itself lives in dist/src/
    filter: (src) => {
      const rel = src.slice(dir.length);
      // Files-only packages: their package.json and the built folder that is read (webviews: dist/dashboard).
      if (FILES_ONLY.has(name)) return rel === "" || rel === "/package.json" || rel === "/dist" || /^[\\/]dist[\\/]dashboard([\\/]|$)/.test(rel);
      return !/^[\\/](node_modules|src|test|scripts|target|tsconfig\.json)([\\/]|$)/.test(rel);
    },
  });
  if (FILES_ONLY.has(name)) return;
  const deps = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).dependencies ?? {};
  for (const dep of Object.keys(deps)) shipPackage(dep, { from: dir });
}
shipPackage("@swc/core");
shipPackage(SWC_BINARY, { optional: target !== "linux-x64" });
// The CLI as an installed package (not a bundle): `reprise run` loads its worker module by relative URL and
// bundles apps with esbuild, a native package; so the CLI, the analyzer and esbuild ship as they are.
shipPackage("@reprise/cli");
shipPackage(`@esbuild/${ESBUILD_BINARY}`, { optional: target !== "linux-x64" });
shipPackage("reprise"); // the SDK (runtime/sdk) with the runtime addon in native/, and its dependencies
// (@reprise/protocol, pg, and @electric-sql/pglite for databases without a Postgres server)

const addon = join(stage, "dist/node_modules/reprise/native");
const addons = existsSync(addon) ? readdirSync(addon).filter((f) => f.endsWith(".node")) : [];
// Release cdylibs keep their symbol tables; stripping the staged copy (never the build output) roughly
// halves the addon. Skipped where binutils' strip is absent or the target is not this platform.
if (target === `${process.platform}-${process.arch}` && spawnSync("strip", ["--version"]).status === 0) {
  for (const f of addons) spawnSync("strip", ["--strip-unneeded", join(addon, f)], { stdio: "inherit" });
}
if (!addons.length) console.warn("package: WARNING: no runtime addon (runtime/sdk/native/*.node) to ship; `reprise run` will not work from this .vsix");

const out = join(repo, `reprise-${pkg.version}-${target}.vsix`);
rmSync(out, { force: true });
run(process.execPath, [require.resolve("@vscode/vsce/vsce"), "package", "--target", target, "--no-dependencies", "--out", out, "--no-update-package-json", "--allow-missing-repository"], { cwd: stage });
console.log(`package: ${out} (${(statSync(out).size / 1024 / 1024).toFixed(1)} MB)`);
