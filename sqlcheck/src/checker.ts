/**
 * SqlChecker: the state of the SQL checks for one app. All its databases share one in-memory PGlite (one instance
 * costs about a second to start and 400-500 MB of memory): the instance holds one database at a time, its
 * migrations applied inside an open transaction with a savepoint before each migration. Switching database rolls
 * the transaction back and applies the other's migrations; a migration edit rolls back to that migration's savepoint
 * and re-applies only from there. A database whose migrations control transactions themselves or cannot run inside
 * one gets an instance of its own (as before). Per (database, statement text) the describe result is kept, so a
 * re-check re-describes only statements whose text changed, and a database whose migrations and statements are all
 * known is not touched at all. Queries are only prepared and described, never executed; migrations are executed,
 * but only in the throwaway in-memory instance, and rolled back.
 */
import { createHash } from "node:crypto";
import type { Extension, PGlite } from "@electric-sql/pglite";
import type { Diagnostic, Range } from "@reprise/protocol";
import { makeDiagnostic, SQL_DIAGNOSTICS as SQL, type SqlQuery } from "@reprise/analyzer";
import { describe, engineVersion, extensionsFor, startInstance, type Described } from "./engine.js";
import { familiesOf } from "./families.js";
import { POSTGRES_VERSION } from "./inputs.js";
import { newerThan, type VersionUse } from "./versions.js";
import { fileRangeAt, queryRangeAt } from "./map.js";

export interface MigrationInput {
  /** App-relative path of the .sql file. */
  file: string;
  text: string;
}

export interface DatabaseInput {
  name: string;
  /** Up migrations in the order they are applied. */
  migrations: MigrationInput[];
  /**
   * The PostgreSQL major version production runs (the runtime config's `sql.postgresVersion`), when named: SQL
   * added after it is reported (RP4107). The check itself always runs on PGlite's Postgres.
   */
  postgresVersion?: number | null;
}

export interface ColumnInfo {
  name: string;
  type: string;
  /** null: not a table column (an expression), so Postgres does not say. */
  nullable: boolean | null;
  /** Where the column's table was created, when known. */
  table: string | null;
}

export interface TableInfo {
  name: string;
  columns: { name: string; type: string; nullable: boolean }[];
}

export interface QueryInfo {
  params: string[];
  columns: ColumnInfo[];
}

type Outcome = { ok: true; info: QueryInfo } | { ok: false; message: string; code: string; position: number | null };

/** One database's migrations as the checker last saw them, and what is known about them. */
interface DatabaseState {
  name: string;
  migrations: MigrationInput[];
  /** Content hash of each migration (file name and text), in order, and of all of them. */
  hashes: string[];
  hash: string;
  extensions: Promise<Record<string, Extension>>;
  /** Diagnostics of applying the migrations, once they have been applied (null: not yet). */
  applied: Diagnostic[] | null;
  /** False when a migration failed or the database was skipped: its queries are not checked. */
  usable: boolean;
  /** Describe results by statement text (valid for this hash: names, not OIDs, so a re-apply keeps them). */
  outcomes: Map<string, Outcome>;
  tables?: Promise<TableInfo[]>;
  /**
   * Needs an instance of its own: its migrations control transactions themselves or run a statement that cannot
   * run inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, a new enum value used by a later migration).
   */
  dedicated: boolean;
  own: Schema | null;
}

/**
 * A database's migrated schema in a running instance. The shared instance holds one database at a time inside
 * an open transaction, with savepoint `s<i>` taken before migration i: a migration edit rolls back to the edited
 * migration's savepoint and re-applies from there, and switching database rolls the whole transaction back.
 * Type and table OIDs change on every re-apply, so the catalogue caches live here, not on the database's state.
 */
interface Schema {
  pg: PGlite;
  /** Database name (shared instance) and the hashes of the migrations applied, in order. */
  db: string;
  hashes: string[];
  /** Undoes a failed describe (an error aborts the open transaction); a no-op on an instance of its own. */
  recover(): Promise<void>;
  typeNames: Map<number, string>;
  notNull: Map<number, Map<number, boolean>>;
  tableNames: Map<number, string>;
}

