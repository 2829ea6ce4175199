// SQL checked as you type, over stdio on sqlcheck's `seeded` fixture (read-only: edits go through didOpen and
// didChange only): Postgres errors inside templates and migration errors published with exact ranges, an edit
// that fixes a query re-publishes it (only that statement is described again), hover on a query shows its
// described columns and parameters, completion inside a template offers tables and columns.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { positionOf, rangeOf, repoRoot, startClient, uriOf } from "./client.mjs";

const root = join(repoRoot, "sqlcheck", "test", "fixtures", "seeded");
const file = (rel) => join(root, rel);
const text = (rel) => readFileSync(file(rel), "utf8");
const uri = (rel) => uriOf(file(rel));
let client;

before(async () => {
  client = await startClient({ rootDir: root, initializationOptions: { debounceMs: 5 } });
});
after(async () => {
  client?.kill();
});

// The first check starts an in-memory Postgres per database (seconds on a loaded machine).
const SLOW = 120_000;

test("query and migration errors are published with exact ranges", async () => {
  const api = await client.waitForDiagnostics(uri("users/api.ts"), (d) => d.some((x) => x.code === "RP4102"), 0, SLOW);
  const src = text("users/api.ts");
  const userz = api.diagnostics.find((d) => d.message.startsWith('relation "userz"'));
  assert.ok(userz, JSON.stringify(api.diagnostics.map((d) => d.message)));
  assert.deepEqual(userz.range, rangeOf(src, "userz"));
  assert.equal(userz.severity, 1);
  const missing = api.diagnostics.find((d) => d.code === "RP4103");
  assert.deepEqual(missing.range, rangeOf(src, "missing"));
  const mig = await client.waitForDiagnostics(uri("billing/migrations/2_add_amount.up.sql"), (d) => d.length > 0, 0, SLOW);
  assert.deepEqual(mig.diagnostics.map((d) => d.code), ["RP4101"]);
  assert.deepEqual(mig.diagnostics[0].range, rangeOf(text("billing/migrations/2_add_amount.up.sql"), "NUL"));
});

test("fixing a query re-publishes its file without the error", async () => {
  const rel = "users/api.ts";
  const original = text(rel);
  client.open(file(rel), original, 1);
  await client.waitForDiagnostics(uri(rel), (d, p) => p.version === 1 && d.some((x) => x.message.startsWith('relation "userz"')), 0, SLOW);
  const since = client.mark();
  const started = performance.now();
  client.notify("textDocument/didChange", { textDocument: { uri: uri(rel), version: 2 }, contentChanges: [{ text: original.replace("FROM userz", "FROM users") }] });
  await client.waitForDiagnostics(uri(rel), (d) => !d.some((x) => x.message.includes("userz")) && d.some((x) => x.code === "RP4102"), since, SLOW);
  const ms = performance.now() - started;
  assert.ok(ms < 5000, `re-checked in ${ms.toFixed(0)} ms`);
  client.notify("textDocument/didChange", { textDocument: { uri: uri(rel), version: 3 }, contentChanges: [{ text: original }] });
  await client.waitForDiagnostics(uri(rel), (d, p) => p.version === 3 || d.some((x) => x.message.includes("userz")), client.mark() - 1, SLOW);
});

test("hover on a query shows its result columns and parameters", async () => {
  const src = text("users/api.ts");
  const h = await client.request("textDocument/hover", { textDocument: { uri: uri("users/api.ts") }, position: positionOf(src, "SELECT email, plan, created_at", 3) });
  const md = h.contents.value;
  assert.match(md, /database `users`/);
  assert.match(md, /\| `email` \| text \| not null \| users \|/);
  assert.match(md, /\| `plan` \| text \| nullable \| users \|/);
  assert.match(md, /`\$1` bigint/);
});

test("completion inside a SQL template offers tables and columns", async () => {
  const rel = "users/api.ts";
  const src = text(rel);
  client.open(file(rel), src, 10);
  const items = await client.request("textDocument/completion", { textDocument: { uri: uri(rel) }, position: positionOf(src, "FROM users, teams", 5) });
  const labels = (Array.isArray(items) ? items : items.items).map((i) => i.label);
  for (const l of ["users", "teams", "email", "plan", "created_at"]) assert.ok(labels.includes(l), `${l} in ${labels.join(",")}`);
});

test("go to definition from a table or column name in a query to the migration that made it", async () => {
  const rel = "users/api.ts";
  const src = text(rel);
  client.open(file(rel), src, 20);
  const mig = "users/migrations/1_create_users.up.sql";
  const migText = text(mig);
  const toTable = await client.request("textDocument/definition", { textDocument: { uri: uri(rel) }, position: positionOf(src, "teams`", 2) });
  assert.deepEqual(toTable, [{ uri: uri(mig), range: rangeOf(migText, "teams") }]);
  const toColumn = await client.request("textDocument/definition", { textDocument: { uri: uri(rel) }, position: positionOf(src, "created_at FROM users", 3) });
  assert.deepEqual(toColumn, [{ uri: uri(mig), range: rangeOf(migText, "created_at") }]);
});

test("reprise.analysis.sql off withdraws the SQL diagnostics, on brings them back", async () => {
  const migration = uri("billing/migrations/2_add_amount.up.sql");
  await client.waitForDiagnostics(migration, (d) => d.some((x) => x.code === "RP4101"), 0, SLOW);
  client.settings = { analysis: { sql: false } };
  const since = client.mark();
  client.notify("workspace/didChangeConfiguration", { settings: {} });
  await client.waitForDiagnostics(migration, (d) => d.length === 0, since, SLOW);
  await client.waitForDiagnostics(uri("users/api.ts"), (d) => !d.some((x) => /^RP41/.test(String(x.code))), since, SLOW);
  client.settings = {};
  const since2 = client.mark();
  client.notify("workspace/didChangeConfiguration", { settings: {} });
  await client.waitForDiagnostics(migration, (d) => d.some((x) => x.code === "RP4101"), since2, SLOW);
});
