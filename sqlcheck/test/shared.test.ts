/**
 * All databases of an app share one embedded Postgres, each in a transaction of its own turn: a database never sees
 * another's tables, a migration edit re-applies from the edited migration on, and migrations that cannot run
 * inside a transaction (COMMIT, CREATE INDEX CONCURRENTLY, a new enum value used by a later migration) still apply,
 * in an instance of their own. A result cache answers an unchanged check without any instance.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqlChecker, controlsTransactions, folderCache } from "../src/index.js";
import { checkFiles, sorted } from "./support.js";

const checker = new SqlChecker();
after(() => checker.close());

function svc(name: string, migrations: string[], body: string) {
  return [
    { path: `${name}/encore.service.ts`, text: `import { Service } from "encore.dev/service";\nexport default new Service("${name}");\n` },
    { path: `${name}/db.ts`, text: `import { SQLDatabase } from "encore.dev/storage/sqldb";\nexport const db = new SQLDatabase("${name}", { migrations: "./migrations" });\n` },
    ...migrations.map((text, i) => ({ path: `${name}/migrations/${i + 1}_m.up.sql`, text })),
    { path: `${name}/api.ts`, text: `import { db } from "./db";\nexport async function f(id: number) {\n${body}\n}\n` },
  ];
}

const APP = { path: "encore.app", text: '{ "id": "shared" }' };

test("three databases share one instance and never see each other's tables", async () => {
  const before = checker.instancesStarted;
  const files = [
    APP,
    ...svc("a", ["CREATE TABLE items (id INT PRIMARY KEY, a_only TEXT NOT NULL);\n"], "  await db.queryRow<{ a_only: string }>`SELECT a_only FROM items WHERE id = ${id}`;\n  await db.queryRow`SELECT b_only FROM items`;"),
    ...svc("b", ["CREATE TABLE items (id INT PRIMARY KEY, b_only INT NOT NULL);\n"], "  await db.queryRow<{ b_only: number }>`SELECT b_only FROM items WHERE id = ${id}`;\n  await db.queryRow`SELECT * FROM c_table`;"),
    ...svc("c", ["CREATE TABLE c_table (id INT);\n"], "  await db.queryRow`SELECT id FROM c_table`;"),
  ];
  const r = await checkFiles(checker, files);
  assert.deepEqual(sorted(r.all).map((l) => l.replace(/ \(Postgres.*$/, "")), [
    'RP4102 error a/api.ts 3:27-3:33 column "b_only" does not exist',
    'RP4102 error b/api.ts 3:34-3:41 relation "c_table" does not exist',
  ]);
  assert.equal(checker.instancesStarted - before, 1);
  // Checked again unchanged: nothing is applied or described again (no instance, same result).
  const again = await checkFiles(checker, files);
  assert.deepEqual(sorted(again.all), sorted(r.all));
  assert.equal(checker.instancesStarted - before, 1);
});

test("a migration edit re-applies from that migration on; a fix of a failed migration recovers", async () => {
  const m1 = "CREATE TABLE t (id INT PRIMARY KEY);\n";
  const body = "  await db.queryRow<{ v: string }>`SELECT v FROM t WHERE id = ${id}`;";
  const check = async (m2: string) => sorted((await checkFiles(checker, [APP, ...svc("d", [m1, m2], body)])).all).map((l) => l.replace(/ \(Postgres.*$/, ""));
  assert.deepEqual(await check("ALTER TABLE t ADD COLUMN v TEXT NOT NULL;\n"), []);
  assert.deepEqual(await check("ALTER TABLE t ADD COLUMN w TEXT;\n"), ['RP4102 error d/api.ts 2:42-2:43 column "v" does not exist']);
  assert.deepEqual(await check("ALTER TABLE t ADD COLUMN v TEXT;\n"), ["RP4105 hint d/api.ts 2:22-2:23 Column 'v' of table t can be NULL, but field 'v' does not allow null; add | null to it, or NOT NULL to the column."]);
  const broken = await check("ALTER TABLE nope ADD COLUMN v TEXT;\n");
  assert.equal(broken.length, 1);
  assert.match(broken[0], /^RP4101 error d\/migrations\/2_m\.up\.sql 0:12-0:16 relation "nope" does not exist/);
  assert.deepEqual(await check("ALTER TABLE t ADD COLUMN v TEXT NOT NULL;\n"), []);
});

test("migrations that cannot run inside a transaction apply in an instance of their own", async () => {
  const before = checker.instancesStarted;
  const files = [
    APP,
    ...svc("e", ["CREATE TABLE t (id INT PRIMARY KEY, v TEXT);\n", "CREATE INDEX CONCURRENTLY t_v ON t (v);\n"], "  await db.queryRow`SELECT v FROM t`;\n  await db.queryRow`SELECT nope_e FROM t`;"),
    ...svc("f", ["CREATE TYPE mood AS ENUM ('sad');\n", "ALTER TYPE mood ADD VALUE 'happy';\n", "CREATE TABLE m (x mood NOT NULL DEFAULT 'happy');\n"], "  await db.queryRow`SELECT x FROM m`;\n  await db.queryRow`SELECT nope_f FROM m`;"),
    ...svc("g", ["BEGIN;\nCREATE TABLE t (id INT);\nCOMMIT;\n"], "  await db.queryRow`SELECT id FROM t`;\n  await db.queryRow`SELECT nope_g FROM t`;"),
    ...svc("h", ["CREATE TABLE only_h (id INT);\n"], "  await db.queryRow`SELECT id FROM only_h`;\n  await db.queryRow`SELECT id FROM t`;"),
  ];
  const r = await checkFiles(checker, files);
  assert.deepEqual(sorted(r.all).map((l) => l.replace(/ \(Postgres.*$/, "").replace(/ \d+:\d+-\d+:\d+/, "")), [
    'RP4102 error e/api.ts column "nope_e" does not exist',
    'RP4102 error f/api.ts column "nope_f" does not exist',
    'RP4102 error g/api.ts column "nope_g" does not exist',
    'RP4102 error h/api.ts relation "t" does not exist',
  ]);
  // e and f fail inside the shared transaction and move to instances of their own; g is seen by the scan.
  assert.equal(checker.instancesStarted - before, 3);
});

test("the transaction-control scan ignores function bodies, strings and comments", () => {
  assert.equal(controlsTransactions("BEGIN;\nCREATE TABLE t (id INT);\nCOMMIT;"), true);
  assert.equal(controlsTransactions("CREATE TABLE t (id INT);\n  commit;"), true);
  assert.equal(controlsTransactions("CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql;"), false);
  assert.equal(controlsTransactions("CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql;"), false);
  assert.equal(controlsTransactions("-- BEGIN;\nINSERT INTO t VALUES ('; COMMIT');\n/* ; rollback */"), false);
});

