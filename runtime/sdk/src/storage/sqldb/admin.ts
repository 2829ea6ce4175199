/**
 * The database half of the admin routes (docs/admin-api.md; routed by config/admin.ts): schema, rows of a table,
 * one SQL statement, migration status and apply. Everything reads through a transaction on the app's own driver
 * (PGlite or pg), so it sees what the app sees.
 *
 * Safety: names from the request (schema, table, columns) are used only after they were found in the catalogue,
 * and always as quoted identifiers; values are bound parameters. A read-only statement runs in a transaction set
 * `READ ONLY` and rolled back, through the extended protocol (one statement only), so it cannot commit anything.
 */
import {
  QUERY_MAX_BYTES,
  QUERY_MAX_ROWS,
  QUERY_TIMEOUT_MS,
  ROW_COUNT_CAP,
  ROWS_DEFAULT_LIMIT,
  ROWS_MAX_LIMIT,
  ADMIN_ROW_FILTER_OPS,
  type AdminDbSchema,
  type AdminDbTable,
  type AdminMigration,
  type AdminMigrationApply,
  type AdminMigrationStatus,
  type AdminQueryRequest,
  type AdminQueryResult,
  type AdminResultColumn,
  type AdminRowFilterOp,
  type AdminRows,
} from "@reprise/protocol";
import { state } from "../../config/registry.js";
import { adminDriver } from "./database.js";
import type { ArrayResult, Driver, Tx } from "./drivers.js";
import { listMigrations, migrate, migrationFailures, type MigrationFile } from "./migrations.js";

/** A refusal with an HTTP status and an Encore error code; config/admin.ts turns it into the answer. */
export class AdminFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
  }
}

export function quoteIdent(name: string): string {
  if (name.includes("\0")) throw new AdminFailure(400, "invalid_argument", "a name may not contain a NUL character");
  return `"${name.replace(/"/g, '""')}"`;
}

/** A Postgres error as the answer: 400 with SQLSTATE and position. */
function sqlFailure(e: unknown): AdminFailure {
  if (e instanceof AdminFailure) return e;
  const err = e as { message?: string; code?: string; position?: string | number };
  const position = err.position == null ? null : Number(err.position);
  return new AdminFailure(400, "invalid_argument", err.message ?? String(e), {
    sqlState: typeof err.code === "string" ? err.code : null,
    position: Number.isFinite(position) ? position : null,
  });
}

/** Runs `fn` in a transaction that is rolled back unless `commit`; read-only unless `write`. */
async function inTransaction<T>(driver: Driver, opts: { write: boolean; commit: boolean }, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const tx = await driver.begin();
  let result: T;
  try {
    if (!opts.write) await tx.query("SET TRANSACTION READ ONLY", []);
    if (driver.kind === "postgres") await tx.query(`SET LOCAL statement_timeout = ${QUERY_TIMEOUT_MS}`, []);
    result = await fn(tx);
  } catch (e) {
    await tx.rollback().catch(() => {});
    throw e;
  }
  if (opts.commit) await tx.commit();
  else await tx.rollback();
  return result;
}

async function knownDriver(db: string): Promise<Driver> {
  const model = state().model;
  if (!model?.app.databases.some((d) => d.name === db)) {
    const known = model?.app.databases.map((d) => d.name).join(", ") || "none";
    throw new AdminFailure(404, "not_found", `no database named ${JSON.stringify(db)} (defined: ${known})`);
  }
  return adminDriver(db);
}

