#!/usr/bin/env node
// Runs the TypeScript apps of a local checkout of encoredev/examples on Reprise, as a new user would, and records
// what happens (not part of CI: it installs each app's dependencies from the registry). Downloads nothing else.
//
//   ENCORE_EXAMPLES_DIR=/path/to/examples/ts node scripts/run-examples.mjs [--only a,b] [--write]
//
// For each app (a folder under ENCORE_EXAMPLES_DIR holding encore.app, at depth 1 or 2): `npm install` in the app
// (skipped when node_modules exists), `reprise run <app> --port 0` from the repository root with no secrets set,
// wait up to 120 s for it to listen, call every exposed endpoint that needs no path parameter (typed endpoints
// with `{}` as the body of body methods; raw endpoints with no body; streaming and static ones are skipped), and
// record start-up success, the statuses, and any 5xx. `--write` puts the table into docs/encore-compat.md.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const examples = process.env.ENCORE_EXAMPLES_DIR;
if (!examples || !existsSync(examples)) {
  console.error("set ENCORE_EXAMPLES_DIR to a checkout's ts/ folder (git clone https://github.com/encoredev/examples)");
  process.exit(2);
}
const onlyArg = process.argv.indexOf("--only");
const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1].split(",")) : null;

function appRoots() {
  const out = [];
  for (const name of readdirSync(examples).sort()) {
    const dir = join(examples, name);
    if (!statSync(dir).isDirectory()) continue;
    if (only && !only.has(name)) continue;
    if (existsSync(join(dir, "encore.app"))) out.push(dir);
    else for (const sub of readdirSync(dir)) if (existsSync(join(dir, sub, "encore.app"))) out.push(join(dir, sub));
  }
  return out;
}

async function analyse(dir) {
  const [{ analyze }, { loadAppFiles }] = await Promise.all([import("@reprise/analyzer"), import("@reprise/analyzer/node")]);
  return analyze(loadAppFiles(dir));
}

function start(dir) {
  const env = { ...process.env, REPRISE_LOG_LEVEL: "warn" };
  for (const k of Object.keys(env)) if (k.startsWith("REPRISE_SECRET_")) delete env[k];
  delete env.REPRISE_ENV;
  const proc = spawn(process.execPath, [join(root, "cli", "bin", "reprise.mjs"), "run", dir, "--port", "0"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (err += d));
  const ready = new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ url: null, why: "did not listen within 120 s" }), 120_000);
    proc.stdout.on("data", () => {
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1] });
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ url: null, why: `exited with ${code}` });
    });
  });
  return { proc, ready, output: () => out + err };
}

async function callAll(url, model) {
  const results = [];
  for (const svc of model.app.services) {
    for (const e of svc.endpoints) {
      if (!e.expose || e.static || e.streaming) continue;
      if (e.pathSegments.some((s) => s.type !== "literal")) continue;
      const method = !e.method.length || e.method[0] === "*" ? "GET" : e.method[0];
      const body = ["POST", "PUT", "PATCH"].includes(method) && !e.raw ? "{}" : undefined;
      let status;
      try {
        const res = await fetch(url + e.path, { method, body, headers: body ? { "content-type": "application/json" } : {}, signal: AbortSignal.timeout(15_000) });
        status = res.status;
        await res.arrayBuffer().catch(() => {});
      } catch (err) {
        status = `error: ${err.cause?.code ?? err.name}`;
      }
      results.push({ endpoint: `${method} ${e.path}`, status });
    }
  }
  return results;
}

const rows = [];
for (const dir of appRoots()) {
  const name = relative(examples, dir);
  process.stdout.write(`${name}: `);
  if (existsSync(join(dir, "package.json")) && !existsSync(join(dir, "node_modules"))) {
    const install = (extra) => spawnSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", ...extra], { cwd: dir, stdio: "ignore", timeout: 600_000 });
    // A lock file may pin versions the registry no longer serves: then resolve from package.json's ranges.
    let r = install([]);
    if (r.status !== 0) r = install(["--no-package-lock"]);
    if (r.status !== 0) {
      rows.push({ name, starts: false, answered: "", missing: "npm install failed" });
      console.log("npm install failed");
      continue;
    }
  }
  const model = await analyse(dir);
  const app = start(dir);
  const { url, why } = await app.ready;
  if (!url) {
    const text = app.output();
    const reason = (/reprise run: ([^\n]+)/.exec(text)?.[1] ?? text.trim().split("\n").slice(-1)[0] ?? why).slice(0, 200);
    rows.push({ name, starts: false, answered: "", missing: `${why}: ${reason}` });
    console.log(`does not start (${reason})`);
    app.proc.kill("SIGKILL");
    continue;
  }
  const results = await callAll(url, model);
  const exited = app.proc.exitCode !== null || app.proc.signalCode !== null;
  const gone = exited ? Promise.resolve() : new Promise((r) => app.proc.once("exit", r));
  app.proc.kill("SIGTERM");
  const bad = results.filter((r) => typeof r.status !== "number" || r.status >= 500);
  const answered = `${results.length - bad.length}/${results.length}`;
  let missing = bad.map((r) => `${r.endpoint} → ${r.status}`).join("; ");
  if (exited) missing = `the process exited while serving (${(app.output().trim().split("\n").filter((l) => /Error|error/.test(l)).slice(-1)[0] ?? "").slice(0, 160)}); ${missing}`;
  rows.push({ name, starts: true, answered, missing });
  console.log(`starts, ${answered} endpoints answered without a 5xx${missing ? ` (${missing})` : ""}`);
  await gone;
}

const table = [
  "<!-- examples:begin (generated by ENCORE_EXAMPLES_DIR=... node scripts/run-examples.mjs --write) -->",
  `Run on ${new Date().toISOString().slice(0, 10)} with no secrets set; "answered" counts exposed endpoints without path parameters that answered without a 5xx.`,
  "",
  "| app | starts | answered | what is missing |",
  "|---|---|---|---|",
  ...rows.map((r) => `| ${r.name} | ${r.starts ? "yes" : "no"} | ${r.answered} | ${r.missing.replace(/\|/g, "\\|")} |`),
  "<!-- examples:end -->",
].join("\n");
if (process.argv.includes("--write")) {
  const file = join(root, "docs", "encore-compat.md");
  const doc = readFileSync(file, "utf8");
  const a = doc.indexOf("<!-- examples:begin");
  const b = doc.indexOf("<!-- examples:end -->");
  writeFileSync(file, a >= 0 && b >= 0 ? doc.slice(0, a) + table + doc.slice(b + "<!-- examples:end -->".length) : `${doc}\n## Encore's example apps\n\n${table}\n`);
  console.log(`wrote ${file}`);
} else console.log(table);
