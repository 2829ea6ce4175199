#!/usr/bin/env node
// `npm run bench:test` (issue 20): what `reprise test` costs over the same tests run by plain vitest against
// infrastructure started by hand, on a generated app of 10 services, 3 databases and 40 vitest tests (10 files).
//
// - reprise test: `reprise test` in the app (analysis, bundle, start-up check and migrated template, then vitest with
//   each test file's worker given its own in-memory databases); the test files import the endpoints and call them.
// - plain vitest: the app started beforehand with `reprise run` (not timed: the hand-started infrastructure), then
//   `vitest run` on the same test files, whose imports are switched to generated HTTP stubs with the same
//   signatures (the test bodies are byte-identical).
// - clone: one migrated-size cluster per database, the way a test process gets it now (its template tar read into
//   memory, opened with PGlite's loadDataDir) and the way it did before (the data directory copied, opened from disk).
//
// Budgets (issue 20): overhead ≤1 s; cloning a migrated database per worker ≤150 ms. BENCH_RUNS (default 3) sets
// the timed runs of each mode (the median is reported; one untimed warm-up run of each comes first).
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = join(fileURLToPath(import.meta.url), "..", "..");
const cli = join(repoRoot, "cli", "bin", "reprise.mjs");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SERVICES = 10;
const DBS = 3;
const base = mkdtempSync(join(tmpdir(), "reprise-bench-test-"));
const app = join(base, "app");
const stubs = join(base, "http-stubs");

function generate() {
  mkdirSync(app, { recursive: true });
  mkdirSync(stubs, { recursive: true });
  writeFileSync(join(app, "encore.app"), '{ "id": "bench-test" }');
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "bench-test", private: true, type: "module" }));
  // The app's vitest: the repository's devDependency, reached through the app's node_modules.
  symlinkSync(join(repoRoot, "node_modules"), join(app, "node_modules"), "dir");
  writeFileSync(
    join(stubs, "call.ts"),
    `export async function call(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(process.env.BENCH_BASE_URL + path, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json();
  if (!res.ok) throw Object.assign(new Error(data.message), { code: data.code });
  return data;
}
`,
  );
  for (let s = 0; s < SERVICES; s++) {
    const name = `svc${s}`;
    const dir = join(app, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "encore.service.ts"), `import { Service } from "encore.dev/service";\nexport default new Service("${name}");\n`);
    let api;
    let tests;
    let stub;
    if (s < DBS) {
      mkdirSync(join(dir, "migrations"));
      writeFileSync(join(dir, "migrations", "1_items.up.sql"), "CREATE TABLE items (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, qty INT NOT NULL);\n");
      writeFileSync(join(dir, "migrations", "2_note.up.sql"), "ALTER TABLE items ADD COLUMN note TEXT;\nCREATE INDEX items_name ON items (name);\n");
      api = `import { api, APIError } from "encore.dev/api";
import { SQLDatabase } from "encore.dev/storage/sqldb";

const db = new SQLDatabase("db${s}", { migrations: "./migrations" });

interface Item { id: number; name: string; qty: number; note: string | null }

export const add = api({ expose: true, method: "POST", path: "/${name}/items" }, async (p: { name: string; qty: number; note?: string }): Promise<Item> => {
  const row = await db.queryRow<{ id: string }>\`INSERT INTO items (name, qty, note) VALUES (\${p.name}, \${p.qty}, \${p.note ?? null}) RETURNING id\`;
  return { id: Number(row!.id), name: p.name, qty: p.qty, note: p.note ?? null };
});

export const get = api({ expose: true, method: "GET", path: "/${name}/items/:id" }, async (p: { id: number }): Promise<Item> => {
  const row = await db.queryRow<{ id: string; name: string; qty: number; note: string | null }>\`SELECT id, name, qty, note FROM items WHERE id = \${p.id}\`;
  if (!row) throw APIError.notFound(\`no item \${p.id}\`);
  return { ...row, id: Number(row.id) };
});

export const total = api({ expose: true, method: "GET", path: "/${name}/total/:name" }, async (p: { name: string }): Promise<{ qty: number }> => {
  const row = await db.queryRow<{ qty: string | null }>\`SELECT sum(qty) AS qty FROM items WHERE name = \${p.name}\`;
  return { qty: Number(row?.qty ?? 0) };
});
`;
      stub = `import { call } from "../http-stubs/call.ts";
export const add = (p: { name: string; qty: number; note?: string }) => call("POST", "/${name}/items", p);
export const get = (p: { id: number }) => call("GET", \`/${name}/items/\${p.id}\`);
export const total = (p: { name: string }) => call("GET", \`/${name}/total/\${encodeURIComponent(p.name)}\`);
`;
      tests = `import { expect, test } from "vitest";
import { add, get, total } from "./api";

test("${name}: an item written is read back", async () => {
  const item = await add({ name: "mug", qty: 2 });
  expect(await get({ id: item.id })).toEqual({ ...item, note: null });
});

test("${name}: an unknown item is not found", async () => {
  await expect(get({ id: 987654321 })).rejects.toMatchObject({ code: "not_found" });
});

test("${name}: a note is kept", async () => {
  const item = await add({ name: "lamp", qty: 1, note: "fragile" });
  expect((await get({ id: item.id })).note).toBe("fragile");
});

test("${name}: quantities add up per name", async () => {
  const tag = \`bolt-\${Math.random().toString(36).slice(2)}\`;
  for (const qty of [1, 2, 3]) await add({ name: tag, qty });
  expect(await total({ name: tag })).toEqual({ qty: 6 });
});
`;
    } else {
      const owner = `svc${s % DBS}`;
      api = `import { api, APIError } from "encore.dev/api";
import { ${owner} } from "~encore/clients";

export const echo = api({ expose: true, method: "POST", path: "/${name}/echo" }, async (p: { text: string }): Promise<{ text: string; len: number }> => {
  if (p.text === "") throw APIError.invalidArgument("empty text");
  return { text: p.text, len: p.text.length };
});

export const stock = api({ expose: true, method: "POST", path: "/${name}/stock" }, async (p: { name: string; qty: number }): Promise<{ id: number; qty: number }> => {
  const item = await ${owner}.add({ name: p.name, qty: p.qty });
  const back = await ${owner}.get({ id: item.id });
  return { id: back.id, qty: back.qty };
});
`;
      stub = `import { call } from "../http-stubs/call.ts";
export const echo = (p: { text: string }) => call("POST", "/${name}/echo", p);
export const stock = (p: { name: string; qty: number }) => call("POST", "/${name}/stock", p);
`;
      tests = `import { expect, test } from "vitest";
import { echo, stock } from "./api";

test("${name}: echo answers", async () => {
  expect(await echo({ text: "hello" })).toEqual({ text: "hello", len: 5 });
});

test("${name}: echo counts characters", async () => {
  expect((await echo({ text: "x".repeat(40) })).len).toBe(40);
});

test("${name}: empty text is refused", async () => {
  await expect(echo({ text: "" })).rejects.toMatchObject({ code: "invalid_argument" });
});

test("${name}: stock goes through ${owner}", async () => {
  const r = await stock({ name: "crate", qty: 7 });
  expect(r.qty).toBe(7);
  expect(r.id).toBeGreaterThan(0);
});
`;
    }
    writeFileSync(join(dir, "api.ts"), api);
    writeFileSync(join(dir, `${name}.test.ts`), tests);
    writeFileSync(join(stubs, `${name}.ts`), stub.replace("../http-stubs/call.ts", "./call.ts"));
  }
}