/** JSON form of a value a driver returned: bigints as strings, dates as ISO strings, bytes as `\x` hex. */
export function jsonValue(v: unknown): unknown {
  if (v == null) return null;
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString("hex")}`;
  if (Array.isArray(v)) return v.map(jsonValue);
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}

async function typeNames(tx: Tx, r: ArrayResult): Promise<AdminResultColumn[]> {
  const oids = [...new Set(r.fields.map((f) => f.dataTypeID))];
  const names = new Map<number, string>();
  if (oids.length) {
    const t = await tx.queryArrays("SELECT oid::int4, typname::text FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])", [oids]);
    for (const [oid, name] of t.rows) names.set(Number(oid), String(name));
  }
  return r.fields.map((f) => ({ name: f.name, type: names.get(f.dataTypeID) ?? null }));
}

/** Rows cut to the caps; which cap cut them. */
function capRows(rows: unknown[][], maxRows: number, maxBytes: number): { rows: unknown[][]; truncated: "rows" | "bytes" | null } {
  const out: unknown[][] = [];
  let bytes = 0;
  for (const row of rows) {
    if (out.length >= maxRows) return { rows: out, truncated: "rows" };
    const json = row.map(jsonValue);
    bytes += Buffer.byteLength(JSON.stringify(json));
    if (bytes > maxBytes) return { rows: out, truncated: "bytes" };
    out.push(json);
  }
  return { rows: out, truncated: null };
}

// ---- schema ------------------------------------------------------------------------------------------------

const USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

export async function schema(db: string): Promise<AdminDbSchema> {
  const driver = await knownDriver(db);
  return inTransaction(driver, { write: false, commit: false }, async (tx) => {
    const rels = await tx.queryArrays(
      `SELECT c.oid::int8::text, n.nspname::text, c.relname::text, c.relkind::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm') AND ${USER_SCHEMAS} ORDER BY n.nspname, c.relname`,
      [],
    );
    const cols = await tx.queryArrays(
      `SELECT a.attrelid::int8::text, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid),
              EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY(i.indkey))
       FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE c.relkind IN ('r', 'p', 'v', 'm') AND ${USER_SCHEMAS} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum`,
      [],
    );
    const idx = await tx.queryArrays(
      `SELECT i.indrelid::int8::text, ic.relname::text, i.indisunique, i.indisprimary, pg_catalog.pg_get_indexdef(i.indexrelid),
              ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k)
       FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS} ORDER BY i.indrelid, ic.relname`,
      [],
    );
    const tables = new Map<string, AdminDbTable>();
    for (const [oid, nsp, name, kind] of rels.rows) {
      tables.set(String(oid), {
        schema: String(nsp),
        name: String(name),
        kind: kind === "v" ? "view" : kind === "m" ? "materialized view" : "table",
        columns: [],
        indexes: [],
        rowCount: 0,
        rowCountExact: true,
      });
    }
    for (const [oid, name, type, nullable, def, pk] of cols.rows) {
      tables.get(String(oid))?.columns.push({ name: String(name), type: String(type), nullable: Boolean(nullable), default: def == null ? null : String(def), primaryKey: Boolean(pk) });
    }
    for (const [oid, name, unique, primary, definition, columns] of idx.rows) {
      tables.get(String(oid))?.indexes.push({ name: String(name), unique: Boolean(unique), primary: Boolean(primary), definition: String(definition), columns: (columns as unknown[]).map(String) });
    }
    for (const t of tables.values()) {
      if (t.kind === "view") continue;
      const r = await tx.queryArrays(`SELECT count(*)::int4 FROM (SELECT 1 FROM ${quoteIdent(t.schema)}.${quoteIdent(t.name)} LIMIT ${ROW_COUNT_CAP + 1}) AS x`, []);
      const n = Number(r.rows[0]?.[0] ?? 0);
      t.rowCount = Math.min(n, ROW_COUNT_CAP);
      t.rowCountExact = n <= ROW_COUNT_CAP;
    }
    return { database: db, tables: [...tables.values()] };
  }).catch((e: unknown) => {
    throw sqlFailure(e);
  });
}

// ---- rows --------------------------------------------------------------------------------------------------

function intParam(q: URLSearchParams, name: string, dflt: number, max: number): number {
  const raw = q.get(name);
  if (raw == null || raw === "") return dflt;
  if (!/^\d{1,9}$/.test(raw)) throw new AdminFailure(400, "invalid_argument", `${name} must be a whole number (got ${JSON.stringify(raw.slice(0, 40))})`);
  const n = Number(raw);
  if (n > max) throw new AdminFailure(400, "invalid_argument", `${name} may be at most ${max} (got ${n})`);
  return n;
}