export interface SqlCheckResult {
  diagnostics: Diagnostic[];
  /** Described queries, by `file:line:character` of the query's start. */
  described: Map<string, QueryInfo>;
}

/** Postgres error codes that do not make an app wrong (the runtime sends typed parameters). */
const NOT_REPORTED = new Set(["42P18"]);

/** Errors after which a database's migrations are applied again in an instance of their own, outside a transaction. */
const NEEDS_OWN_INSTANCE = new Set(["25001", "55P04", "25P01", "25P02"]);

export function queryKey(q: Pick<SqlQuery, "file" | "range">): string {
  return `${q.file}:${q.range.start.line}:${q.range.start.character}`;
}

function migrationHash(m: MigrationInput): string {
  return createHash("sha256").update(m.file).update("\0").update(m.text).digest("hex");
}

/**
 * Whether a migration controls transactions itself (BEGIN / COMMIT / ROLLBACK … as statements, outside comments,
 * quotes and dollar-quoted bodies): such migrations would end the shared instance's transaction.
 */
export function controlsTransactions(text: string): boolean {
  const code = text
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, " ")
    .replace(/\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g, " ")
    .replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, " ");
  return /(?:^|;)\s*(?:begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)\b/i.test(code);
}

export interface SqlCheckerOptions {
  /**
   * A store for describe results across processes (the CLI keeps one under `<app>/.reprise/cache/sql`), keyed by
   * a hash of a database's migrations and the checker's version: a database whose migrations and query texts are
   * all in it is not applied at all. The checker does no IO itself.
   */
  cache?: ResultCache;
  /**
   * Told before a database's migrations run (the database, its migrations' hash, the first migration of the step)
   * and with null when they are done: a caller running the checker in a worker uses it as a watchdog, since a
   * migration can run for ever (pg_sleep, an endless loop) and PGlite cannot interrupt a statement.
   */
  onMigrations?: (step: MigrationStep | null) => void;
}

export interface MigrationStep {
  database: string;
  hash: string;
  file: string;
}

/** A database whose migrations did not finish (by hash): reported with this diagnostic, not applied again. */
export interface HungDatabase {
  database: string;
  hash: string;
  diagnostic: Diagnostic;
}

export interface ResultCache {
  get(key: string): Promise<CachedDatabase | undefined>;
  set(key: string, value: CachedDatabase): Promise<void>;
}

export interface CachedDatabase {
  applied: Diagnostic[];
  usable: boolean;
  outcomes: [string, Outcome][];
}

/** Bumped when the checker's results for the same inputs change (part of the cache key). */
const RESULTS_VERSION = "sqlcheck-2";

export class SqlChecker {
  private readonly dbs = new Map<string, DatabaseState>();
  /** The instance all databases share (one at a time), its extensions, and the database it holds now. */
  private shared: { pg: Promise<PGlite>; extensions: Set<string> } | null = null;
  private session: Schema | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Instances started so far (shared and own), for tests and the benchmark. */
  instancesStarted = 0;
  /** Where the time went (wall ms, summed over calls), for the benchmark. */
  readonly timings = { start: 0, migrate: 0, migrations: 0, describe: 0, describes: 0 };

  constructor(private readonly options: SqlCheckerOptions = {}) {}

  /** Runs `fn` when every earlier call has finished: the instances are used by one call at a time. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Applies each database's migrations (when they changed) and checks every query. Never throws on user SQL. */
  check(databases: readonly DatabaseInput[], queries: readonly SqlQuery[], hung: readonly HungDatabase[] = []): Promise<SqlCheckResult> {
    return this.exclusive(() => this.checkNow(databases, queries, hung));
  }

