#!/usr/bin/env node
// `npm run bench:sqlcheck`: the SQL checks' budgets on a generated app with 5 databases × 30 migrations and 300
// queries (issue 19), printed as a table. (1) First full check: `reprise check` with SQL minus `reprise check
// --no-sql`, wall time of the CLI (budget ≤1.5 s extra), cold (no result cache: the embedded Postgres starts, every
// migration is applied and every statement described) and warm (`.reprise/cache/sql` from the previous run), with
// the CLI's CPU time and peak RSS where /usr/bin/time exists, and the cold check's phases measured in-process
// (instance start, migrations, describes). (2) In the language server over stdio: an edit to one query → its new
// diagnostic published (budget ≤50 ms median). (3) An edit to a migration → every query file of that database
// re-published against the new schema (budget ≤500 ms). (4) The language server's RSS with SQL on (one shared
// instance). The machine's load average is printed: on 2 shared cores, wall times grow with it.
// BENCH_EDITS (default 20) sets the number of query edits.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startClient, treeRssMb, uriOf, repoRoot } from "../test/lsp/client.mjs";

const DBS = 5;
const MIGRATIONS = 30;
const QUERIES_PER_DB = 60;
const EDITS = Number(process.env.BENCH_EDITS ?? 20);
const root = mkdtempSync(join(tmpdir(), "reprise-bench-sqlcheck-"));

function generate() {
  writeFileSync(join(root, "encore.app"), '{ "id": "bench-sqlcheck" }');
  for (let d = 0; d < DBS; d++) {
    const svc = join(root, `svc${d}`);
    mkdirSync(join(svc, "migrations"), { recursive: true });
    writeFileSync(join(svc, "encore.service.ts"), `import { Service } from "encore.dev/service";\nexport default new Service("svc${d}");\n`);
    writeFileSync(join(svc, "db.ts"), `import { SQLDatabase } from "encore.dev/storage/sqldb";\nexport const db = new SQLDatabase("db${d}", { migrations: "./migrations" });\n`);
    for (let m = 1; m <= MIGRATIONS; m++) {
      const sql = m <= 10
        ? `CREATE TABLE t${m} (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, note TEXT, created_at TIMESTAMPTZ NOT NULL DEFAULT now());\n`
        : `ALTER TABLE t${((m - 1) % 10) + 1} ADD COLUMN c${m} INT;\nCREATE INDEX i${m} ON t${((m - 1) % 10) + 1} (c${m});\n`;
      writeFileSync(join(svc, "migrations", `${m}_step.up.sql`), sql);
    }
    for (let f = 0; f < 3; f++) {
      const lines = [`import { db } from "./db";`, `export async function q${f}(id: number) {`];
      for (let q = 0; q < QUERIES_PER_DB / 3; q++) {
        const t = ((f * 20 + q) % 10) + 1;
        lines.push(`  await db.queryRow<{ id: number; name: string; note: string | null }>\`SELECT id, name, note FROM t${t} WHERE id = \${id} AND name <> \${"x${q}"}\`;`);
      }
      lines.push("}");
      writeFileSync(join(svc, `queries${f}.ts`), lines.join("\n") + "\n");
    }
  }
}

const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

