#!/usr/bin/env node
// build:bundle — ESM files with the server and its JS dependencies (vscode-languageserver, the analyzer, the
// protocol), so that `reprise lsp` starts without resolving a hundred small modules (4–8× faster to load).
// @swc/core and PGlite stay external: they load native / wasm files beside their modules. Runs after `tsc -b` (scripts/build.mjs).
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(pkg, "dist", "bundle");
// Code splitting: the entries share chunks, and the supervisor (what an editor starts, process-role.ts) loads only the
// message plumbing, not the analyser or the features, before it spawns the server.
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: { index: join(pkg, "dist", "src", "index.js"), server: join(pkg, "dist", "src", "server.js"), process: join(pkg, "dist", "src", "process-role.js") },
  outdir: out,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // Native or runtime-loaded packages resolve from node_modules at run time, as in the extension's bundle: PGlite
  // (the SQL checks) loads its .wasm and .data files beside its own modules, which a bundle would not have.
  external: ["@swc/core", "@electric-sql/pglite", "@electric-sql/pglite/*", "reprise", "reprise/*"],
  // CommonJS dependencies call require() for Node built-ins.
  banner: { js: 'import { createRequire as __reprise_createRequire } from "node:module"; const require = __reprise_createRequire(import.meta.url);' },
  sourcemap: true,
  // Smaller text parses faster at start-up; identifiers stay readable in stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
});
console.log(`language-server: bundled into ${out}`);