  private async checkNow(databases: readonly DatabaseInput[], queries: readonly SqlQuery[], hung: readonly HungDatabase[]): Promise<SqlCheckResult> {
    const wanted = new Set(databases.map((d) => d.name));
    for (const [name, st] of this.dbs) {
      if (!wanted.has(name)) {
        this.dbs.delete(name);
        await closeOwn(st);
      }
    }
    const states = databases.map((db) => this.stateOf(db));
    for (const h of hung) {
      const st = states.find((x) => x.name === h.database && x.hash === h.hash);
      if (st) {
        st.applied = [h.diagnostic];
        st.usable = false;
      }
    }
    const byName = new Map(states.map((st) => [st.name, st]));
    const texts = new Map<DatabaseState, Set<string>>();
    for (const q of queries) {
      const st = byName.get(q.database);
      if (!st || q.ignored) continue;
      const set = texts.get(st) ?? new Set<string>();
      set.add(q.text);
      texts.set(st, set);
    }
    // The database the shared instance holds now goes first (no switch when only its queries changed).
    const order = [...states].sort((a, b) => Number(b.name === this.session?.db) - Number(a.name === this.session?.db));
    for (const st of order) {
      const wantedTexts = [...(texts.get(st) ?? [])];
      await this.fromCache(st);
      const missing = () => wantedTexts.filter((t) => !st.outcomes.has(t));
      if (st.applied !== null && (!st.usable || missing().length === 0)) continue;
      const schema = await this.prepare(st, states);
      if (schema) {
        const started = performance.now();
        for (const text of missing()) {
          st.outcomes.set(text, await describeOnce(schema, text));
          this.timings.describes++;
        }
        this.timings.describe += performance.now() - started;
      }
      await this.toCache(st);
    }
    // Statements no query has any more are forgotten once they outnumber the live ones (memory stays bounded
    // however long an editor session types).
    for (const st of states) {
      const live = texts.get(st) ?? new Set<string>();
      if (st.outcomes.size > 2 * live.size + 200) for (const text of [...st.outcomes.keys()]) if (!live.has(text)) st.outcomes.delete(text);
    }
    const diagnostics: Diagnostic[] = [];
    const described = new Map<string, QueryInfo>();
    for (const st of states) diagnostics.push(...(st.applied ?? []));
    diagnostics.push(...versionDiagnostics(databases, queries));
    for (const q of queries) {
      const st = byName.get(q.database);
      if (!st || q.ignored || !st.usable) continue;
      const outcome = st.outcomes.get(q.text);
      if (!outcome) continue;
      if (!outcome.ok) {
        if (NOT_REPORTED.has(outcome.code)) continue;
        const range = outcome.position !== null ? queryRangeAt(q, outcome.position) : q.textRange;
        diagnostics.push(makeDiagnostic(SQL.QueryError, q.file, range, `${outcome.message} (Postgres ${outcome.code}, database '${q.database}').`));
        continue;
      }
      described.set(queryKey(q), outcome.info);
      diagnostics.push(...compareRow(q, outcome.info));
    }
    return { diagnostics, described };
  }

  /** The description of a statement on a database that check() has seen (for hover), or null. */
  describeText(database: string, text: string): Promise<QueryInfo | null> {
    return this.exclusive(async () => {
      const st = this.dbs.get(database);
      if (!st || (st.applied !== null && !st.usable)) return null;
      let o = st.outcomes.get(text);
      if (!o) {
        const schema = await this.prepare(st, [...this.dbs.values()]);
        if (!schema) return null;
        o = await describeOnce(schema, text);
        st.outcomes.set(text, o);
      }
      return o.ok ? o.info : null;
    });
  }

  /** Tables (schema public) of a database that check() has seen, with their columns. */
  tables(database: string): Promise<TableInfo[]> {
    return this.exclusive(async () => {
      const st = this.dbs.get(database);
      if (!st || (st.applied !== null && !st.usable)) return [];
      st.tables ??= this.prepare(st, [...this.dbs.values()]).then((schema) => (schema ? tablesOf(schema.pg) : []));
      return st.tables;
    });
  }

