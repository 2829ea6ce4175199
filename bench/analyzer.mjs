#!/usr/bin/env node
// `npm run bench:analyzer`: the analyzer on generated apps of 100, 500 and 1,000 files (bench/gen-app.mjs, the
// shape of the speed anchors' "Parser" section, kept outside the repository). Measures a cold full analysis (in-process, and `reprise check`
// spawn-to-exit, best of 3), one-file edits through the incremental Analyzer.update (median and p99 over 240 edits
// alternating an endpoint file and a types.ts), and memory after analysing 1,000 files in a fresh process.
// Prints a table; Encore's figures are the reference numbers measured on another day (ANCHOR below).
// Not a timed test: numbers on this shared 2-core machine vary; compare ratios within one run, and judge by the CPU
// columns (process.cpuUsage) when the load average printed above the table is high.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { generateApp, endpointFile, typesFile } from "./gen-app.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { Analyzer } = await import(join(root, "analyzer/dist/src/index.js"));
const { loadAppFiles } = await import(join(root, "analyzer/dist/src/node/index.js"));
const { SchemaBuilder } = await import(join(root, "analyzer/dist/src/schema/index.js"));

// Time spent inside the schema builder, to show its share of a full analysis.
let schemaMs = 0;
const build = SchemaBuilder.prototype.build;
SchemaBuilder.prototype.build = function (...args) {
  const t0 = Number(process.hrtime.bigint()) / 1e6;
  try {
    return build.apply(this, args);
  } finally {
    schemaMs += Number(process.hrtime.bigint()) / 1e6 - t0;
  }
};

// Encore tsparser, spawn to exit, best of 3 (measured 2026-12-01 on an idle machine of this kind).
const ANCHOR = { 100: { ms: 46, rss: 13 }, 500: { ms: 200, rss: 25 }, 1000: { ms: 411, rss: 41 } };
const SIZES = [100, 500, 1000];
const EDITS = 240;

if (process.argv[2] === "--memory-child") {
  // Fresh process: load + analyse, then report memory after a full GC.
  const dir = process.argv[3];
  const a = new Analyzer();
  a.setFiles(loadAppFiles(dir));
  globalThis.gc?.();
  const m = process.memoryUsage();
  process.stdout.write(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, endpoints: a.result.model.app.services.reduce((n, s) => n + s.endpoints.length, 0) }));
  process.exit(0);
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
// CPU time of this process (user + system) in ms: on a loaded shared machine wall time includes time spent waiting
// for a core, so the CPU column is the one to judge by when the load average is high.
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const fmt = (x, d = 1) => (x >= 100 ? x.toFixed(0) : x.toFixed(d));

