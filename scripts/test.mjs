#!/usr/bin/env node
// `npm test`: every test of the repository, in phases (PHASES below): the node test files (compiled package tests
// <workspace>/dist/test/**/*.test.js and cross-package tests test/**/*.test.mjs, one process per file), `cargo test`
// of the Rust workspace, `cargo clippy -D warnings`, the VS Code end-to-end harness.
//
// System dependencies (PostgreSQL, nats-server, moto, Neovim, Chromium, code-server) are data: scripts/test-deps.mjs
// says which suite needs what and which scripts/ci-deps.d/ script installs it. Before each phase, what its suites
// lack is installed (Debian with root or passwordless sudo; one line per install); what still lacks makes exactly
// the suites needing it skip, each named in a closing summary with the missing dependency and its install command.
// Under CI=true a missing dependency fails its suites instead.
//
// Usage: node scripts/test.mjs [substring...] [--phase=NAME...]
//   substrings   run only the node test files whose path contains one of them (no other phase, unless --phase)
//   --phase=NAME run only these phases: node, cargo, clippy, loom, e2e
// Env: REPRISE_TEST_NO_INSTALL=1 (never install; skip instead), CI=true (missing = failure), REPRISE_SKIP_E2E=1.
// Prints each runner's own summary, then one closing line "N passed, N failed".
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { DEPENDENCIES, installCommand, needsOf, onPath, root, SUITES } from "./test-deps.mjs";

const argv = process.argv.slice(2);
const only = argv.filter((a) => !a.startsWith("--")); // optional substrings to filter test files
const phaseNames = argv.filter((a) => a.startsWith("--phase=")).flatMap((a) => a.slice(8).split(","));
for (const a of argv.filter((a) => a.startsWith("--") && !a.startsWith("--phase="))) {
  console.error(`test.mjs: unknown option ${a} (usage: node scripts/test.mjs [substring...] [--phase=node|cargo|clippy|loom|e2e])`);
  process.exit(2);
}
const CI = process.env.CI === "true";
const NO_INSTALL = process.env.REPRISE_TEST_NO_INSTALL === "1";
const started = Date.now();

let passed = 0;
let failed = 0;
/** Suites not run for a missing dependency: { suite, missing: [name] } (under CI each one also counts as failed). */
const notRun = [];

// ---------- system dependencies ----------

/** name → why it is missing (string), once an install was tried or ruled out; absent = not looked at yet. */
const missingBecause = new Map();

function canUseApt() {
  if (process.platform !== "linux" || !existsSync("/etc/debian_version") || !onPath("apt-get")) return "not a Debian system (no apt-get)";
  if (process.getuid?.() === 0) return null;
  if (onPath("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0) return null;
  return "not root and no passwordless sudo";
}

/** Runs one install script quietly (its output is shown only when it fails); serialised across concurrent runs. */
function runInstallScript(script) {
  return new Promise((resolve) => {
    const file = join(root, script);
    // Two test runs on one machine must not run apt-get (or create the moto venv) at the same time.
    const [cmd, args] = onPath("flock") ? ["flock", ["/tmp/reprise-test-deps.lock", "bash", file]] : ["bash", [file]];
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    let out = "";
    const keep = (d) => (out = (out + d).slice(-20_000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (e) => resolve({ ok: false, out: e.message, code: "spawn error" }));
    child.on("close", (code, signal) => resolve({ ok: code === 0, out, code: code ?? signal }));
  });
}

/**
 * Makes `names` present where it can: installs what is missing, script by script (a script installing several
 * dependencies runs once). Returns the names still missing.
 */
async function ensure(names) {
  const missing = [...new Set(names)].filter((n) => !missingBecause.has(n) && !DEPENDENCIES[n].present());
  const byScript = new Map();
  for (const n of missing) byScript.set(DEPENDENCIES[n].script, [...(byScript.get(DEPENDENCIES[n].script) ?? []), n]);
  for (const [script, deps] of byScript) {
    const blocked = NO_INSTALL ? "REPRISE_TEST_NO_INSTALL=1" : deps.some((n) => DEPENDENCIES[n].apt()) ? canUseApt() : null;
    if (blocked) {
      console.log(`deps: not installing ${deps.join(", ")}: ${blocked}`);
      for (const n of deps) missingBecause.set(n, blocked);
      continue;
    }
    const t0 = Date.now();
    process.stdout.write(`deps: installing ${deps.join(", ")} (bash ${script}) ...`);
    const r = await runInstallScript(script);
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    const still = deps.filter((n) => !DEPENDENCIES[n].present());
    if (r.ok && !still.length) {
      console.log(` installed in ${secs} s`);
      continue;
    }
    const why = r.ok ? `still missing after bash ${script}` : `bash ${script} failed (exit ${r.code})`;
    console.log(` ${why} after ${secs} s; its last lines:`);
    console.log(r.out.trimEnd().split("\n").slice(-15).map((l) => `  | ${l}`).join("\n"));
    for (const n of still) missingBecause.set(n, why);
  }
  return [...new Set(names)].filter((n) => missingBecause.has(n) && !DEPENDENCIES[n].present());
}

/**
 * Before a phase: installs what its suites need, then returns the set of suites not to run because something they
 * need is still missing. Each is recorded for the summary; under CI=true each also counts as a failure.
 */
async function prepare(suites) {
  const missing = await ensure(suites.flatMap(needsOf));
  const skip = new Set();
  for (const suite of suites) {
    const lacking = needsOf(suite).filter((n) => missing.includes(n));
    if (!lacking.length) continue;
    skip.add(suite);
    notRun.push({ suite, missing: lacking });
    if (CI) failed += 1;
  }
  return skip;
}

// ---------- running and counting ----------

function runPhase(label, cmd, args, parse, { env = {}, timeoutMs = 0, quiet = false } = {}) {
  return new Promise((resolve) => {
    if (!quiet) console.log(`\n=== ${label} ===`);
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"], detached: true });
    // A test file whose tests finished but whose process never exits would stall the whole run: bound it.
    const timer = timeoutMs
      ? setTimeout(() => {
          console.log(`${label}: still running after ${timeoutMs / 1000} s; killed`);
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {}
        }, timeoutMs)
      : null;
    let buf = "";
    child.stdout.on("data", (d) => {
      process.stdout.write(d);
      buf += d.toString();
      if (buf.length > 1 << 20) buf = buf.slice(-(1 << 19));
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      const r = parse(buf);
      passed += r.passed;
      failed += r.failed;
      if ((code !== 0 || signal) && r.failed === 0) {
        console.log(`${label}: exited with ${code ?? signal}`);
        failed += 1;
      }
      resolve();
    });
  });
}

const lastNumber = (text, re) => {
  let m;
  let v = 0;
  const g = new RegExp(re, "gm");
  while ((m = g.exec(text))) v = Number(m[1]);
  return v;
};

const nodeTestCounts = (out) => ({ passed: lastNumber(out, "^ℹ pass (\\d+)"), failed: lastNumber(out, "^ℹ fail (\\d+)") });

/** Sums libtest's "test result:" lines (one per test binary). */
function cargoCounts(out) {
  let p = 0;
  let f = 0;
  for (const m of out.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    p += Number(m[1]);
    f += Number(m[2]);
  }
  return { passed: p, failed: f };
}

// ---------- the phases ----------

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "fixtures" || name.startsWith(".")) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (/\.test\.(mjs|js)$/.test(name)) out.push(p);
  }
  return out;
}