  /** Closes every instance; a later check() starts again. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      const all = [...this.dbs.values()];
      this.dbs.clear();
      for (const st of all) await closeOwn(st);
      await this.closeShared();
    });
  }

  private async closeShared(): Promise<void> {
    const shared = this.shared;
    this.shared = null;
    this.session = null;
    if (shared) await shared.pg.then((pg) => pg.close()).catch(() => undefined);
  }

  private stateOf(db: DatabaseInput): DatabaseState {
    const hashes = db.migrations.map(migrationHash);
    const hash = createHash("sha256").update(hashes.join("\0")).digest("hex");
    const old = this.dbs.get(db.name);
    if (old && old.hash === hash) return old;
    if (old) void closeOwn(old);
    const st: DatabaseState = {
      name: db.name, migrations: db.migrations, hashes, hash,
      extensions: extensionsFor(db.migrations.map((m) => m.text)),
      applied: null, usable: false, outcomes: new Map(),
      dedicated: db.migrations.some((m) => controlsTransactions(m.text)), own: null,
    };
    this.dbs.set(db.name, st);
    return st;
  }

  private cacheKey(st: DatabaseState): string {
    return createHash("sha256").update(RESULTS_VERSION).update("\0").update(engineVersion()).update("\0").update(POSTGRES_VERSION).update("\0").update(st.name).update("\0").update(st.hash).digest("hex");
  }

  private async fromCache(st: DatabaseState): Promise<void> {
    const cache = this.options.cache;
    if (!cache || st.applied !== null) return;
    const hit = await cache.get(this.cacheKey(st)).catch(() => undefined);
    if (!hit || !Array.isArray(hit.applied) || !Array.isArray(hit.outcomes)) return;
    st.applied = hit.applied;
    st.usable = hit.usable === true;
    for (const [text, o] of hit.outcomes) if (!st.outcomes.has(text)) st.outcomes.set(text, o);
  }

  private async toCache(st: DatabaseState): Promise<void> {
    const cache = this.options.cache;
    if (!cache || st.applied === null) return;
    await cache.set(this.cacheKey(st), { applied: st.applied, usable: st.usable, outcomes: [...st.outcomes] }).catch(() => undefined);
  }

  /** The database's migrated schema in an instance (applied or re-applied as needed), or null when unusable. */
  private async prepare(st: DatabaseState, all: readonly DatabaseState[]): Promise<Schema | null> {
    if (st.applied !== null && !st.usable) return null;
    if (st.dedicated) return this.prepareOwn(st);
    const pg = await this.sharedFor(st, all);
    if (!pg) return this.failStart(st);
    let s = this.session;
    let k = 0;
    if (s && s.db === st.name) {
      while (k < s.hashes.length && k < st.hashes.length && s.hashes[k] === st.hashes[k]) k++;
      if (k === s.hashes.length && k === st.hashes.length && st.applied !== null) return s;
      try {
        await pg.exec(`ROLLBACK TO SAVEPOINT s${k}`);
        s.hashes = s.hashes.slice(0, k);
      } catch {
        s = null;
        k = 0;
      }
    } else s = null;
    if (!s) {
      this.session = null;
      await pg.exec("ROLLBACK").catch(() => undefined);
      await pg.exec("BEGIN; SAVEPOINT s0");
      const session: Schema = { pg, db: st.name, hashes: [], recover: async () => undefined, typeNames: new Map(), notNull: new Map(), tableNames: new Map() };
      session.recover = () =>
        pg.exec(`ROLLBACK TO SAVEPOINT s${session.hashes.length}`).then(
          () => undefined,
          () => {
            // The transaction is not where it should be: the next use starts it again.
            if (this.session === session) this.session = null;
          },
        );
      this.session = s = session;
    }
    // Re-applied tables and types get new OIDs.
    s.typeNames.clear();
    s.notNull.clear();
    s.tableNames.clear();
    st.tables = undefined;
    const diagnostics: Diagnostic[] = [];
    const started = performance.now();
    try {
      if (k < st.migrations.length) this.options.onMigrations?.({ database: st.name, hash: st.hash, file: st.migrations[k].file });
      return await this.applyFrom(st, s, k, diagnostics);
    } finally {
      this.options.onMigrations?.(null);
      this.timings.migrate += performance.now() - started;
    }
  }

