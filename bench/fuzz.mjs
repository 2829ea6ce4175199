#!/usr/bin/env node
// `node bench/fuzz.mjs [COUNT] [SEED]`: the analyser against COUNT (default 10,000) seeded hostile mutations of
// the fixture apps, example apps and diagnostic cases (depth bombs of every nesting shape, ~2 MB single lines,
// NUL and control bytes, lone surrogates, a BOM, CRLF, truncation at sixteenths, everyday edits). Each job runs in
// a child process, so a native crash is counted (and the next child goes on) instead of ending the run; a job over
// 30 s is a hang. Prints crashes, hangs, internal errors (goal: 0, 0, 0), the guard's refusals and timings per kind.
// Not part of `npm test` (which runs a seeded 500 of the same jobs); needs `npx tsc -b analyzer`.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runner = join(root, "analyzer", "dist", "test", "support", "fuzz-runner.js");
if (!existsSync(runner)) {
  console.error("bench:fuzz: analyzer/dist/test is missing; run `npx tsc -b analyzer` first");
  process.exit(2);
}
const { runFuzz } = await import(runner);
const count = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 1);
// A job analyses the mutated app and then the restored one; ~2 MB single lines take seconds each (swc parses and
// serialises a million-node AST), so a hang is a job that has not finished in 30 s.
const HANG_MS = 30_000;
let last = 0;
const report = await runFuzz(seed, count, HANG_MS, (done) => {
  if (done - last >= 500) {
    last = done;
    process.stderr.write(`fuzz: ${done}/${count}\n`);
  }
});
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN;
};
const byKind = new Map();
for (const o of report.outcomes) {
  const k = o.kind.split(":")[0];
  if (!byKind.has(k)) byKind.set(k, { n: 0, guarded: 0, ms: [] });
  const e = byKind.get(k);
  e.n++;
  if (o.guarded) e.guarded++;
  e.ms.push(o.ms);
}
const internal = report.outcomes.filter((o) => o.internal.length);
console.log(`fuzz: seed ${seed}, ${report.runs} mutations in ${(report.wallMs / 1000).toFixed(1)} s`);
console.log(`crashes: ${report.crashes.length}, hangs: ${report.hangs.length}, internal errors: ${internal.length}`);
console.log("");
console.log("| kind | runs | refused by the guard | median ms | p99 ms | max ms |");
console.log("|---|---|---|---|---|---|");
for (const [k, e] of [...byKind].sort()) {
  console.log(`| ${k} | ${e.n} | ${e.guarded} | ${quantile(e.ms, 0.5).toFixed(1)} | ${quantile(e.ms, 0.99).toFixed(1)} | ${Math.max(...e.ms).toFixed(1)} |`);
}
for (const c of report.crashes) console.log(`crash: job ${c.i} (${c.signal ?? `exit ${c.code}`})`);
for (const h of report.hangs) console.log(`hang: job ${h.i}`);
for (const o of internal.slice(0, 20)) console.log(`internal: job ${o.i} ${o.kind} ${o.file}: ${o.internal[0]}`);
process.exit(report.crashes.length || report.hangs.length || internal.length ? 1 : 0);