function nodeTestFiles() {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  let files = [];
  for (const ws of pkg.workspaces) files.push(...walk(join(root, ws, "dist", "test")));
  files.push(...walk(join(root, "test")).filter((f) => f.endsWith(".mjs")));
  files = files.map((f) => relative(root, f));
  return only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
}

/** The cargo filters of scripts/test-deps.mjs (`cargo:<filter>`): each is a suite of the cargo phase. */
const cargoSuites = async () => SUITES.map((s) => s.suite).filter((s) => s.startsWith("cargo:"));

const hasCargoWorkspace = () => {
  const toml = join(root, "Cargo.toml");
  return existsSync(toml) && /members\s*=\s*\[[^\]]*"/.test(readFileSync(toml, "utf8"));
};

const CLIPPY_ARGS = ["clippy", "--release", "--workspace", "--all-targets", "--", "-D", "warnings"];

// One node --test process per file, so that a file that hangs is killed and named instead of stalling the run.
const FILE_TIMEOUT_MS = 10 * 60_000;

/**
 * The phases, in order. Each: `name` (for --phase=), `runsByDefault` (without --phase: whether it runs; substrings
 * select only node test files), `suites()` (the suite ids it runs, as scripts/test-deps.mjs names them, so their
 * needs are installed first) and `run(skip)` (runs them except the suite ids in `skip`, adding to the counts).
 * To add a phase (say another `cargo test` invocation): append an entry here, and if it needs a system dependency,
 * list its suite id in SUITES of scripts/test-deps.mjs (plus an installer under scripts/ci-deps.d/ if new).
 */