  private async applyFrom(st: DatabaseState, s: Schema, k: number, diagnostics: Diagnostic[]): Promise<Schema | null> {
    const pg = s.pg;
    if (st.migrations.length - k > 1) {
      // All remaining migrations in one call (each call into PGlite costs), a savepoint after each. On any error
      // they are rolled back and applied one by one below, which finds the failing migration and its position.
      const batch = st.migrations.slice(k).map((m, j) => `${m.text}\n;\nSAVEPOINT s${k + j + 1};\n`).join("");
      try {
        await pg.exec(batch);
        this.timings.migrations += st.migrations.length - k;
        s.hashes.push(...st.hashes.slice(k));
        st.applied = diagnostics;
        st.usable = true;
        return s;
      } catch {
        try {
          await pg.exec(`ROLLBACK TO SAVEPOINT s${k}`);
        } catch {
          // A migration ended the transaction: the shared instance holds its changes.
          await this.closeShared();
          return this.moveToOwn(st);
        }
      }
    }
    for (let i = k; i < st.migrations.length; i++) {
      const m = st.migrations[i];
      this.timings.migrations++;
      try {
        await pg.exec(m.text);
      } catch (e) {
        const code = (e as { code?: string }).code ?? "";
        const undone = await pg.exec(`ROLLBACK TO SAVEPOINT s${i}`).then(() => true, () => false);
        if (!undone) await this.closeShared();
        if (NEEDS_OWN_INSTANCE.has(code)) return this.moveToOwn(st);
        diagnostics.push(migrationDiagnostic(st, m, e));
        st.applied = diagnostics;
        st.usable = false;
        return null;
      }
      try {
        await pg.exec(`SAVEPOINT s${i + 1}`);
      } catch {
        // The migration ended the transaction (COMMIT / ROLLBACK the scan did not see): the shared instance now
        // holds its changes, so it is closed, and this database gets an instance of its own.
        await this.closeShared();
        return this.moveToOwn(st);
      }
      s.hashes.push(st.hashes[i]);
    }
    st.applied = diagnostics;
    st.usable = true;
    return s;
  }

  private async moveToOwn(st: DatabaseState): Promise<Schema | null> {
    if (this.session?.db === st.name) {
      const pg = this.session.pg;
      this.session = null;
      await pg.exec("ROLLBACK").catch(() => undefined);
    }
    st.dedicated = true;
    return this.prepareOwn(st);
  }

  /** The shared instance, started (or restarted) with every extension the checked databases need. */
  private async sharedFor(st: DatabaseState, all: readonly DatabaseState[]): Promise<PGlite | null> {
    const needed = await st.extensions;
    if (this.shared && Object.keys(needed).every((k) => this.shared!.extensions.has(k))) return this.shared.pg.catch(() => null);
    const extensions: Record<string, Extension> = {};
    for (const other of all) if (!other.dedicated) Object.assign(extensions, await other.extensions);
    Object.assign(extensions, needed);
    await this.closeShared();
    const started = performance.now();
    const pg = startInstance(extensions);
    this.instancesStarted++;
    this.shared = { pg, extensions: new Set(Object.keys(extensions)) };
    try {
      return await pg;
    } catch (e) {
      this.shared = null;
      this.startError = e;
      return null;
    } finally {
      this.timings.start += performance.now() - started;
    }
  }

  private startError: unknown = null;

  private failStart(st: DatabaseState): null {
    const at = st.migrations[0];
    const e = this.startError;
    st.applied = at ? [makeDiagnostic(SQL.SqlCheckSkipped, at.file, ZERO, `The embedded Postgres could not start (${String((e as Error)?.message ?? e).slice(0, 200)}), so the SQL of database '${st.name}' is not checked.`)] : [];
    st.usable = false;
    return null;
  }

  /** A database in an instance of its own: its migrations run one by one outside any transaction, as the runtime runs them. */
  private async prepareOwn(st: DatabaseState): Promise<Schema | null> {
    if (st.own) return st.own;
    if (st.applied !== null && !st.usable) return null;
    let pg: PGlite;
    const started = performance.now();
    try {
      this.instancesStarted++;
      pg = await startInstance(await st.extensions);
      this.timings.start += performance.now() - started;
    } catch (e) {
      this.startError = e;
      return this.failStart(st);
    }
    try {
      for (const m of st.migrations) {
        this.options.onMigrations?.({ database: st.name, hash: st.hash, file: m.file });
        try {
          await pg.exec(m.text);
        } catch (e) {
          st.applied = [migrationDiagnostic(st, m, e)];
          st.usable = false;
          await pg.close().catch(() => undefined);
          return null;
        }
      }
    } finally {
      this.options.onMigrations?.(null);
    }
    st.applied = [];
    st.usable = true;
    st.own = { pg, db: st.name, hashes: st.hashes, recover: async () => undefined, typeNames: new Map(), notNull: new Map(), tableNames: new Map() };
    return st.own;
  }
}

