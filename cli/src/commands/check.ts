/** `reprise check [appRoot] [--json]`: analyse an app; exit 0 = no errors, 1 = error diagnostics, 2 = usage/IO. */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, relative } from "node:path";
import { DIAGNOSTICS, SQL_DIAGNOSTICS, type SqlQuery } from "@reprise/analyzer";
import type { AppModel } from "@reprise/protocol";
import { LIMIT_FLAGS, limitOptions, loadApp, parseArgs, UsageError } from "../render/app.js";
import { renderDiagnostic, summary, useColor } from "../render/diagnostics.js";

const HELP = `Usage: reprise check [appRoot] [--json] [--no-sql] [--verbose] [--max-nesting-depth N] [--max-file-size BYTES]

Analyses the app whose root (the folder with encore.app or reprise.app) contains appRoot (default: the current
directory) and prints its diagnostics. --json prints the app model (version 1) with all diagnostics instead.
--max-nesting-depth (default 500, at most 1000) and --max-file-size (default 2mb) set the limits above which
a file is not parsed (reported as ${DIAGNOSTICS.FileTooDeep.code} / ${DIAGNOSTICS.FileTooLarge.code}).
SQL: each database's migrations are applied in order in an in-memory Postgres (PGlite, Postgres 18) and each query in
db.query/queryRow/queryAll/exec templates (and literal rawQuery*/rawExec strings) is described, never executed, against
them (RP41xx). All databases share one embedded Postgres. Results are kept in <app>/.reprise/cache/sql, by the hash of
each database's migrations: a check whose migrations and queries did not change starts no Postgres. A migration step that runs longer than 60 s
(pg_sleep, an endless loop) is stopped and reported (${SQL_DIAGNOSTICS.MigrationFailed.code}). When the runtime config names the production server's
version (sql.postgresVersion), SQL added after that version is reported (${SQL_DIAGNOSTICS.NewerThanProduction.code}). --no-sql skips
all of this.
--verbose prints, under each diagnostic, the path of its code's docs page (docs/diagnostics/RPxxxx.md).
Exit code: 0 no errors, 1 error diagnostics, 2 usage or IO failure.`;

export async function run(args: string[]): Promise<number> {
  try {
    const { positionals, options } = parseArgs(args, LIMIT_FLAGS, ["json", "help", "no-sql", "verbose"]);
    if (options.has("help")) {
      console.log(HELP);
      return 0;
    }
    const app = loadApp(positionals[0], limitOptions(options));
    const model = app.result.model;
    if (!options.has("no-sql")) await addSqlDiagnostics(app.root, app.files, app.result.sqlQueries, model);
    const hasErrors = model.diagnostics.some((d) => d.severity === "error");
    if (options.has("json")) {
      process.stdout.write(JSON.stringify(model, null, 2) + "\n");
      return hasErrors ? 1 : 0;
    }
    const color = useColor(process.stdout);
    const text = new Map(app.files.map((f) => [f.path, f.text]));
    const cwd = process.cwd();
    const display = (file: string) => {
      const rel = relative(cwd, join(app.root, file));
      return rel.startsWith("..") ? join(app.root, file) : rel;
    };
    const out: string[] = [];
    const verbose = options.has("verbose");
    for (const d of model.diagnostics) {
      out.push(renderDiagnostic(d, { color, source: (f) => text.get(f), displayPath: display }));
      const page = verbose ? docsPage(d.code) : null;
      if (page) out.push(`docs: ${page}`);
      out.push("");
    }
    const svc = model.app.services.length;
    const eps = model.app.services.reduce((n, s) => n + s.endpoints.length, 0);
    out.push(`${summary(model.diagnostics, color)} (${svc} service${svc === 1 ? "" : "s"}, ${eps} endpoint${eps === 1 ? "" : "s"}, app '${model.app.id}')`);
    process.stdout.write(out.join("\n") + "\n");
    return hasErrors ? 1 : 0;
  } catch (err) {
    return fail(err);
  }
}

/** The docs page of a code (the repository's docs/diagnostics/RPxxxx.md), when this CLI runs from the repository. */
function docsPage(code: string): string | null {
  const page = fileURLToPath(new URL(`../../../../docs/diagnostics/${code}.md`, import.meta.url));
  return /^RP\d{4}$/.test(code) && existsSync(page) ? page : null;
}

/** Runs @reprise/sqlcheck (loaded only when the app has SQL) and merges its diagnostics into the model's. */
async function addSqlDiagnostics(root: string, files: { path: string; text: string }[], queries: SqlQuery[], model: AppModel): Promise<void> {
  if (!model.app.databases.some((d) => d.migrations.files.length > 0)) return;
  const { RemoteSqlChecker, sqlInputsOf } = await import("@reprise/sqlcheck");
  const text = new Map(files.map((f) => [f.path, f.text]));
  const read = (p: string) => {
    // The loader hands the analyser only the names of non-source files: read migrations from disk.
    const t = text.get(p);
    if (t) return t;
    try {
      return readFileSync(join(root, p), "utf8");
    } catch {
      return undefined;
    }
  };
  // In a worker thread, so a migration that never ends is stopped (after 60 s) instead of hanging the check.
  const checker = new RemoteSqlChecker({ cacheDir: join(root, ".reprise", "cache", "sql") });
  try {
    const r = await checker.check(sqlInputsOf(model, read), queries);
    model.diagnostics = [...model.diagnostics, ...r.diagnostics].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character));
  } finally {
    await checker.close();
  }
}

export function fail(err: unknown): number {
  if (err instanceof UsageError) console.error(`reprise: ${err.message}`);
  else console.error(`reprise: ${(err as NodeJS.ErrnoException)?.code === "EACCES" ? "permission denied: " : ""}${(err as Error)?.message ?? err}`);
  return 2;
}
