// Migration folders written by ORMs, read as Encore reads them (`migrations: { path, source }`): drizzle-kit's
// N_name.sql files, drizzle-kit v1's and Prisma's N_name/migration.sql folders. Applied in number order, once,
// each in a transaction, on the embedded engine; a badly named entry is an error naming it.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startInfra, stopInfra } from "reprise/config";
import { SQLDatabase } from "reprise/storage/sqldb";

const root = mkdtempSync(join(tmpdir(), "reprise-orm-mig-"));
after(async () => {
  await stopInfra();
  rmSync(root, { recursive: true, force: true });
});

function write(rel, text) {
  const p = join(root, rel);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, text);
}

// drizzle-kit: statements separated by its breakpoint comments, a meta/ folder beside them.
write("drizzle/0000_init.sql", 'CREATE TABLE "users" ("id" serial PRIMARY KEY, "name" text NOT NULL);\n--> statement-breakpoint\nINSERT INTO users (name) VALUES (\'ann\');\n');
write("drizzle/0001_email.sql", 'ALTER TABLE "users" ADD COLUMN "email" text;\n');
write("drizzle/meta/_journal.json", '{"entries":[]}');
write("drizzle/meta/0000_snapshot.json", "{}");
// Prisma: timestamped folders (numbers far apart) and its lock file.
write("prisma/20240101000000_init/migration.sql", "CREATE TABLE posts (id int PRIMARY KEY, title text);\n");
write("prisma/20240315120000_add_body/migration.sql", "ALTER TABLE posts ADD COLUMN body text;\nINSERT INTO posts VALUES (1, 't', 'b');\n");
write("prisma/migration_lock.toml", 'provider = "postgresql"\n');
// drizzle-kit v1: folders with migration.sql + snapshot.json, and meta/.
write("drizzle-v1/0000_start/migration.sql", "CREATE TABLE things (id int);\n");
write("drizzle-v1/0000_start/snapshot.json", "{}");
write("drizzle-v1/0001_more/migration.sql", "INSERT INTO things VALUES (7);\n");
write("drizzle-v1/meta/migration.sql", "THIS IS NOT SQL AND MUST NOT RUN;\n");

const model = {
  app: {
    services: [{ name: "svc", dir: "", publishes: [] }],
    databases: [
      { name: "dz", service: "svc", migrations: { dir: "drizzle", files: [] } },
      { name: "pr", service: "svc", migrations: { dir: "prisma", files: [] } },
      { name: "dv1", service: "svc", migrations: { dir: "drizzle-v1", files: [] } },
    ],
    topics: [],
    cronJobs: [],
    buckets: [],
    secrets: [],
  },
};

test("drizzle, prisma and drizzle/v1 migration folders are applied in order, once", { timeout: 120_000 }, async () => {
  const dz = new SQLDatabase("dz", { migrations: { path: join(root, "drizzle"), source: "drizzle" } });
  const pr = new SQLDatabase("pr", { migrations: { path: join(root, "prisma"), source: "prisma" } });
  const dv1 = new SQLDatabase("dv1", { migrations: { path: join(root, "drizzle-v1"), source: "drizzle/v1" } });
  await startInfra({ appRoot: root, model });
  assert.deepEqual(await dz.queryRow`SELECT name, email FROM users`, { name: "ann", email: null });
  assert.deepEqual(await pr.queryRow`SELECT title, body FROM posts`, { title: "t", body: "b" });
  assert.equal((await dv1.queryRow`SELECT id FROM things`).id, 7);
  const applied = await pr.queryAll`SELECT number::text, name FROM reprise_migrations ORDER BY number`;
  assert.deepEqual(applied, [{ number: "20240101000000", name: "init" }, { number: "20240315120000", name: "add_body" }]);
  // A restart applies nothing twice (the inserts would duplicate rows).
  await stopInfra();
  await startInfra({ appRoot: root, model });
  assert.equal((await dv1.queryRow`SELECT count(*)::int AS n FROM things`).n, 1);
  assert.equal((await SQLDatabase.named("dz").queryRow`SELECT count(*)::int AS n FROM users`).n, 1);
});

test("a misnamed entry in an ORM migration folder stops start-up naming it", { timeout: 60_000 }, async () => {
  await stopInfra();
  const { listMigrations } = await import("../../runtime/sdk/dist/src/storage/sqldb/migrations.js");
  write("bad-drizzle/first.sql", "SELECT 1;\n");
  assert.throws(() => listMigrations("x", join(root, "bad-drizzle"), "drizzle"), /RP_MIGRATION_FILES: database "x": invalid migration file name first\.sql \(expected N_name\.sql/);
  write("bad-prisma/init/migration.sql", "SELECT 1;\n");
  assert.throws(() => listMigrations("x", join(root, "bad-prisma"), "prisma"), /invalid migration folder name init \(expected N_name\/migration\.sql, as prisma writes them\)/);
  assert.throws(() => new SQLDatabase("y", { migrations: { path: "m", source: "flyway" } }), /unknown migration source "flyway"/);
});