async function closeOwn(st: DatabaseState): Promise<void> {
  const own = st.own;
  st.own = null;
  if (own) await own.pg.close().catch(() => undefined);
}

function migrationDiagnostic(st: DatabaseState, m: MigrationInput, e: unknown): Diagnostic {
  const err = e as { message?: string; code?: string; position?: string | number };
  const pos = Number(err.position);
  const range = Number.isFinite(pos) && pos > 0 ? fileRangeAt(m.text, pos - 1) : statementRange(m.text, err.message ?? "");
  if (err.code === "0A000" && /extension/i.test(err.message ?? "")) {
    return makeDiagnostic(SQL.SqlCheckSkipped, m.file, range, `${err.message}: the embedded checker (PGlite) does not ship this extension, so the queries of database '${st.name}' are not checked here; the real database checks them when the app runs.`);
  }
  return makeDiagnostic(SQL.MigrationFailed, m.file, range, `${err.message ?? String(e)} (Postgres ${err.code ?? "error"}); the later migrations of database '${st.name}' and its queries are not checked until this one applies.`);
}

async function tablesOf(pg: PGlite): Promise<TableInfo[]> {
  try {
    const res = await pg.query<{ t: string; c: string; ty: string; nn: boolean }>(
      `SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS ty, a.attnotnull AS nn
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum`,
    );
    const out = new Map<string, TableInfo>();
    for (const row of res.rows) {
      const t = out.get(row.t) ?? { name: row.t, columns: [] };
      t.columns.push({ name: row.c, type: row.ty, nullable: !row.nn });
      out.set(row.t, t);
    }
    return [...out.values()];
  } catch {
    return [];
  }
}

async function describeOnce(schema: Schema, text: string): Promise<Outcome> {
  let raw: Described;
  try {
    raw = await describe(schema.pg, text);
  } catch (e) {
    await schema.recover();
    const err = e as { message?: string; code?: string; position?: string | number };
    const pos = Number(err.position);
    return { ok: false, message: String(err.message ?? e), code: String(err.code ?? "XX000"), position: Number.isFinite(pos) && pos > 0 ? pos - 1 : null };
  }
  await loadCatalog(schema, raw);
  const name = (oid: number) => schema.typeNames.get(oid) ?? `oid ${oid}`;
  const columns: ColumnInfo[] = raw.columns.map((c) => {
    const notNull = c.tableOid ? schema.notNull.get(c.tableOid)?.get(c.columnNumber) : undefined;
    return { name: c.name, type: name(c.typeOid), nullable: notNull === undefined ? null : !notNull, table: c.tableOid ? (schema.tableNames.get(c.tableOid) ?? null) : null };
  });
  return { ok: true, info: { params: raw.params.map(name), columns } };
}

/** Type names and NOT NULL flags for the types and tables a description mentions (cached per applied schema). */
async function loadCatalog(schema: Schema, d: Described): Promise<void> {
  const pg = schema.pg;
  const oids = [...new Set([...d.params, ...d.columns.map((c) => c.typeOid)])].filter((o) => !schema.typeNames.has(o));
  if (oids.length) {
    const r = await pg.query<{ oid: number; name: string }>(`SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY($1::oid[])`, [oids]);
    for (const row of r.rows) schema.typeNames.set(row.oid, row.name);
  }
  const tables = [...new Set(d.columns.map((c) => c.tableOid).filter((t) => t && !schema.notNull.has(t)))];
  if (tables.length) {
    const r = await pg.query<{ rel: number; num: number; nn: boolean }>(`SELECT attrelid::int AS rel, attnum::int AS num, attnotnull AS nn FROM pg_attribute WHERE attrelid = ANY($1::oid[]) AND attnum > 0`, [tables]);
    const names = await pg.query<{ rel: number; name: string }>(`SELECT oid::int AS rel, relname AS name FROM pg_class WHERE oid = ANY($1::oid[])`, [tables]);
    for (const t of tables) schema.notNull.set(t, new Map());
    for (const row of r.rows) schema.notNull.get(row.rel)!.set(row.num, row.nn);
    for (const row of names.rows) schema.tableNames.set(row.rel, row.name);
  }
}

