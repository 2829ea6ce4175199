#!/usr/bin/env node
// Bundles what the extension runs, into extension/dist:
//   extension.js  the extension (CJS, `vscode` external)
//   client.js     its language client, required when the client starts (not at activation)
//   server.mjs    the language server (ESM, split into server-chunks/; @swc/core stays external: it is a native
//                 package shipped beside it)
//   media/        the webview pages' scripts, CSS and mermaid (from @reprise/webviews)
//   media/reprise.svg the activity-bar icon (from extension/media)
// Parts another package has not built yet (no dist) are skipped with a notice, never faked.
import { build } from "esbuild";
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleWebviews } from "@reprise/webviews/scripts/bundle.mjs";

const ext = join(dirname(fileURLToPath(import.meta.url)), "..");
const repo = join(ext, "..");
const dist = join(ext, "dist");
const minify = process.env.REPRISE_BUNDLE_MINIFY !== "0";
// Native or runtime-loaded packages: resolved from node_modules at run time (the .vsix ships them).
// PGlite (used by the SQL checks) loads its .wasm and .data files beside its own modules: it stays external too.
// @reprise/sqlcheck runs its checker in a worker thread loaded beside its own modules (shipped with the CLI).
const NATIVE_EXTERNALS = ["@swc/core", "@swc/core-*", "reprise", "reprise/*", "@electric-sql/pglite", "@electric-sql/pglite/*", "@reprise/sqlcheck", "*.node"];
// ESM bundles that contain CommonJS dependencies need a real `require`.
const ESM_BANNER = "import { createRequire as __reprise_cr } from 'node:module'; const require = __reprise_cr(import.meta.url);";

// cli/ is an earlier layout (the CLI now ships as a package, see package.mjs)
for (const stale of ["extension.js", "client.js", "server.mjs", "server-chunks", "cli"]) rmSync(join(dist, stale), { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = { bundle: true, platform: "node", target: "node20", minify, sourcemap: "linked", logLevel: "warning", legalComments: "none" };

// The language client (src/client.ts and vscode-languageclient) is its own file, required when the client starts
// (context.ts clientModule), so VS Code's code loading at activation reads only what activate() runs.
const clientApart = {
  name: "client-apart",
  setup(b) {
    b.onResolve({ filter: /^\.\/client$/ }, (args) => (args.importer.endsWith(join("src", "context.ts")) ? { path: "./client.js", external: true } : undefined));
  },
};
await build({ ...common, entryPoints: [join(ext, "src/extension.ts")], outfile: join(dist, "extension.js"), format: "cjs", external: ["vscode"], plugins: [clientApart] });
await build({ ...common, entryPoints: [join(ext, "src/client.ts")], outfile: join(dist, "client.js"), format: "cjs", external: ["vscode"] });
console.log("bundle: dist/extension.js, dist/client.js");

const server = join(repo, "language-server/dist/src/server.js");
if (existsSync(server)) {
  // Split: VS Code starts the supervisor (language-server/src/process-role.ts), which loads only the message plumbing
  // from its chunks and spawns the server, which loads the rest.
  await build({ ...common, entryPoints: { server }, outdir: dist, outExtension: { ".js": ".mjs" }, splitting: true, chunkNames: "server-chunks/[name]-[hash]", format: "esm", external: NATIVE_EXTERNALS, banner: { js: ESM_BANNER } });
  console.log("bundle: dist/server.mjs");
} else console.log(`bundle: skipped the language server (${server} not built yet)`);

await bundleWebviews(join(dist, "media"), { minify });
// The activity-bar icon of the Reprise view container (package.json points at dist/media/reprise.svg).
copyFileSync(join(ext, "media/reprise.svg"), join(dist, "media/reprise.svg"));
// The per-code diagnostics pages: the server links each diagnostic to dist/docs/diagnostics/RPxxxx.md (offline).
rmSync(join(dist, "docs"), { recursive: true, force: true });
cpSync(join(ext, "..", "docs", "diagnostics"), join(dist, "docs", "diagnostics"), { recursive: true });
console.log("bundle: dist/docs/diagnostics");
console.log("bundle: dist/media");