/** Switches the test files' endpoint imports between the app's modules and the HTTP stubs (bodies unchanged). */
function pointTestsAt(target) {
  for (let s = 0; s < SERVICES; s++) {
    const file = join(app, `svc${s}`, `svc${s}.test.ts`);
    const text = readFileSync(file, "utf8").replace(/from "[^"]*(\.\/api|http-stubs\/svc\d+\.ts)";/, target === "app" ? 'from "./api";' : `from ${JSON.stringify(join(stubs, `svc${s}.ts`))};`);
    writeFileSync(file, text);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function timed(args, env = {}) {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: app, encoding: "utf8", env: { ...process.env, ...env, NODE_TEST_CONTEXT: undefined }, maxBuffer: 64 << 20 });
  const ms = performance.now() - started;
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`${args.slice(-3).join(" ")} exited ${r.status}:\n${out.slice(-4000)}`);
  if (!/Tests\s+40 passed \(40\)/.test(out)) throw new Error(`expected 40 passed tests:\n${out.slice(-4000)}`);
  return { ms, out };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${Math.round(ms)} ms`;

async function startApp(port) {
  const proc = spawn(process.execPath, [cli, "run", app, "--port", String(port)], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`reprise run exited ${proc.exitCode}:\n${log}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/svc3/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"text":"up"}' });
      if (r.ok) return proc;
    } catch {}
    if (Date.now() > deadline) throw new Error(`reprise run did not answer in 180 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Per database: the clone as a test process does it now (tar into memory) and as it did (directory copy). */
async function cloneFigures() {
  const req = createRequire(join(repoRoot, "runtime", "sdk", "package.json"));
  const { PGlite } = await import(req.resolve("@electric-sql/pglite"));
  const { clusterDump, ensurePGliteTemplate } = await import(join(repoRoot, "runtime", "sdk", "dist", "src", "internal", "pglite-template.js"));
  const templateDir = await ensurePGliteTemplate();
  const tar = join(base, "template.tar");
  writeFileSync(tar, new Uint8Array(await (await clusterDump()).arrayBuffer()));
  // Warm PGlite's WASM and the file cache once.
  const warm = await PGlite.create({ loadDataDir: new Blob([readFileSync(tar)]) });
  await warm.close();
  const rows = { readTar: [], openMemory: [], copyDir: [], openDir: [] };
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    const blob = new Blob([await readFile(tar)]);
    rows.readTar.push(performance.now() - t);
    t = performance.now();
    const mem = await PGlite.create({ loadDataDir: blob });
    await mem.query("select 1");
    rows.openMemory.push(performance.now() - t);
    await mem.close();
    if (templateDir) {
      const dir = join(base, `clone-${i}`);
      t = performance.now();
      cpSync(templateDir, dir, { recursive: true });
      rows.copyDir.push(performance.now() - t);
      t = performance.now();
      const disk = await PGlite.create(dir);
      await disk.query("select 1");
      rows.openDir.push(performance.now() - t);
      await disk.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { size: readFileSync(tar).length, rows };
}

generate();
let server = null;
try {
  console.log(`bench:test — ${SERVICES} services, ${DBS} databases, 40 vitest tests in 10 files; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  // reprise test: tests call the endpoints in-process, through the runtime.
  pointTestsAt("app");
  timed([cli, "test"]); // warm-up: bundle cache, cluster dump, PGlite's files in the page cache
  const repriseRuns = [];
  let timings = "";
  for (let i = 0; i < RUNS; i++) {
    const r = timed([cli, "test"], i === 0 ? { REPRISE_TIMINGS: "1" } : {});
    repriseRuns.push(r.ms);
    if (i === 0) timings = r.out;
  }
  // Plain vitest on hand-started infrastructure: `reprise run` serves the app; the tests call it over HTTP.
  const port = await freePort();
  server = await startApp(port);
  pointTestsAt("http");
  const vitestBin = join(repoRoot, "node_modules", "vitest", "vitest.mjs");
  const env = { BENCH_BASE_URL: `http://127.0.0.1:${port}` };
  timed([vitestBin, "run"], env);
  const plainRuns = [];
  for (let i = 0; i < RUNS; i++) plainRuns.push(timed([vitestBin, "run"], env).ms);
  server.kill("SIGINT");
  await new Promise((r) => server.on("exit", r));
  server = null;

  const clone = await cloneFigures();
  const r = median(repriseRuns);
  const p = median(plainRuns);
  const pick = (re) => [...timings.matchAll(re)].map((m) => Number(m[1]));
  const dbClones = pick(/database \S+ cloned in (\d+) ms/g);
  const infraStarts = pick(/infrastructure started in (\d+) ms/g);
  const template = pick(/template databases migrated in (\d+) ms/g);
  const rows = [
    ["reprise test (wall, median)", fmt(r), repriseRuns.map(fmt).join(", ")],
    ["plain vitest on hand-started app (wall, median)", fmt(p), plainRuns.map(fmt).join(", ")],
    ["overhead (budget ≤1000 ms)", fmt(r - p), r - p <= 1000 ? "within budget" : "OVER BUDGET"],
    ["  of which: template databases migrated", template.length ? fmt(template[0]) : "-", "once per run, in the parent"],
    ["  of which: worker infrastructure start (median)", infraStarts.length ? fmt(median(infraStarts)) : "-", `${infraStarts.length} workers (runtime, pub/sub, server)`],
    ["clone per worker and database (budget ≤150 ms)", dbClones.length ? fmt(median(dbClones)) : "-", `${dbClones.length} clones in the run; ${median(dbClones) <= 150 ? "within budget" : "OVER BUDGET"}`],
    [`clone: template tar read (${(clone.size / 1e6).toFixed(1)} MB, median)`, fmt(median(clone.rows.readTar)), "now"],
    ["clone: open in memory from the tar + first query", fmt(median(clone.rows.openMemory)), "now"],
    ["clone: data directory copied (median)", clone.rows.copyDir.length ? fmt(median(clone.rows.copyDir)) : "-", "before"],
    ["clone: open from the copied directory + first query", clone.rows.openDir.length ? fmt(median(clone.rows.openDir)) : "-", "before"],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  console.log(`${"".padEnd(w0)}  ${"time".padStart(w1)}  note`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
} finally {
  if (server) server.kill("SIGKILL");
  rmSync(base, { recursive: true, force: true });
}