/** RP4107: uses of SQL newer than each database's production version (migrations and queries). */
function versionDiagnostics(databases: readonly DatabaseInput[], queries: readonly SqlQuery[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const message = (u: VersionUse, v: number) =>
    `${u.feature.what} needs PostgreSQL ${u.feature.since}, but production runs PostgreSQL ${v} (the runtime config's sql.postgresVersion); the check itself uses PostgreSQL ${POSTGRES_VERSION}.`;
  for (const db of databases) {
    const v = db.postgresVersion;
    if (typeof v !== "number" || v >= Number(POSTGRES_VERSION)) continue;
    for (const m of db.migrations) for (const u of newerThan(v, m.text)) out.push(makeDiagnostic(SQL.NewerThanProduction, m.file, fileRangeAt(m.text, u.at), message(u, v)));
    for (const q of queries) {
      if (q.database !== db.name || q.ignored) continue;
      for (const u of newerThan(v, q.text)) out.push(makeDiagnostic(SQL.NewerThanProduction, q.file, queryRangeAt(q, u.at), message(u, v)));
    }
  }
  return out;
}

const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * Without a position from Postgres: the first use of the name the message quotes (`relation "logs" does not
 * exist`, `extension "vector" is not available`) outside comments, else the first line.
 */
function statementRange(text: string, message: string): Range {
  const name = /"([^"]+)"/.exec(message)?.[1];
  if (name) {
    const code = text.replace(/--[^\n]*/g, (c) => " ".repeat(c.length));
    const esc = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const m = new RegExp(`(?<![\\w"])"?${esc}(?![\\w])`, "i").exec(code);
    if (m) return fileRangeAt(text, m.index);
  }
  return fileRangeAt(text, 0);
}

function compareRow(q: SqlQuery, info: QueryInfo): Diagnostic[] {
  const out: Diagnostic[] = [];
  const fields = q.rowType?.fields;
  if (!fields) return out;
  const byName = new Map(info.columns.map((c) => [c.name, c]));
  for (const f of fields) {
    const col = byName.get(f.name);
    if (!col) {
      const got = info.columns.map((c) => c.name).join(", ") || "no columns";
      out.push(makeDiagnostic(SQL.RowFieldMissing, q.file, f.range, `The query does not return a column '${f.name}' (it returns ${got}); select it or alias an expression AS ${f.name}, or remove the field.`));
      continue;
    }
    const known = f.families.filter((x) => x !== "unknown" && x !== "null");
    if (known.length === 0 || f.families.includes("unknown")) continue;
    const oid = byTypeName(info, col);
    const pgFamilies = familiesOf(oid, col.type);
    if (pgFamilies && !known.some((k) => pgFamilies.includes(k))) {
      out.push(makeDiagnostic(SQL.RowFieldType, q.file, f.range, `Field '${f.name}' is typed ${known.join(" | ")}, but column '${col.name}' is ${col.type} (${pgFamilies[0]} in TypeScript).`));
    }
    if (col.nullable === true && !f.optional && !f.families.includes("null")) {
      out.push(makeDiagnostic(SQL.RowFieldNullable, q.file, f.range, `Column '${col.name}'${col.table ? ` of table ${col.table}` : ""} can be NULL, but field '${f.name}' does not allow null; add | null to it, or NOT NULL to the column.`));
    }
  }
  return out;
}

const NAME_OID: Record<string, number> = {
  boolean: 16, bigint: 20, smallint: 21, integer: 23, oid: 26, real: 700, "double precision": 701, numeric: 1700, money: 790,
  text: 25, "character varying": 1043, character: 1042, '"char"': 18, name: 19, uuid: 2950, inet: 869, cidr: 650, macaddr: 829,
  interval: 1186, "time without time zone": 1083, "time with time zone": 1266, date: 1082,
  "timestamp without time zone": 1114, "timestamp with time zone": 1184, json: 114, jsonb: 3802,
};

function byTypeName(_info: QueryInfo, col: ColumnInfo): number {
  return NAME_OID[col.type] ?? -1;
}
