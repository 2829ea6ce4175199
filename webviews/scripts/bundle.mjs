#!/usr/bin/env node
// Bundles the two webview scripts (IIFE, browser) and copies their CSS and mermaid's prebuilt browser build
// (pinned in package.json) next to them. `bundleWebviews(outDir)` is also called by the extension's bundle
// script, so the .vsix carries the pages inside the extension folder (localResourceRoots).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

export async function bundleWebviews(outDir, { minify = true } = {}) {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { diagram: join(here, "src/diagram/main.ts"), "api-explorer": join(here, "src/api-explorer/main.ts"), traces: join(here, "src/traces/main.ts"),
      "db-table": join(here, "src/data/table-main.ts"), "sql-console": join(here, "src/data/sql-main.ts") },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    outdir: outDir,
    minify,
    sourcemap: false,
    logLevel: "warning",
  });
  copyFileSync(join(here, "media/diagram.css"), join(outDir, "diagram.css"));
  copyFileSync(join(here, "media/api-explorer.css"), join(outDir, "api-explorer.css"));
  copyFileSync(join(here, "media/data.css"), join(outDir, "data.css"));
  copyFileSync(join(dirname(require.resolve("mermaid/package.json")), "dist/mermaid.min.js"), join(outDir, "mermaid.min.js"));
}

/**
 * The browser dashboard's files (runtime/src/dashboard.rs serves them at /__reprise/ and /__reprise/ui/): the shell
 * page and script, the data pages as static files framed by it, and the same db-table / sql-console bundles.
 * `reprise run` copies this folder next to the app's catalog (cli/src/run/dashboard.ts).
 */
export async function bundleDashboard(outDir, { minify = true } = {}) {
  const ui = "/__reprise/ui/";
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { dashboard: join(here, "src/dashboard/main.ts"), "dashboard-frame": join(here, "src/dashboard/frame.ts"),
      "db-table": join(here, "src/data/table-main.ts"), "sql-console": join(here, "src/data/sql-main.ts"), traces: join(here, "src/traces/main.ts"),
      diagram: join(here, "src/diagram/main.ts"), "api-explorer": join(here, "src/api-explorer/main.ts") },
    bundle: true, format: "iife", platform: "browser", target: "es2022", outdir: outDir, minify, sourcemap: false, logLevel: "warning",
  });
  copyFileSync(join(here, "media/data.css"), join(outDir, "data.css"));
  copyFileSync(join(here, "media/dashboard.css"), join(outDir, "dashboard.css"));
  copyFileSync(join(here, "media/dashboard-vars.css"), join(outDir, "dashboard-vars.css"));
  copyFileSync(join(here, "media/diagram.css"), join(outDir, "diagram.css"));
  copyFileSync(join(dirname(require.resolve("mermaid/package.json")), "dist/mermaid.min.js"), join(outDir, "mermaid.min.js"));
  copyFileSync(join(here, "media/api-explorer.css"), join(outDir, "api-explorer.css"));
  const { dashboardPage, dashboardDataPage, dashboardTracesPage, dashboardExplorerPage, diagramPage } = await import("../dist/src/html.js");
  writeFileSync(join(outDir, "explorer.html"), dashboardExplorerPage(ui));
  writeFileSync(join(outDir, "diagram.html"), diagramPage({ cspSource: "'self'", nonce: "c3RhdGljLWRhc2hib2FyZA", style: `${ui}diagram.css`, title: "Architecture",
    scripts: [`${ui}dashboard-frame.js`, `${ui}mermaid.min.js`, `${ui}diagram.js`] }));
  writeFileSync(join(outDir, "traces.html"), dashboardTracesPage(ui));
  writeFileSync(join(outDir, "index.html"), dashboardPage(ui));
  writeFileSync(join(outDir, "table.html"), dashboardDataPage("db-table", ui));
  writeFileSync(join(outDir, "sql.html"), dashboardDataPage("sql-console", ui));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundleWebviews(process.argv[2] ?? join(here, "dist/media"));
  if (!process.argv[2]) await bundleDashboard(join(here, "dist/dashboard"));
}