test("a result cache (folderCache) answers an unchanged check without starting Postgres", async () => {
  const dir = mkdtempSync(join(tmpdir(), "reprise-sqlcache-"));
  try {
    const body = "  await db.queryRow<{ v: number }>`SELECT v FROM t WHERE id = ${id}`;\n  await db.queryRow`SELECT nope FROM t`;";
    const files = [APP, ...svc("k", ["CREATE TABLE t (id INT PRIMARY KEY, v TEXT NOT NULL);\n"], body)];
    const first = new SqlChecker({ cache: folderCache(dir) });
    const a = sorted((await checkFiles(first, files)).all);
    await first.close();
    assert.equal(first.instancesStarted, 1);
    assert.equal(a.length, 2, a.join("\n"));
    const second = new SqlChecker({ cache: folderCache(dir) });
    const b = await checkFiles(second, files);
    assert.deepEqual(sorted(b.all), a);
    assert.equal(second.instancesStarted, 0);
    assert.equal(b.sql.described.size, 1);
    // A new statement is described (the cached ones are not), so Postgres starts.
    const edited = files.map((f) => (f.path === "k/api.ts" ? { ...f, text: f.text.replace("SELECT nope", "SELECT nope2") } : f));
    const c = sorted((await checkFiles(second, edited)).all);
    assert.equal(second.instancesStarted, 1);
    assert.ok(c.some((l) => l.includes('"nope2"')));
    await second.close();
    // A malformed entry is a miss, not a failure.
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), "{ not json");
    const third = new SqlChecker({ cache: folderCache(dir) });
    assert.deepEqual(sorted((await checkFiles(third, files)).all), a);
    await third.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
