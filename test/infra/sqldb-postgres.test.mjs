// SQLDatabase against a real PostgreSQL 15 started on loopback: `sql.server` creates one database per
// SQLDatabase, the same query suite as PGlite passes, and two processes migrating at once apply each file once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startInfra, stopInfra } from "reprise/config";
import { SQLDatabase } from "reprise/storage/sqldb";
import { makeApp, querySuite } from "./fixtures/sql-suite.mjs";
import { startPostgres } from "./fixtures/services.mjs";

let pg;
const app = makeApp();
before(async () => {
  pg = await startPostgres();
  writeFileSync(join(app.root, "reprise.config.json"), JSON.stringify({ sql: { server: pg.url, maxConnections: 4 } }));
});
after(async () => {
  await stopInfra();
  await pg?.stop();
  rmSync(app.root, { recursive: true, force: true });
});

test("PostgreSQL: database created on first use, migrations, queries, transactions", { timeout: 60_000 }, async () => {
  const infra = await startInfra({ appRoot: app.root, model: app.model });
  assert.equal(infra.config.sql.server, pg.url);
  const db = new SQLDatabase("shop", { migrations: "./migrations" });
  await querySuite(db);
  assert.match(db.connectionString, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/shop$/);
});

test("PostgreSQL: concurrent transactions use separate pooled connections", { timeout: 30_000 }, async () => {
  const db = SQLDatabase.named("shop");
  const a = await db.begin();
  const b = await db.begin();
  await a.exec`UPDATE items SET qty = 1 WHERE name = 'apple'`;
  // b does not see a's uncommitted write.
  assert.equal((await b.queryRow`SELECT qty FROM items WHERE name = 'apple'`).qty, 3);
  await a.commit();
  await b.rollback();
  assert.equal((await db.queryRow`SELECT qty FROM items WHERE name = 'apple'`).qty, 1);
});

test("PostgreSQL: a failing migration stops start-up naming the file", { timeout: 30_000 }, async () => {
  await stopInfra();
  writeFileSync(join(app.mig, "3_broken.up.sql"), "CREATE TABLE half_done (id int);\nSELECT * FROM missing_table;\n");
  await assert.rejects(startInfra({ appRoot: app.root, model: app.model }), /migration 3_broken\.up\.sql failed: .*missing_table/);
  rmSync(join(app.mig, "3_broken.up.sql"));
  await stopInfra();
  await startInfra({ appRoot: app.root, model: app.model });
  assert.equal((await SQLDatabase.named("shop").queryRow`SELECT to_regclass('half_done') AS t`).t, null);
});
