/**
 * RemoteSqlChecker runs the checker in a worker thread: the same results as in process, and a migration that never
 * ends (pg_sleep for an hour) is stopped after the timeout and reported on its file, while the other databases are
 * still checked; the same migrations are not applied again.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { RemoteSqlChecker } from "../src/index.js";
import { checkFiles, sorted } from "./support.js";

const remote = new RemoteSqlChecker({ migrationTimeoutMs: 3000 });
after(() => remote.close());

function svc(name: string, migrations: string[], body: string) {
  return [
    { path: `${name}/encore.service.ts`, text: `import { Service } from "encore.dev/service";\nexport default new Service("${name}");\n` },
    { path: `${name}/db.ts`, text: `import { SQLDatabase } from "encore.dev/storage/sqldb";\nexport const db = new SQLDatabase("${name}", { migrations: "./migrations" });\n` },
    ...migrations.map((text, i) => ({ path: `${name}/migrations/${i + 1}_m.up.sql`, text })),
    { path: `${name}/api.ts`, text: `import { db } from "./db";\nexport async function f() {\n${body}\n}\n` },
  ];
}

test("a migration that never ends is stopped, reported on its file, and not applied again", async () => {
  const files = [
    { path: "encore.app", text: '{ "id": "remote" }' },
    ...svc("fine", ["CREATE TABLE t (id INT PRIMARY KEY, v TEXT);\n"], "  await db.queryRow`SELECT nope FROM t`;"),
    ...svc("sleepy", ["CREATE TABLE s (id INT);\n", "SELECT pg_sleep(3600);\n"], "  await db.queryRow`SELECT id FROM s`;"),
  ];
  const started = Date.now();
  const r = await checkFiles(remote as never, files);
  assert.ok(Date.now() - started < 120_000);
  assert.deepEqual(sorted(r.all).map((l) => l.replace(/ \(Postgres.*$/, "")), [
    "RP4101 error sleepy/migrations/1_m.up.sql 0:0-0:0 The migrations of database 'sleepy' from this one on did not finish within 3 s (a statement that never ends, such as pg_sleep or an endless loop?); they and the database's queries are not checked until its migrations change.",
    'RP4102 error fine/api.ts 2:27-2:31 column "nope" does not exist',
  ]);
  assert.equal(remote.stopped, 1);
  const again = await checkFiles(remote as never, files);
  assert.deepEqual(sorted(again.all), sorted(r.all));
  assert.equal(remote.stopped, 1);
  // Fixed: checked again.
  const fixed = files.map((f) => (f.path === "sleepy/migrations/2_m.up.sql" ? { ...f, text: "SELECT pg_sleep(0);\n" } : f));
  const ok = await checkFiles(remote as never, fixed);
  assert.deepEqual(sorted(ok.all).map((l) => l.replace(/ \(Postgres.*$/, "")), ['RP4102 error fine/api.ts 2:27-2:31 column "nope" does not exist']);
  assert.equal(remote.stopped, 1);
  assert.deepEqual(await remote.tables("fine"), [{ name: "t", columns: [{ name: "id", type: "integer", nullable: false }, { name: "v", type: "text", nullable: true }] }]);
  assert.deepEqual((await remote.describeText("fine", "SELECT v FROM t"))?.columns.map((c) => c.name), ["v"]);
});
