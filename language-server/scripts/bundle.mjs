#!/usr/bin/env node
// build:bundle — one ESM file with the server and its JS dependencies (vscode-languageserver, the analyzer, the
// protocol), so that `reprise lsp` starts without resolving a hundred small modules (4–8× faster to load).
// @swc/core stays external: it loads a native binary. Runs after `tsc -b` (scripts/build.mjs).
import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(pkg, "dist", "bundle");
await build({
  entryPoints: [join(pkg, "dist", "src", "index.js")],
  outfile: join(out, "index.mjs"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  external: ["@swc/core"],
  // CommonJS dependencies call require() for Node built-ins.
  banner: { js: 'import { createRequire as __reprise_createRequire } from "node:module"; const require = __reprise_createRequire(import.meta.url);' },
  sourcemap: true,
  // Smaller text parses faster at start-up; identifiers stay readable in stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
});
writeFileSync(join(out, "server.mjs"), '#!/usr/bin/env node\n// Bundled entry: node dist/bundle/server.mjs --stdio\nimport { runServerProcess } from "./index.mjs";\n\nrunServerProcess();\n');
console.log(`language-server: bundled into ${out}`);
