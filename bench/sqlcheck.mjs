#!/usr/bin/env node
// `npm run bench:sqlcheck`: the SQL checks' budgets on a generated app with 5 databases × 30 migrations and 300
// queries (issue 19). (1) First full check: `reprise check` with SQL minus `reprise check --no-sql`, wall time of
// the CLI (budget ≤1.5 s extra; the first run on a machine also builds the cluster dump once). (2) In the language
// server over stdio: an edit to one query → its new diagnostic published (budget ≤50 ms median). (3) An edit to a
// migration → every query file of that database re-published against the new schema (budget ≤500 ms).
// BENCH_EDITS (default 20) sets the number of query edits.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startClient, uriOf, repoRoot } from "../test/lsp/client.mjs";

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

function timeCli(args) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [join(repoRoot, "cli", "bin", "reprise.mjs"), "check", root, ...args], { encoding: "utf8" });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`reprise check ${args.join(" ")} exited ${r.status}: ${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

generate();
let client;
try {
  timeCli([]); // warms the cluster dump cache (first run on a machine) and the file cache
  const noSql = median([timeCli(["--no-sql"]), timeCli(["--no-sql"]), timeCli(["--no-sql"])]);
  const withSql = median([timeCli([]), timeCli([]), timeCli([])]);
  console.log(`first full check: reprise check ${withSql.toFixed(0)} ms, --no-sql ${noSql.toFixed(0)} ms → SQL adds ${(withSql - noSql).toFixed(0)} ms (budget 1500)`);

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
  console.log(`language server: first SQL diagnostics after open ${(performance.now() - firstStarted).toFixed(0)} ms`);
  const times = [];
  for (let i = 1; i <= EDITS; i++) {
    const since = client.mark();
    const text = original.replace("SELECT id, name, note FROM t1 ", `SELECT id, name, nope_${i} FROM t1 `);
    const started = performance.now();
    client.notify("textDocument/didChange", { textDocument: { uri, version: 2 + i }, contentChanges: [{ text }] });
    await client.waitForDiagnostics(uri, (d) => d.some((x) => x.message.includes(`nope_${i}`)), since, 60_000);
    times.push(performance.now() - started);
  }
  console.log(`edit to one query → its diagnostics: median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms over ${EDITS} edits (budget 50 ms median)`);
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
  console.log(`edit to a migration → all diagnostics of that database: ${migTimes.map((t) => t.toFixed(0)).join(", ")} ms (budget 500 ms)`);
} finally {
  client?.kill();
  rmSync(root, { recursive: true, force: true });
}
