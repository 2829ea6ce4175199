/**
 * Fixture apps checked end to end (analyser → migrations in PGlite → describe): `seeded` holds one SQL mistake of
 * each kind (its snapshot lists every diagnostic with its exact range), `clean` uses CTEs, functions, casts,
 * RETURNING, JSON operators, arrays, a contrib extension, transactions and SQLDatabase.named, and must produce no
 * error. `UPDATE_SNAPSHOTS=1` rewrites the snapshots.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SqlChecker } from "../src/index.js";
import { checkFolder, FIXTURES_DIR, SNAPSHOTS_DIR, sorted } from "./support.js";

const checker = new SqlChecker();
after(() => checker.close());

test("seeded mistakes: every diagnostic, with exact ranges, matches the snapshot", async () => {
  const r = await checkFolder(checker, join(FIXTURES_DIR, "seeded"));
  const actual = sorted(r.all).join("\n") + "\n";
  const file = join(SNAPSHOTS_DIR, "seeded.txt");
  if (process.env.UPDATE_SNAPSHOTS === "1" || !existsSync(file)) writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, "utf8"), "snapshot differs; rerun with UPDATE_SNAPSHOTS=1 and review the diff");
  // The ignored statement and the queries of databases whose migrations failed are not reported.
  assert.ok(!actual.includes("THIS IS NOT SQL"));
  assert.ok(!r.all.some((d) => d.file === "billing/api.ts" && d.message.includes("'billing'")));
});

test("clean fixture: no error and no warning", async () => {
  const r = await checkFolder(checker, join(FIXTURES_DIR, "clean"));
  const bad = r.all.filter((d) => d.severity === "error" || d.severity === "warning");
  assert.deepEqual(sorted(bad), []);
  // The only SQL note: the database that needs pgvector is skipped, with one hint saying why.
  assert.deepEqual(r.all.filter((d) => d.code.startsWith("RP41")).map((d) => `${d.code} ${d.file}`), ["RP4106 billing/migrations/1_vec.up.sql"]);
  // Described: result columns with types and nullability, parameters with inferred types.
  const get = [...r.sql.described.entries()].find(([k]) => k.startsWith("users/api.ts:6:"));
  assert.ok(get, "the first query of users/api.ts is described");
  assert.deepEqual(get[1].params, ["bigint"]);
  assert.deepEqual(get[1].columns.map((c) => `${c.name}:${c.type}:${c.nullable}`), ["id:bigint:false", "email:text:false", "plan:text:true", "created_at:timestamp with time zone:false"]);
});
