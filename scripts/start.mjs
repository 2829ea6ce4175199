#!/usr/bin/env node
// `npm start`: runs the hello example on the Reprise runtime (`reprise run examples/hello`), in watch mode, on
// $PORT or 4000. Extra arguments pass through to `reprise run` (e.g. `npm start -- --port 5000`).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const app = join(root, "examples", "hello");
if (!existsSync(join(root, "cli", "dist", "src", "main.js"))) {
  console.error("npm start: the CLI is not built yet; run npm install first.");
  process.exit(1);
}
console.log("Starting examples/hello with `reprise run --watch` (edit a file under examples/hello to reload).");
console.log("Try: curl http://127.0.0.1:4000/hello/world");
const child = spawn(process.execPath, [join(root, "cli", "bin", "reprise.mjs"), "run", app, "--watch", ...process.argv.slice(2)], { stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
