#!/usr/bin/env node
// Builds everything `npm install` must leave ready: the native runtime addon, the TypeScript projects, the bundles.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const skipNative = process.env.REPRISE_SKIP_NATIVE === "1";

function run(label, cmd, args, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.status !== 0) {
    console.error(`build: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  console.log(`build: ${label} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// Workspace packages may define "build:native" (the Rust addon) and "build:bundle" (esbuild outputs).
function workspaceScripts(name) {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  return pkg.workspaces.filter((ws) => {
    const file = join(root, ws, "package.json");
    return existsSync(file) && JSON.parse(readFileSync(file, "utf8")).scripts?.[name];
  });
}

if (!skipNative) for (const ws of workspaceScripts("build:native")) run(`${ws} native`, "npm", ["run", "build:native", "-w", ws]);
run("tsc -b", process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b"]);
for (const ws of workspaceScripts("build:bundle")) run(`${ws} bundle`, "npm", ["run", "build:bundle", "-w", ws]);
