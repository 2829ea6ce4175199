/**
 * Applies a database's migrations in number order, each once, each in its own transaction, and records them in
 * `reprise_migrations`. The folder is read as Encore reads it for each `source`:
 * - default: `N_name.up.sql` files (`.down.sql` ignored);
 * - `drizzle`: drizzle-kit's `N_name.sql` files (its `meta/` folder is ignored);
 * - `prisma`: `N_name/migration.sql` folders (Prisma's timestamps are the numbers; `migration_lock.toml` ignored);
 * - `drizzle/v1`: `N_name/migration.sql` folders beside `meta/`.
 * Other files are ignored; a `.sql` file or a folder named otherwise is an error naming it. An advisory lock serialises replicas that
 * start at the same time against one server. A failing migration stops start-up with its file and the error.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { InfraError } from "../../config/errors.js";
import type { MigrationSource } from "../../config/registry.js";
import type { Driver } from "./drivers.js";

export interface MigrationFile {
  number: number;
  name: string;
  file: string;
  path: string;
}

const NAME = /^(\d+)_([^.]+)\.(up|down)\.sql$/;
/** Arbitrary constant key for pg_advisory_xact_lock ("REPRISE" in ASCII, truncated). */
const LOCK_KEY = 5_2455_0537;

const FILE_NAME: Record<"default" | "drizzle", RegExp> = { default: NAME, drizzle: /^(\d+)_([^.]+)\.sql$/ };
const DIR_NAME = /^(\d+)_(.+)$/;

export function listMigrations(db: string, dir: string, source: MigrationSource = "default"): MigrationFile[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    entries = readdirSync(dir);
  } catch (e) {
    throw new InfraError("RP_MIGRATION_FILES", `database "${db}": cannot read migrations folder ${dir}: ${(e as Error).message}`);
  }
  const out: MigrationFile[] = [];
  const seen = new Map<number, string>();
  const add = (number: number, name: string, file: string) => {
    const prev = seen.get(number);
    if (prev) throw new InfraError("RP_MIGRATION_FILES", `database "${db}": migrations ${prev} and ${file} have the same number ${number}`);
    seen.set(number, file);
    out.push({ number, name, file, path: join(dir, file) });
  };
  for (const entry of entries.sort()) {
    const isDir = statSync(join(dir, entry)).isDirectory();
    if (source === "default" || source === "drizzle") {
      if (isDir || !entry.endsWith(".sql")) continue;
      const m = FILE_NAME[source].exec(entry);
      if (!m) {
        const want = source === "default" ? "N_name.up.sql" : "N_name.sql (drizzle-kit's naming)";
        throw new InfraError("RP_MIGRATION_FILES", `database "${db}": invalid migration file name ${entry} (expected ${want})`);
      }
      if (source === "default" && m[3] === "down") continue;
      add(Number(m[1]), m[2]!, entry);
    } else {
      if (!isDir || (source === "drizzle/v1" && entry === "meta")) continue;
      if (!existsSync(join(dir, entry, "migration.sql"))) continue;
      const m = DIR_NAME.exec(entry);
      if (!m) throw new InfraError("RP_MIGRATION_FILES", `database "${db}": invalid migration folder name ${entry} (expected N_name/migration.sql, as ${source} writes them)`);
      add(Number(m[1]), m[2]!, `${entry}/migration.sql`);
    }
  }
  return out.sort((a, b) => a.number - b.number);
}

/** The last failed migration of each database in this thread (cleared when it later applies): the admin routes' `failed` state. */
export const migrationFailures = new Map<string, { number: number; file: string; error: string }>();

/** Returns the files applied by this call (already-applied ones are skipped). */
export async function migrate(db: string, driver: Driver, files: MigrationFile[]): Promise<MigrationFile[]> {
  const applied: MigrationFile[] = [];
  await inTx(driver, async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    await tx.script(
      "CREATE TABLE IF NOT EXISTS reprise_migrations (number bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    );
  });
  for (const f of files) {
    const sql = readFileSync(f.path, "utf8");
    try {
      await inTx(driver, async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
        const done = await tx.query("SELECT 1 FROM reprise_migrations WHERE number = $1", [f.number]);
        if (done.rows.length) return;
        await tx.script(sql);
        await tx.query("INSERT INTO reprise_migrations (number, name) VALUES ($1, $2)", [f.number, f.name]);
        applied.push(f);
      });
      if (migrationFailures.get(db)?.number === f.number) migrationFailures.delete(db);
    } catch (e) {
      migrationFailures.set(db, { number: f.number, file: f.file, error: (e as Error).message });
      throw new InfraError("RP_MIGRATION", `database "${db}": migration ${f.file} failed: ${(e as Error).message}`, { cause: e });
    }
  }
  return applied;
}

async function inTx(driver: Driver, fn: (tx: Awaited<ReturnType<Driver["begin"]>>) => Promise<void>): Promise<void> {
  const tx = await driver.begin();
  try {
    await fn(tx);
  } catch (e) {
    await tx.rollback().catch(() => {});
    throw e;
  }
  await tx.commit();
}
