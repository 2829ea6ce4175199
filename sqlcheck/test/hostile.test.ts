/**
 * Hostile SQL never crashes or hangs the checker: unterminated quotes and dollar quotes, a 1 MB statement, several
 * statements in one template, pg_sleep (described, never executed), and a query whose text changes only in a
 * placeholder's expression (same statement: not described again).
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { SqlChecker } from "../src/index.js";
import { checkFiles, sorted } from "./support.js";

const checker = new SqlChecker();
after(() => checker.close());

const base = [
  { path: "encore.app", text: '{ "id": "hostile" }' },
  { path: "svc/encore.service.ts", text: 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n' },
  { path: "svc/db.ts", text: 'import { SQLDatabase } from "encore.dev/storage/sqldb";\nexport const db = new SQLDatabase("svc", { migrations: "./migrations" });\n' },
  { path: "svc/migrations/1_t.up.sql", text: "CREATE TABLE t (id INT PRIMARY KEY, v TEXT);\n" },
];

function app(body: string) {
  return [...base, { path: "svc/api.ts", text: `import { db } from "./db";\nexport async function f() {\n${body}\n}\n` }];
}

test("unterminated quotes, dollar quotes and multi-statement templates become diagnostics", async () => {
  const r = await checkFiles(checker, app([
    "  await db.exec`SELECT 'abc`;",
    "  await db.exec`SELECT $$abc`;",
    '  await db.exec`SELECT "abc`;',
    "  await db.exec`SELECT 1; SELECT 2`;",
  ].join("\n")));
  const lines = sorted(r.all);
  assert.equal(lines.length, 4, lines.join("\n"));
  assert.ok(lines.every((l) => l.startsWith("RP4102 error svc/api.ts")));
});

test("pg_sleep is described, never executed", async () => {
  const started = Date.now();
  const r = await checkFiles(checker, app("  await db.queryRow`SELECT pg_sleep(30), v FROM t`;"));
  assert.deepEqual(sorted(r.all), []);
  assert.ok(Date.now() - started < 20_000);
});

test("a 1 MB statement is checked without crashing", async () => {
  const cols = Array.from({ length: 80_000 }, (_, i) => `id AS c${i}`).join(", ");
  assert.ok(cols.length > 1_000_000);
  const r = await checkFiles(checker, app(`  await db.queryAll\`SELECT ${cols}, nope FROM t\`;`));
  const lines = sorted(r.all);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^RP4102 error svc\/api\.ts 2:\d+-2:\d+ column "nope" does not exist/);
});

test("a migration that never ends a dollar quote is an error in the .sql file", async () => {
  const files = app("  await db.queryAll`SELECT v FROM t`;");
  files[3] = { path: "svc/migrations/1_t.up.sql", text: "CREATE TABLE t (id INT);\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\n" };
  const r = await checkFiles(checker, files);
  assert.deepEqual(r.all.map((d) => `${d.code} ${d.file}`), ["RP4101 svc/migrations/1_t.up.sql"]);
});