const PHASES = [
  {
    name: "node",
    runsByDefault: true,
    suites: async () => nodeTestFiles(),
    async run(skip) {
      const files = nodeTestFiles().filter((f) => !skip.has(f));
      if (!files.length) return;
      console.log(`\n=== node --test (${files.length} files) ===`);
      const before = { passed, failed };
      const failedFiles = [];
      for (const name of files) {
        const failedBefore = failed;
        await runPhase(name, process.execPath, ["--test", "--test-reporter=spec", join(root, name)], nodeTestCounts, { timeoutMs: FILE_TIMEOUT_MS, quiet: true });
        if (failed > failedBefore) failedFiles.push(name);
      }
      console.log(`\nnode --test: ${passed - before.passed} passed, ${failed - before.failed} failed in ${files.length} files`);
      for (const f of failedFiles) console.log(`  failed: ${f}`);
    },
  },
  {
    name: "cargo",
    runsByDefault: !only.length && hasCargoWorkspace(),
    suites: cargoSuites,
    async run(skip) {
      // Same profile as the addon `npm install` built (release), so the dependencies it compiled are reused.
      const skipArgs = [...skip].flatMap((s) => ["--skip", s.slice("cargo:".length)]);
      await runPhase("cargo test", "cargo", ["test", "--release", "--workspace", ...(skipArgs.length ? ["--", ...skipArgs] : [])], cargoCounts, { timeoutMs: 30 * 60_000 });
    },
  },
  {
    // Lints of the Rust workspace, warnings as errors: code that lands is clippy-clean, so a new warning is the
    // change's own. Same release profile as the cargo phase (its dependency metadata is reused between runs).
    name: "clippy",
    runsByDefault: !only.length && hasCargoWorkspace(),
    suites: async () => [],
    async run() {
      if (spawnSync("cargo", ["clippy", "--version"], { cwd: root, stdio: "ignore" }).status !== 0) {
        console.log(`\nclippy: not installed (install: rustup component add clippy)${CI ? "; counted as a failure (CI=true)" : "; skipped"}`);
        if (CI) failed += 1;
        return;
      }
      const failedBefore = failed;
      await runPhase("cargo clippy -D warnings", "cargo", CLIPPY_ARGS, () => ({ passed: 0, failed: 0 }), { timeoutMs: 20 * 60_000 });
      if (failed > failedBefore) {
        console.log(`clippy: the lints above fail the run. Reproduce with \`cargo ${CLIPPY_ARGS.join(" ")}\`; fix each (many have`);
        console.log("  `cargo clippy --fix --release --workspace --all-targets --allow-dirty`), or, where the lint is wrong for that code,");
        console.log("  put `#[allow(clippy::<lint>)]` on the smallest item with a comment saying why.");
      } else passed += 1;
    },
  },
  {
    // The dispatch's wake-up protocol under loom (runtime/wake/tests/loom.rs): its own invocation with `--cfg loom`
    // and its own target dir, so the flag rebuilds only that crate and loom, never the workspace.
    name: "loom",
    runsByDefault: !only.length && existsSync(join(root, "runtime", "wake", "tests", "loom.rs")),
    suites: async () => [],
    async run() {
      await runPhase("loom (runtime/wake)", "cargo", ["test", "--release", "-p", "reprise-wake", "--test", "loom", "--target-dir", join(root, "target", "loom")], cargoCounts, {
        env: { RUSTFLAGS: "--cfg loom" },
        timeoutMs: 10 * 60_000,
      });
    },
  },
  {
    name: "e2e",
    runsByDefault: !only.length && existsSync(join(root, "test", "e2e", "run.mjs")) && process.env.REPRISE_SKIP_E2E !== "1",
    suites: async () => ["test/e2e/run.mjs"],
    async run(skip) {
      if (skip.has("test/e2e/run.mjs")) return;
      await runPhase("VS Code end-to-end", process.execPath, [join(root, "test", "e2e", "run.mjs")], (out) => {
        const m = [...out.matchAll(/^e2e: (\d+) passed, (\d+) failed/gm)].pop();
        return m ? { passed: Number(m[1]), failed: Number(m[2]) } : { passed: 0, failed: 0 };
      }, { timeoutMs: 20 * 60_000 });
    },
  },
];

for (const n of phaseNames) {
  if (!PHASES.some((p) => p.name === n)) {
    console.error(`test.mjs: no phase ${n} (phases: ${PHASES.map((p) => p.name).join(", ")})`);
    process.exit(2);
  }
}

for (const phase of PHASES) {
  if (phaseNames.length ? !phaseNames.includes(phase.name) : !phase.runsByDefault) continue;
  const t0 = Date.now();
  const skip = await prepare(await phase.suites());
  await phase.run(skip);
  console.log(`(${phase.name} phase: ${Math.round((Date.now() - t0) / 1000)} s)`);
}

if (notRun.length) {
  console.log(CI ? "\nNot run, each counted as a failure (CI=true: every dependency must be installed):" : "\nSkipped for a missing dependency (install it and run again):");
  for (const { suite, missing } of notRun) {
    const shown = suite.startsWith("cargo:") ? `cargo tests matching '${suite.slice(6)}'` : suite;
    const commands = [...new Set(missing.map(installCommand))].join(" && ");
    const why = [...new Set(missing.map((n) => missingBecause.get(n)))].join("; ");
    console.log(`  ${CI ? "FAILED" : "skipped"} ${shown}: ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not installed (install: ${commands}; not installed here: ${why})`);
  }
}
const skippedNote = notRun.length && !CI ? `, ${notRun.length} suite${notRun.length > 1 ? "s" : ""} skipped` : "";
console.log(`\n${passed} passed, ${failed} failed${skippedNote} (${Math.round((Date.now() - started) / 1000)} s)`);
// Nothing run at all is a failure, unless it is explained by the skips listed above.
process.exit(failed > 0 || (passed === 0 && !notRun.length) ? 1 : 0);
