/**
 * `SQLDatabase` (mirror of `encore.dev/storage/sqldb`): tagged-template queries, raw queries, transactions and
 * connections over PGlite (default) or PostgreSQL (runtime config). The engine opens lazily, once per process
 * and database, and every query waits for the database's migrations.
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import { InfraError } from "../../config/errors.js";
import { ensureProviders, loadRuntimeConfig } from "../../config/infra.js";
import { native } from "../../config/native.js";
import { callerFile, state } from "../../config/registry.js";
import { testHooks } from "../../internal/test-hooks.js";
import { dumpPGlite, openPGlite, openPGliteFromDump, openPostgres, type Driver, type Queryable, type Tx, type Conn } from "./drivers.js";
import { listMigrations, migrate } from "./migrations.js";
import { closeDatabaseSockets, reserveDatabaseSockets, socketUrl } from "./socket.js";
import type { MigrationSource } from "../../config/registry.js";
import { build, param, type Primitive } from "./template.js";
import { recordSpan, SpanKind, spanStart, tracedHandle } from "../../internal/tracing.js";

export type { Primitive };
export type Row = Record<string, unknown>;
export type ResultRow = Row;

export interface SQLMigrationsConfig {
  path: string;
  source?: "prisma" | "drizzle" | "drizzle/v1";
}

export interface SQLDatabaseConfig {
  migrations?: string | SQLMigrationsConfig;
}

function wrapQueryError(db: string, e: unknown): Error {
  if (e instanceof InfraError) return e;
  const err = e as Error & { code?: string };
  const out = new InfraError("RP_SQL", `database "${db}": ${err.message}`, { cause: e });
  (out as { pgCode?: string }).pgCode = err.code;
  return out;
}

/** Opens the engine for a database (once per process) without migrating. */
async function openDriver(name: string): Promise<Driver> {
  await ensureProviders();
  const t = native().infraDatabase(name);
  if (t.connectionString) {
    const server = state().config?.sql.server ?? null;
    const explicit = state().config?.sql.databases[name];
    return openPostgres(name, t.connectionString, t.maxConnections, explicit ? null : server);
  }
  // Under `reprise test`, an embedded database is an in-memory copy of the migrated template.
  const dump = await testHooks()?.databaseDump?.(name);
  if (dump) return openPGliteFromDump(dump, name);
  return openPGlite(t.dataDir);
}

/** The data directory of each named database (open in this thread, embedded) as a tar (`reprise test`'s templates). */
export async function dumpDatabases(names: string[]): Promise<Map<string, Blob>> {
  const out = new Map<string, Blob>();
  for (const name of names) {
    const d = state().drivers.get(name) as Promise<Driver> | undefined;
    if (!d) throw new InfraError("RP_SQL", `database "${name}" is not open`);
    out.set(name, await dumpPGlite(await d));
  }
  return out;
}

/** The open engine of a database (opened and migrated on first use), for the admin routes (admin.ts). */
export function adminDriver(name: string): Promise<Driver> {
  return driverFor(name);
}

function driverFor(name: string): Promise<Driver> {
  const s = state();
  let d = s.drivers.get(name) as Promise<Driver> | undefined;
  if (!d) {
    d = (async () => {
      const driver = await openDriver(name);
      const reg = s.databases.get(name);
      const dir = reg?.migrationsDir;
      if (dir) {
        try {
          await migrate(name, driver, listMigrations(name, dir, reg?.migrationsSource ?? "default"));
        } catch (e) {
          await driver.close().catch(() => {});
          throw e;
        }
      }
      return driver;
    })();
    d.catch(() => s.drivers.delete(name));
    s.drivers.set(name, d);
  }
  return d;
}

/**
 * `reprise run`, before the app's modules load: binds a wire-protocol socket for each embedded database the model
 * lists (socket.ts), so `connectionString` is a real URL from the start. Clients wait until start-up opened and
 * migrated the database.
 */
export async function serveEmbeddedDatabases(appRoot: string, configFile: string | null, names: string[]): Promise<void> {
  // The config alone says which databases are embedded; starting the providers here would make the app's
  // subscriptions start as their modules load (before a reload's hand-over).
  const cfg = loadRuntimeConfig(appRoot, configFile);
  const embedded = names.filter((n) => !cfg.sql.server && !cfg.sql.databases[n]?.connectionString);
  await reserveDatabaseSockets(embedded, async (name) => {
    const d = await driverFor(name);
    if (!d.pglite) throw new Error(`database "${name}" is not embedded`);
    return d.pglite;
  });
}

/** Start-up: open `name`, apply the migrations in `dir` (from the app model); errors stop start-up. */
export async function migrateDatabase(name: string, dir: string | null): Promise<void> {
  const s = state();
  const reg = s.databases.get(name);
  s.databases.set(name, { migrationsDir: dir ?? reg?.migrationsDir ?? null, declaredIn: reg?.declaredIn ?? null, migrationsSource: reg?.migrationsSource });
  await driverFor(name);
}

export { preloadPGlite } from "./drivers.js";

/** Closes every database this thread opened (a build that is given up), leaving the providers running. */
export async function closeDatabases(): Promise<void> {
  const s = state();
  const drivers = [...s.drivers.values()] as Promise<Driver>[];
  s.drivers.clear();
  await closeDatabaseSockets();
  await Promise.allSettled(drivers.map(async (d) => (await d).close()));
}

abstract class BaseQueryable {
  protected abstract target(): Promise<Queryable>;
  protected abstract readonly dbName: string;

