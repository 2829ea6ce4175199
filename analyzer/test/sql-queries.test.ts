/**
 * The SQL queries the analyser extracts for @reprise/sqlcheck (a side structure of the result, not part of the
 * app model): tagged templates and literal raw strings, on direct, imported, named and transaction bindings, in
 * both SDK families, with text, placeholders, row type and exact ranges (snapshot:
 * test/snapshots/sql-queries.json; `UPDATE_SNAPSHOTS=1` rewrites it).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { check, SNAPSHOTS_DIR } from "./support/check.js";

const files = [
  { path: "encore.app", text: '{ "id": "sql" }' },
  { path: "svc/encore.service.ts", text: 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n' },
  { path: "svc/db.ts", text: 'import { SQLDatabase } from "encore.dev/storage/sqldb";\nexport const db = new SQLDatabase("main", { migrations: "./migrations" });\nexport const named = SQLDatabase.named("other");\n' },
  { path: "svc/migrations/1_init.up.sql", text: "" },
  { path: "other/reprise.service.ts", text: 'import { Service } from "reprise/service";\nexport default new Service("other");\n' },
  { path: "other/db.ts", text: 'import { SQLDatabase } from "reprise/storage/sqldb";\nexport const other = new SQLDatabase("other", { migrations: "./migrations" });\nexport async function local() {\n  return other.queryAll<{ id: number }>`SELECT id FROM t`;\n}\n' },
  { path: "other/migrations/1_init.up.sql", text: "" },
  {
    path: "svc/api.ts",
    text: [
      'import { db, named } from "./db";',
      "export async function f(id: number, email: string) {",
      "  const a = await db.queryRow<{ email: string; plan?: string | null; at: Date }>`",
      "    SELECT email, plan FROM users WHERE id = ${id} AND email = ${email}`;",
      "  // reprise-sql-ignore",
      "  await db.exec`DELETE FROM users`;",
      "  const tx = await db.begin();",
      "  await tx.exec`UPDATE users SET plan = ${\"pro\"} WHERE id = ${id}`;",
      '  await named.rawQueryRow<{ n: number }>("SELECT count(*) AS n FROM t WHERE id = $1", id);',
      "  await named.rawExec(`DELETE FROM t`);",
      "  const dynamic = \"SELECT 1\";",
      "  await db.rawQuery(dynamic);",
      "  await db.query`SELECT \\`x\\``;",
      "  return a;",
      "}",
    ].join("\n"),
  },
];

test("SQL queries: text, placeholders, database binding, row type and ranges", () => {
  const r = check(files);
  assert.deepEqual(r.model.diagnostics.filter((d) => d.severity === "error"), []);
  const actual = JSON.stringify(r.sqlQueries, null, 1) + "\n";
  const file = join(SNAPSHOTS_DIR, "sql-queries.json");
  if (process.env.UPDATE_SNAPSHOTS === "1" || !existsSync(file)) writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, "utf8"), "snapshot differs; rerun with UPDATE_SNAPSHOTS=1 and review the diff");
  // Spot checks that do not depend on the snapshot.
  const byText = new Map(r.sqlQueries.map((q) => [q.text.trim(), q]));
  assert.equal(byText.get("SELECT email, plan FROM users WHERE id = $1 AND email = $2")?.database, "main");
  assert.equal(byText.get("DELETE FROM users")?.ignored, true);
  assert.equal(byText.get("UPDATE users SET plan = $1 WHERE id = $2")?.database, "main");
  assert.equal(byText.get("SELECT count(*) AS n FROM t WHERE id = $1")?.database, "other");
  assert.equal(byText.get("DELETE FROM t")?.method, "rawExec");
  assert.equal(byText.get("SELECT id FROM t")?.database, "other");
  assert.equal(byText.has("SELECT 1"), false, "a non-literal raw query is not extracted");
  const first = byText.get("SELECT email, plan FROM users WHERE id = $1 AND email = $2")!;
  assert.deepEqual(first.rowType?.fields?.map((f) => `${f.name}${f.optional ? "?" : ""}:${f.families.join("|")}`), ["email:string", "plan?:string|null", "at:date"]);
  assert.deepEqual(first.params[0], { start: { line: 3, character: 47 }, end: { line: 3, character: 49 } });
});
