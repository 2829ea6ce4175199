#!/usr/bin/env node
// `npm test`: every test of the repository, in phases. Node test files: compiled package tests
// (<workspace>/dist/test/**/*.test.js) and cross-package tests (test/**/*.test.mjs); then `cargo test` when the
// Rust workspace has members; then the VS Code end-to-end harness when it exists.
// Prints each runner's own summary, then one closing line "N passed, N failed".
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2); // optional substrings to filter test files

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

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
let files = [];
for (const ws of pkg.workspaces) files.push(...walk(join(root, ws, "dist", "test")));
files.push(...walk(join(root, "test")).filter((f) => f.endsWith(".mjs")));
if (only.length) files = files.filter((f) => only.some((o) => relative(root, f).includes(o)));

let passed = 0;
let failed = 0;

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

/** Sums cargo's "test result: ok. N passed; M failed" lines. */
function cargoResults(out) {
  let p = 0;
  let f = 0;
  for (const m of out.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    p += Number(m[1]);
    f += Number(m[2]);
  }
  return { passed: p, failed: f };
}

const lastNumber = (text, re) => {
  let m;
  let v = 0;
  const g = new RegExp(re, "gm");
  while ((m = g.exec(text))) v = Number(m[1]);
  return v;
};

// One node --test process per file, so that a file that hangs is killed and named instead of stalling the run.
const FILE_TIMEOUT_MS = 10 * 60_000;
if (files.length) {
  console.log(`\n=== node --test (${files.length} files) ===`);
  const before = { passed, failed };
  const failedFiles = [];
  for (const file of files) {
    const name = relative(root, file);
    const failedBefore = failed;
    await runPhase(
      name,
      process.execPath,
      ["--test", "--test-reporter=spec", file],
      (out) => ({ passed: lastNumber(out, "^ℹ pass (\\d+)"), failed: lastNumber(out, "^ℹ fail (\\d+)") }),
      { timeoutMs: FILE_TIMEOUT_MS, quiet: true },
    );
    if (failed > failedBefore) failedFiles.push(name);
  }
  console.log(`\nnode --test: ${passed - before.passed} passed, ${failed - before.failed} failed in ${files.length} files`);
  for (const f of failedFiles) console.log(`  failed: ${f}`);
}

const cargoToml = join(root, "Cargo.toml");
if (existsSync(cargoToml) && /members\s*=\s*\[[^\]]*"/.test(readFileSync(cargoToml, "utf8")) && !only.length) {
  await runPhase("cargo test", "cargo", ["test", "--release", "--workspace"], cargoResults, { timeoutMs: 30 * 60_000 });
}

// The dispatch's wake-up protocol under loom (runtime/wake/tests/loom.rs): its own invocation with `--cfg loom`
// and its own target dir, so the flag rebuilds only that crate and loom, never the workspace.
if (existsSync(join(root, "runtime", "wake", "tests", "loom.rs")) && !only.length) {
  await runPhase("loom (runtime/wake)", "cargo", ["test", "--release", "-p", "reprise-wake", "--test", "loom", "--target-dir", join(root, "target", "loom")], cargoResults, { env: { RUSTFLAGS: "--cfg loom" }, timeoutMs: 10 * 60_000 });
}

const e2e = join(root, "test", "e2e", "run.mjs");
if (existsSync(e2e) && !only.length && process.env.REPRISE_SKIP_E2E !== "1") {
  await runPhase("VS Code end-to-end", process.execPath, [e2e], (out) => {
    const m = [...out.matchAll(/^e2e: (\d+) passed, (\d+) failed/gm)].pop();
    return m ? { passed: Number(m[1]), failed: Number(m[2]) } : { passed: 0, failed: 0 };
  }, { timeoutMs: 20 * 60_000 });
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