const tmp = mkdtempSync(join(tmpdir(), "reprise-bench-"));
const rows = [];
try {
  for (const size of SIZES) {
    const dir = join(tmp, `app${size}`);
    const written = generateApp(dir, size);
    // Cold full analysis in-process: read files + analyse (new Analyzer each time), best of 3.
    const full = [];
    const fullCpu = [];
    const schemaShare = [];
    let model;
    for (let i = 0; i < 3; i++) {
      schemaMs = 0;
      const t0 = now();
      const c0 = cpu();
      const a = new Analyzer();
      const r = a.setFiles(loadAppFiles(dir));
      full.push(now() - t0);
      fullCpu.push(cpu() - c0);
      schemaShare.push(schemaMs);
      model = r.model;
    }
    const endpoints = model.app.services.reduce((n, s) => n + s.endpoints.length, 0);
    const errors = model.diagnostics.filter((d) => d.severity === "error");
    if (errors.length) throw new Error(`generated app has ${errors.length} error diagnostics, first: ${errors[0].code} ${errors[0].message}`);
    // `reprise check` spawn to exit (what Encore's figure measures), best of 3.
    // Cold: the analysis cache off. Warm: unchanged files, the cache written by a first run (cache.ts).
    const check = (cache) => {
      const t0 = now();
      const r = spawnSync(process.execPath, [join(root, "cli/bin/reprise.mjs"), "check", dir], { encoding: "utf8", env: { ...process.env, REPRISE_CACHE: cache } });
      if (r.status !== 0) throw new Error(`reprise check exited ${r.status}: ${r.stderr || r.stdout}`);
      return now() - t0;
    };
    const spawnMs = [];
    const warmMs = [];
    for (let i = 0; i < 3; i++) spawnMs.push(check("0"));
    check("1");
    for (let i = 0; i < 3; i++) warmMs.push(check("1"));
    // Incremental edits: alternate an endpoint file and the types.ts of service 0 (the one the last service calls).
    const a = new Analyzer();
    a.setFiles(loadAppFiles(dir));
    const services = Math.round(size / 10);
    const next = `svc${String(1 % services).padStart(3, "0")}`;
    const times = [];
    const cpuTimes = [];
    for (let i = 0; i < EDITS; i++) {
      const variant = (i >> 1) + 1;
      const t0 = now();
      const c0 = cpu();
      const r = i % 2 === 0 ? a.update("svc000/ep3.ts", endpointFile("svc000", next, "Item0", 3, false, variant)) : a.update("svc000/types.ts", typesFile("Item0", variant));
      times.push(now() - t0);
      cpuTimes.push(cpu() - c0);
      if (i === EDITS - 1 && r.model.diagnostics.some((d) => d.severity === "error")) throw new Error("an edit introduced errors");
    }
    const edit = {
      median: pct(times, 50),
      p99: pct(times, 99),
      cpuMedian: pct(cpuTimes, 50),
      cpuP99: pct(cpuTimes, 99),
      epMedian: pct(times.filter((_, i) => i % 2 === 0), 50),
      tyMedian: pct(times.filter((_, i) => i % 2 === 1), 50),
    };
    let mem = null;
    if (size === 1000) {
      const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--memory-child", dir], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`memory child failed: ${r.stderr}`);
      mem = JSON.parse(r.stdout);
    }
    rows.push({ size, written, endpoints, full: Math.min(...full), fullCpu: Math.min(...fullCpu), schema: schemaShare[full.indexOf(Math.min(...full))], spawn: Math.min(...spawnMs), warm: Math.min(...warmMs), edit, mem });
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const head = ["files", "endpoints", "full analysis ms (in-process, best of 3)", "full analysis CPU ms", "of which schema builder ms", "reprise check ms (spawn→exit, best of 3)", "same, warm cache ms", "Encore tsparser ms (other day)", "edit median ms", "edit p99 ms", "edit CPU median / p99 ms", "edit median: endpoint file / types.ts"];
const lines = [head];
for (const r of rows) {
  lines.push([
    String(r.written),
    String(r.endpoints),
    fmt(r.full),
    fmt(r.fullCpu),
    fmt(r.schema),
    fmt(r.spawn),
    fmt(r.warm),
    String(ANCHOR[r.size].ms),
    r.edit ? fmt(r.edit.median, 2) : "-",
    r.edit ? fmt(r.edit.p99, 2) : "-",
    r.edit ? `${fmt(r.edit.cpuMedian, 2)} / ${fmt(r.edit.cpuP99, 2)}` : "-",
    r.edit ? `${fmt(r.edit.epMedian, 2)} / ${fmt(r.edit.tyMedian, 2)}` : "-",
  ]);
}
const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
const print = (l) => console.log(`| ${l.map((c, i) => c.padStart(widths[i])).join(" | ")} |`);
console.log(`\nReprise analyzer benchmark (Node ${process.version}, ${EDITS} edits per size, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${availableParallelism()} cores)\n`);
print(lines[0]);
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const l of lines.slice(1)) print(l);
const m = rows.find((r) => r.mem)?.mem;
if (m) console.log(`\nMemory after analysing ${rows.at(-1).written} files (fresh process, after GC): RSS ${(m.rss / 2 ** 20).toFixed(0)} MB, heap used ${(m.heapUsed / 2 ** 20).toFixed(0)} MB (other day: Encore tsparser peak RSS ${ANCHOR[1000].rss} MB). Goal: ≤150 MB.`);
const r500 = rows.find((r) => r.size === 500);
if (r500) console.log(`Goals at 500 files: full analysis ≤1000 ms (got ${fmt(r500.full)} wall, ${fmt(r500.fullCpu)} CPU), edit median ≤5 ms (got ${fmt(r500.edit.median, 2)} wall, ${fmt(r500.edit.cpuMedian, 2)} CPU), p99 ≤20 ms (got ${fmt(r500.edit.p99, 2)} wall, ${fmt(r500.edit.cpuP99, 2)} CPU).`);
