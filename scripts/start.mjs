#!/usr/bin/env node
// `npm start`: runs the hello example on the Reprise runtime (`reprise run examples/hello`), in watch mode, on
// $PORT or 4000. Extra arguments pass through to `reprise run` (e.g. `npm start -- --port 5000`).
// The "Try: curl …" line comes once the server answers, with the URL `reprise run` announced (the port it really
// listens on, whatever --port/PORT said, 0 included).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const app = join(root, "examples", "hello");
if (!existsSync(join(root, "cli", "dist", "src", "main.js"))) {
  console.error("npm start: the CLI is not built yet; run npm install first.");
  process.exit(1);
}
console.log("Starting examples/hello with `reprise run --watch` (edit a file under examples/hello to reload).");
const child = spawn(process.execPath, [join(root, "cli", "bin", "reprise.mjs"), "run", app, "--watch", ...process.argv.slice(2)], {
  stdio: ["inherit", "pipe", "inherit"],
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
let exited = false;
child.on("exit", (code, signal) => {
  exited = true;
  process.exit(code ?? (signal ? 1 : 0));
});

let announced = false;
createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", (line) => {
  console.log(line);
  // serve.ts announces "Reprise: <app> running at http://host:port" once its listener is bound.
  const m = !announced && /^Reprise: \S+ running at (http:\/\/\S+)$/.exec(line);
  if (!m) return;
  announced = true;
  const url = `${m[1]}/hello/world`;
  void answers(url).then((ok) => {
    if (ok) console.log(`Try: curl ${url}`);
  });
});

/** Polls `url` until it answers with any HTTP status (true), the server exits or 30 s pass (false). */
async function answers(url) {
  const deadline = Date.now() + 30_000;
  while (!exited && Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  if (!exited) console.error(`npm start: ${url} did not answer within 30 s`);
  return false;
}