  private async run(text: string, params: unknown[]): Promise<Row[]> {
    const t = await this.target();
    // In a traced request each query is a span (statement, duration, rows); untraced ones pay this one check.
    const handle = tracedHandle();
    const t0 = handle ? spanStart() : 0;
    try {
      const r = await t.query(text, params);
      if (handle) recordSpan(handle, SpanKind.Db, this.dbName, text, "", r.rowCount ?? r.rows.length, t0);
      return r.rows;
    } catch (e) {
      if (handle) recordSpan(handle, SpanKind.Db, this.dbName, text, "", 0, t0, e);
      throw wrapQueryError(this.dbName, e);
    }
  }

  async *query<T extends Row = Row>(strings: TemplateStringsArray, ...values: Primitive[]): AsyncGenerator<T> {
    const { text, params } = build(strings, values);
    for (const r of await this.run(text, params)) yield r as T;
  }

  async queryRow<T extends Row = Row>(strings: TemplateStringsArray, ...values: Primitive[]): Promise<T | null> {
    const { text, params } = build(strings, values);
    return ((await this.run(text, params))[0] as T | undefined) ?? null;
  }

  async queryAll<T extends Row = Row>(strings: TemplateStringsArray, ...values: Primitive[]): Promise<T[]> {
    const { text, params } = build(strings, values);
    return (await this.run(text, params)) as T[];
  }

  async exec(strings: TemplateStringsArray, ...values: Primitive[]): Promise<void> {
    const { text, params } = build(strings, values);
    await this.run(text, params);
  }

  async *rawQuery<T extends Row = Row>(query: string, ...params: Primitive[]): AsyncGenerator<T> {
    for (const r of await this.run(query, params.map(param))) yield r as T;
  }

  async rawQueryRow<T extends Row = Row>(query: string, ...params: Primitive[]): Promise<T | null> {
    return ((await this.run(query, params.map(param)))[0] as T | undefined) ?? null;
  }

  async rawQueryAll<T extends Row = Row>(query: string, ...params: Primitive[]): Promise<T[]> {
    return (await this.run(query, params.map(param))) as T[];
  }

  async rawExec(query: string, ...params: Primitive[]): Promise<void> {
    await this.run(query, params.map(param));
  }
}

export class Transaction extends BaseQueryable {
  private done = false;
  constructor(
    protected readonly dbName: string,
    private readonly tx: Tx,
  ) {
    super();
  }
  protected async target(): Promise<Queryable> {
    if (this.done) throw new InfraError("RP_SQL", `database "${this.dbName}": the transaction is already committed or rolled back`);
    return this.tx;
  }
  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.tx.commit();
  }
  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.tx.rollback();
  }
  /** `await using tx = await db.begin()` rolls back unless committed. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.rollback();
  }
}

export class Connection extends BaseQueryable {
  private closed = false;
  constructor(
    protected readonly dbName: string,
    private readonly conn: Conn,
  ) {
    super();
  }
  protected async target(): Promise<Queryable> {
    if (this.closed) throw new InfraError("RP_SQL", `database "${this.dbName}": the connection is closed`);
    return this.conn;
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.release();
  }
}

export class SQLDatabase extends BaseQueryable {
  protected readonly dbName: string;

  constructor(name: string, config: SQLDatabaseConfig = {}) {
    super();
    if (typeof name !== "string" || !name) throw new TypeError("SQLDatabase: name must be a non-empty string");
    this.dbName = name;
    const s = state();
    const declaredIn = callerFile();
    const m = config.migrations;
    const rel = typeof m === "string" ? m : m?.path;
    const source = m && typeof m === "object" && m.source ? m.source : "default";
    if (!["default", "prisma", "drizzle", "drizzle/v1"].includes(source)) {
      throw new InfraError("RP_MIGRATION_FILES", `database "${name}": unknown migration source "${source}"; use "prisma", "drizzle" or "drizzle/v1", or leave it out for N_name.up.sql files`);
    }
    // The app model's migrations folder (set at start-up) wins; else resolve against the declaring file.
    const prev = s.databases.get(name);
    let dir: string | null = prev?.migrationsDir ?? null;
    if (!dir && rel) dir = isAbsolute(rel) ? rel : resolve(declaredIn ? dirname(declaredIn) : (s.appRoot ?? process.cwd()), rel);
    s.databases.set(name, { migrationsDir: dir, declaredIn, migrationsSource: source as MigrationSource });
  }

  /** A database declared elsewhere in the app. */
  static named<Name extends string>(name: Name): SQLDatabase {
    const db = Object.create(SQLDatabase.prototype) as SQLDatabase;
    Object.defineProperty(db, "dbName", { value: name });
    return db;
  }

  get name(): string {
    return this.dbName;
  }

  protected target(): Promise<Queryable> {
    return driverFor(this.dbName);
  }

  /**
   * For ORMs and drivers: the PostgreSQL URL. Under `reprise run` an embedded (PGlite) database is served on a
   * loopback wire-protocol socket (socket.ts), so this is a `postgresql://127.0.0.1:<port>/<name>` URL too;
   * outside it (a script without `reprise run`) an embedded database reports `pglite://<data dir>`.
   */
  get connectionString(): string {
    const served = socketUrl(this.dbName);
    if (served) return served;
    const t = state().started ? native().infraDatabase(this.dbName) : null;
    return t?.connectionString ?? `pglite://${t?.dataDir ?? join(state().appRoot ?? process.cwd(), ".reprise", "db", this.dbName)}`;
  }

  async begin(): Promise<Transaction> {
    const d = await driverFor(this.dbName);
    try {
      return new Transaction(this.dbName, await d.begin());
    } catch (e) {
      throw wrapQueryError(this.dbName, e);
    }
  }

  async acquire(): Promise<Connection> {
    const d = await driverFor(this.dbName);
    return new Connection(this.dbName, await d.acquire());
  }
}