/** Wall ms of `reprise check`, and (with /usr/bin/time) its CPU ms and peak RSS MB. */
function runCli(args, { cold = false } = {}) {
  if (cold) rmSync(join(root, ".reprise", "cache"), { recursive: true, force: true });
  const cmd = [process.execPath, join(repoRoot, "cli", "bin", "reprise.mjs"), "check", root, ...args];
  const started = performance.now();
  const r = TIME ? spawnSync(TIME, ["-f", "@@time %U %S %M", ...cmd], { encoding: "utf8" }) : spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8" });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`reprise check ${args.join(" ")} exited ${r.status}: ${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
  const t = /@@time ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return { ms, cpu: t ? (Number(t[1]) + Number(t[2])) * 1000 : NaN, rss: t ? Number(t[3]) / 1024 : NaN };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const med = (runs) => ({ ms: median(runs.map((r) => r.ms)), cpu: median(runs.map((r) => r.cpu)), rss: median(runs.map((r) => r.rss)) });
const rows = [];
const row = (what, measured, budget, met) => rows.push({ what, measured, budget, met: met === undefined ? "" : met ? "yes" : "no" });
const f0 = (n) => (Number.isFinite(n) ? n.toFixed(0) : "?");

/** The cold check's phases, in this process: where the time of a first check goes. */
async function phases() {
  const { Analyzer } = await import("@reprise/analyzer");
  const { loadAppFiles } = await import("@reprise/analyzer/node");
  const { SqlChecker, sqlInputsOf } = await import("@reprise/sqlcheck");
  const r = new Analyzer().setFiles(loadAppFiles(root));
  const checker = new SqlChecker();
  const started = performance.now();
  await checker.check(sqlInputsOf(r.model, (p) => readFileSync(join(root, p), "utf8")), r.sqlQueries);
  const total = performance.now() - started;
  await checker.close();
  return { total, ...checker.timings, instances: checker.instancesStarted };
}

generate();
let client;
try {
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} on 2 shared cores`);
  runCli([], { cold: true }); // warms the cluster dump cache (first run on a machine) and the file cache
  const noSql = med([runCli(["--no-sql"]), runCli(["--no-sql"]), runCli(["--no-sql"])]);
  const cold = med([runCli([], { cold: true }), runCli([], { cold: true }), runCli([], { cold: true })]);
  const warm = med([runCli([]), runCli([]), runCli([])]);
  row("`reprise check --no-sql`", `${f0(noSql.ms)} ms (CPU ${f0(noSql.cpu)} ms, RSS ${f0(noSql.rss)} MB)`, "", undefined);
  row("check with SQL, cold (no result cache): extra over --no-sql", `${f0(cold.ms - noSql.ms)} ms (CPU +${f0(cold.cpu - noSql.cpu)} ms, RSS ${f0(cold.rss)} MB)`, "≤1500 ms", cold.ms - noSql.ms <= 1500);
  row("check with SQL, warm (`.reprise/cache/sql`): extra over --no-sql", `${f0(warm.ms - noSql.ms)} ms (CPU +${f0(warm.cpu - noSql.cpu)} ms, RSS ${f0(warm.rss)} MB)`, "≤1500 ms", warm.ms - noSql.ms <= 1500);
  const p = await phases();
  row("cold check in-process: total", `${f0(p.total)} ms, ${p.instances} instance(s)`, "", undefined);
  row("… instance start (untar cluster, boot Postgres)", `${f0(p.start)} ms`, "", undefined);
  row(`… migrations (${p.migrations}, in the shared transaction)`, `${f0(p.migrate)} ms`, "", undefined);
  row(`… describes (${p.describes} distinct statements)`, `${f0(p.describe)} ms`, "", undefined);

  client = await startClient({ rootDir: root, initializationOptions: { debounceMs: 5 } });
  const rel = join("svc0", "queries0.ts");
  const path = join(root, rel);
  const uri = uriOf(path);
  const original = readFileSync(path, "utf8");
  client.open(path, original, 1);
  await client.waitFor(() => client.logs?.length >= 0, "start");
  // The first check of every database (instances start, migrations apply, 300 describes).
  const firstStarted = performance.now();
  const probe = original.replace("SELECT id, name, note FROM t1 ", "SELECT id, name, nope_0 FROM t1 ");
  client.notify("textDocument/didChange", { textDocument: { uri, version: 2 }, contentChanges: [{ text: probe }] });
  await client.waitForDiagnostics(uri, (d) => d.some((x) => x.message.includes("nope_0")), 0, 300_000);
  row("language server: first SQL diagnostics after open", `${f0(performance.now() - firstStarted)} ms`, "", undefined);
  const times = [];
  for (let i = 1; i <= EDITS; i++) {
    const since = client.mark();
    const text = original.replace("SELECT id, name, note FROM t1 ", `SELECT id, name, nope_${i} FROM t1 `);
    const started = performance.now();
    client.notify("textDocument/didChange", { textDocument: { uri, version: 2 + i }, contentChanges: [{ text }] });
    await client.waitForDiagnostics(uri, (d) => d.some((x) => x.message.includes(`nope_${i}`)), since, 60_000);
    times.push(performance.now() - started);
  }
  row(`language server: edit one query → its diagnostics (median of ${EDITS})`, `${median(times).toFixed(1)} ms (max ${Math.max(...times).toFixed(0)} ms)`, "≤50 ms", median(times) <= 50);
  client.notify("textDocument/didChange", { textDocument: { uri, version: 100 }, contentChanges: [{ text: original }] });
  await client.waitForDiagnostics(uri, (d) => !d.some((x) => x.message.includes("nope_")), 0, 60_000);

  // A migration edit: drop a column every query of svc0 selects; every query file of db0 must report it.
  const mrel = join("svc0", "migrations", "30_step.up.sql");
  const mpath = join(root, mrel);
  const mtext = readFileSync(mpath, "utf8");
  client.open(mpath, mtext, 1);
  const migTimes = [];
  for (let i = 0; i < 3; i++) {
    const since = client.mark();
    const started = performance.now();
    const broken = i % 2 === 0;
    client.notify("textDocument/didChange", { textDocument: { uri: uriOf(mpath), version: 2 + i }, contentChanges: [{ text: broken ? mtext + "ALTER TABLE t1 DROP COLUMN note;\n" : mtext }] });
    await Promise.all([0, 1, 2].map((f) => {
      const u = uriOf(join(root, "svc0", `queries${f}.ts`));
      return client.waitForDiagnostics(u, (d) => d.some((x) => x.message.includes('"note"')) === broken, since, 120_000);
    }));
    migTimes.push(performance.now() - started);
  }
  row("language server: edit a migration → all diagnostics of that database", `${migTimes.map(f0).join(", ")} ms`, "≤500 ms", Math.max(...migTimes) <= 500);
  row("language server RSS with SQL on (server and children)", `${f0(treeRssMb(client.child.pid))} MB`, "", undefined);
  console.log("\n| what | measured | budget | met? |\n|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.what} | ${r.measured} | ${r.budget} | ${r.met} |`);
} finally {
  client?.kill();
  rmSync(root, { recursive: true, force: true });
}
