// SQLDatabase on the embedded engine (PGlite): migrations, queries, transactions, persistence across a restart,
// and a failing migration stopping start-up with its file name.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startInfra, stopInfra } from "reprise/config";
import { SQLDatabase } from "reprise/storage/sqldb";
import { makeApp, querySuite } from "./fixtures/sql-suite.mjs";

const app = makeApp();
after(async () => {
  await stopInfra();
  rmSync(app.root, { recursive: true, force: true });
});

test("PGlite: migrations, tagged-template queries and transactions", { timeout: 120_000 }, async () => {
  await startInfra({ appRoot: app.root, model: app.model });
  assert.ok(existsSync(join(app.root, ".reprise", "db", "shop")), "one data directory per database under .reprise/db");
  const db = new SQLDatabase("shop", { migrations: "./migrations" });
  await querySuite(db);
  assert.match(db.connectionString, /^pglite:\/\//);
  assert.equal(SQLDatabase.named("shop").name, "shop");
});

test("PGlite: data persists across a restart and migrations are not applied twice", { timeout: 60_000 }, async () => {
  await stopInfra();
  await startInfra({ appRoot: app.root, model: app.model });
  const db = SQLDatabase.named("shop");
  assert.equal((await db.queryRow`SELECT qty FROM items WHERE name = ${"pear"}`).qty, 42, "committed write survived");
  assert.equal((await db.queryRow`SELECT count(*)::int AS n FROM reprise_migrations`).n, 2);
  assert.equal((await db.queryRow`SELECT count(*)::int AS n FROM items WHERE name = 'apple'`).n, 1, "seed ran once");
});

test("PGlite: a failing migration stops start-up naming the file, and is rolled back", { timeout: 60_000 }, async () => {
  await stopInfra();
  writeFileSync(join(app.mig, "3_broken.up.sql"), "CREATE TABLE half_done (id int);\nALTER TABLE items ADD COLUMN price nonexistent_type;\n");
  await assert.rejects(startInfra({ appRoot: app.root, model: app.model }), (e) => {
    assert.equal(e.code, "RP_MIGRATION");
    assert.match(e.message, /database "shop": migration 3_broken\.up\.sql failed: .*nonexistent_type/);
    return true;
  });
  rmSync(join(app.mig, "3_broken.up.sql"));
  await stopInfra();
  await startInfra({ appRoot: app.root, model: app.model });
  const db = SQLDatabase.named("shop");
  assert.equal(await db.queryRow`SELECT to_regclass('half_done') AS t`.then((r) => r.t), null, "the failed migration left nothing behind");
  assert.equal((await db.queryRow`SELECT count(*)::int AS n FROM reprise_migrations`).n, 2);
});

test("bad migration file names are rejected", { timeout: 60_000 }, async () => {
  await stopInfra();
  writeFileSync(join(app.mig, "third.up.sql"), "SELECT 1;");
  await assert.rejects(startInfra({ appRoot: app.root, model: app.model }), (e) => e.code === "RP_MIGRATION_FILES" && /third\.up\.sql/.test(e.message));
  rmSync(join(app.mig, "third.up.sql"));
});
