/**
 * The scan for SQL newer than the production Postgres (RP4107): features by version, nothing inside comments,
 * strings or function bodies, virtual generated columns, and where the version comes from in the runtime config.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { newerThan, productionPostgresVersion } from "../src/versions.js";

const found = (v: number, text: string) => newerThan(v, text).map((u) => `${u.feature.since} ${text.slice(u.at, u.at + u.length)}`);

test("each feature is reported from the version before it, not from its own", () => {
  const sql = "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE; SELECT any_value(x), JSON_TABLE(j, '$' COLUMNS (a int)), uuidv7() FROM t";
  assert.deepEqual(found(14, sql), ["15 MERGE", "17 BY SOURCE", "16 any_value", "17 JSON_TABLE", "18 uuidv7"]);
  assert.deepEqual(found(16, sql), ["17 BY SOURCE", "17 JSON_TABLE", "18 uuidv7"]);
  assert.deepEqual(found(17, sql), ["18 uuidv7"]);
  assert.deepEqual(found(18, sql), []);
});

test("comments, strings, quoted names and dollar-quoted bodies are not scanned", () => {
  const sql = "-- MERGE INTO x\n/* uuidv7() */ SELECT 'JSON_TABLE(', \"any_value(\" FROM t; CREATE FUNCTION f() RETURNS uuid AS $$ SELECT uuidv7() $$ LANGUAGE sql;";
  assert.deepEqual(found(14, sql), []);
});

test("a generated column without STORED is virtual (18); with STORED it is fine", () => {
  assert.deepEqual(found(17, "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * (a + 1)), c int GENERATED ALWAYS AS (a + 1) STORED);"), ["18 GENERATED"]);
  assert.deepEqual(found(17, "UPDATE t SET a = 1 RETURNING old.a, new.a"), ["18 old"]);
  assert.deepEqual(found(17, "UPDATE t SET a = 1 RETURNING a"), []);
});

test("the production environment's sql.postgresVersion wins over the top level; anything else is no version", () => {
  assert.equal(productionPostgresVersion('{ "sql": { "postgresVersion": 14 }, "environments": { "production": { "sql": { "postgresVersion": 16 } } } }'), 16);
  assert.equal(productionPostgresVersion('{ "sql": { "postgresVersion": 14 } }'), 14);
  assert.equal(productionPostgresVersion('{ "sql": { "server": "postgres://x/y" } }'), null);
  assert.equal(productionPostgresVersion("{ not json"), null);
  assert.equal(productionPostgresVersion('{ "sql": { "postgresVersion": "15" } }'), null);
  assert.equal(productionPostgresVersion(undefined), null);
});