const OPS: Record<Exclude<AdminRowFilterOp, "isnull" | "notnull" | "like" | "ilike">, string> = { eq: "=", ne: "<>", lt: "<", le: "<=", gt: ">", ge: ">=" };

export async function rows(db: string, table: string, q: URLSearchParams): Promise<AdminRows> {
  const driver = await knownDriver(db);
  const schemaName = q.get("schema") || "public";
  const limit = intParam(q, "limit", ROWS_DEFAULT_LIMIT, ROWS_MAX_LIMIT);
  const offset = intParam(q, "offset", 0, 1_000_000_000);
  if (limit === 0) throw new AdminFailure(400, "invalid_argument", "limit must be at least 1");
  return inTransaction(driver, { write: false, commit: false }, async (tx) => {
    const found = await tx.queryArrays(
      `SELECT a.attname::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
       WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [schemaName, table],
    );
    if (!found.rows.length) throw new AdminFailure(404, "not_found", `no table ${JSON.stringify(table)} in schema ${JSON.stringify(schemaName)} of database ${JSON.stringify(db)}`);
    const columns = new Set(found.rows.map((r) => String(r[0])));
    const column = (name: string, what: string) => {
      if (!columns.has(name)) throw new AdminFailure(400, "invalid_argument", `${what}: table ${JSON.stringify(table)} has no column ${JSON.stringify(name)}`);
      return quoteIdent(name);
    };
    const where: string[] = [];
    const params: unknown[] = [];
    for (const f of q.getAll("filter")) {
      const first = f.indexOf(":");
      const second = first < 0 ? -1 : f.indexOf(":", first + 1);
      if (second < 0) throw new AdminFailure(400, "invalid_argument", `filter ${JSON.stringify(f.slice(0, 80))} is not <column>:<op>:<value>`);
      const [name, op, value] = [f.slice(0, first), f.slice(first + 1, second), f.slice(second + 1)];
      if (!(ADMIN_ROW_FILTER_OPS as readonly string[]).includes(op)) {
        throw new AdminFailure(400, "invalid_argument", `filter operator ${JSON.stringify(op)} is not one of ${ADMIN_ROW_FILTER_OPS.join(", ")}`);
      }
      const c = column(name, "filter");
      if (op === "isnull") where.push(`${c} IS NULL`);
      else if (op === "notnull") where.push(`${c} IS NOT NULL`);
      else {
        params.push(value);
        if (op === "like" || op === "ilike") where.push(`${c}::text ${op === "like" ? "LIKE" : "ILIKE"} $${params.length}`);
        else where.push(`${c} ${OPS[op as keyof typeof OPS]} $${params.length}`);
      }
    }
    const order = q.get("order");
    const orderBy = order ? ` ORDER BY ${column(order, "order")}${q.get("desc") === "1" ? " DESC" : ""}` : "";
    const sql =
      `SELECT * FROM ${quoteIdent(schemaName)}.${quoteIdent(table)}` +
      (where.length ? ` WHERE ${where.join(" AND ")}` : "") +
      `${orderBy} LIMIT ${limit + 1} OFFSET ${offset}`;
    const r = await tx.queryArrays(sql, params);
    const cols = await typeNames(tx, r);
    const page = capRows(r.rows.slice(0, limit), limit, QUERY_MAX_BYTES);
    return {
      database: db,
      schema: schemaName,
      table,
      columns: cols,
      rows: page.rows,
      offset,
      limit,
      hasMore: r.rows.length > limit || page.truncated !== null,
      caps: { rows: ROWS_MAX_LIMIT, bytes: QUERY_MAX_BYTES },
      truncated: page.truncated === "bytes" ? ("bytes" as const) : null,
    };
  }).catch((e: unknown) => {
    throw sqlFailure(e);
  });
}

// ---- one statement -----------------------------------------------------------------------------------------

export async function query(db: string, body: unknown): Promise<AdminQueryResult> {
  const req = body as Partial<AdminQueryRequest> | null;
  if (!req || typeof req !== "object" || typeof req.sql !== "string" || !req.sql.trim()) {
    throw new AdminFailure(400, "invalid_argument", "the body must be JSON {sql, params?, write?, maxRows?} with a non-empty sql");
  }
  if (req.params != null && !Array.isArray(req.params)) throw new AdminFailure(400, "invalid_argument", "params must be an array");
  if (req.write != null && typeof req.write !== "boolean") throw new AdminFailure(400, "invalid_argument", "write must be true or false");
  const maxRows = req.maxRows == null ? QUERY_MAX_ROWS : req.maxRows;
  if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > QUERY_MAX_ROWS) {
    throw new AdminFailure(400, "invalid_argument", `maxRows must be a whole number from 1 to ${QUERY_MAX_ROWS}`);
  }
  const driver = await knownDriver(db);
  const write = req.write === true;
  const started = performance.now();
  return inTransaction(driver, { write, commit: write }, async (tx) => {
    const r = await tx.queryArrays(req.sql!, req.params ?? []);
    const columns = await typeNames(tx, r);
    const page = capRows(r.rows, maxRows, QUERY_MAX_BYTES);
    return {
      database: db,
      columns,
      rows: page.rows,
      rowCount: r.rowCount,
      truncated: page.truncated,
      caps: { rows: maxRows, bytes: QUERY_MAX_BYTES },
      readOnly: !write,
      durationMs: performance.now() - started,
    };
  }).catch((e: unknown) => {
    throw sqlFailure(e);
  });
}

// ---- migrations --------------------------------------------------------------------------------------------

function migrationFiles(db: string): { dir: string | null; files: MigrationFile[]; modelDir: string | null } {
  const s = state();
  const reg = s.databases.get(db);
  const modelDir = s.model?.app.databases.find((d) => d.name === db)?.migrations.dir ?? null;
  const dir = reg?.migrationsDir ?? null;
  if (!dir) return { dir: null, files: [], modelDir };
  try {
    return { dir, files: listMigrations(db, dir, reg?.migrationsSource ?? "default"), modelDir };
  } catch (e) {
    throw new AdminFailure(400, "failed_precondition", (e as Error).message);
  }
}

export async function migrationStatus(db: string): Promise<AdminMigrationStatus> {
  const driver = await knownDriver(db);
  const { files, modelDir } = migrationFiles(db);
  const applied = new Map<number, { name: string; at: string | null }>();
  await inTransaction(driver, { write: false, commit: false }, async (tx) => {
    const present = await tx.queryArrays("SELECT to_regclass('reprise_migrations') IS NOT NULL", []);
    if (!present.rows[0]?.[0]) return;
    const r = await tx.queryArrays("SELECT number::text, name, applied_at FROM reprise_migrations ORDER BY number", []);
    for (const [n, name, at] of r.rows) applied.set(Number(n), { name: String(name), at: at == null ? null : String(jsonValue(at)) });
  }).catch((e: unknown) => {
    throw sqlFailure(e);
  });
  const failure = migrationFailures.get(db);
  const out: AdminMigration[] = files.map((f) => {
    const a = applied.get(f.number);
    if (a) return { number: f.number, name: f.name, file: f.file, state: "applied", appliedAt: a.at, error: null };
    if (failure?.number === f.number) return { number: f.number, name: f.name, file: f.file, state: "failed", appliedAt: null, error: failure.error };
    return { number: f.number, name: f.name, file: f.file, state: "pending", appliedAt: null, error: null };
  });
  for (const [number, a] of applied) {
    if (!files.some((f) => f.number === number)) out.push({ number, name: a.name, file: null, state: "applied", appliedAt: a.at, error: null });
  }
  out.sort((x, y) => x.number - y.number);
  return { database: db, migrationsDir: modelDir, migrations: out };
}

export async function applyMigrations(db: string): Promise<AdminMigrationApply> {
  const driver = await knownDriver(db);
  const { files } = migrationFiles(db);
  let applied: MigrationFile[];
  try {
    applied = await migrate(db, driver, files);
  } catch (e) {
    throw new AdminFailure(400, "failed_precondition", (e as Error).message, { status: await migrationStatus(db) });
  }
  return { database: db, applied: applied.map((f) => ({ number: f.number, name: f.name, file: f.file })), status: await migrationStatus(db) };
}
