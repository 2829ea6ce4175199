/**
 * SqlChecker: the state of the SQL checks for one app. Per database, one in-memory PGlite with its migrations
 * applied, rebuilt only when the migrations' content hash changes; per (database, statement text), the describe
 * result, so a re-check re-describes only statements whose text changed (in practice: the edited file's).
 * Queries are only prepared and described, never executed; migrations are executed, but only in the throwaway
 * in-memory instance.
 */
import { createHash } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import type { Diagnostic, Range } from "@reprise/protocol";
import { makeDiagnostic, SQL_DIAGNOSTICS as SQL, type SqlQuery } from "@reprise/analyzer";
import { describe, extensionsFor, startInstance, type Described } from "./engine.js";
import { familiesOf } from "./families.js";
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

type Outcome = { ok: true; info: QueryInfo; raw: Described } | { ok: false; message: string; code: string; position: number | null };

interface DatabaseState {
  hash: string;
  ready: Promise<{ pg: PGlite | null; diagnostics: Diagnostic[] }>;
  outcomes: Map<string, Promise<Outcome>>;
  typeNames: Map<number, string>;
  notNull: Map<number, Map<number, boolean>>;
  tableNames: Map<number, string>;
  tables?: Promise<TableInfo[]>;
}

export interface SqlCheckResult {
  diagnostics: Diagnostic[];
  /** Described queries, by `file:line:character` of the query's start. */
  described: Map<string, QueryInfo>;
}

/** Postgres error codes that do not make an app wrong (the runtime sends typed parameters). */
const NOT_REPORTED = new Set(["42P18"]);

export function queryKey(q: Pick<SqlQuery, "file" | "range">): string {
  return `${q.file}:${q.range.start.line}:${q.range.start.character}`;
}

export class SqlChecker {
  private readonly dbs = new Map<string, DatabaseState>();

  /** Applies each database's migrations (when they changed) and checks every query. Never throws on user SQL. */
  async check(databases: readonly DatabaseInput[], queries: readonly SqlQuery[]): Promise<SqlCheckResult> {
    const diagnostics: Diagnostic[] = [];
    const described = new Map<string, QueryInfo>();
    const wanted = new Set(databases.map((d) => d.name));
    for (const [name, st] of this.dbs) {
      if (!wanted.has(name)) {
        this.dbs.delete(name);
        void st.ready.then((r) => r.pg?.close()).catch(() => undefined);
      }
    }
    const states = new Map<string, DatabaseState>();
    for (const db of databases) states.set(db.name, this.stateOf(db));
    for (const db of databases) {
      const r = await states.get(db.name)!.ready;
      diagnostics.push(...r.diagnostics);
    }
    for (const q of queries) {
      const st = states.get(q.database);
      if (!st || q.ignored) continue;
      const r = await st.ready;
      if (!r.pg) continue;
      const outcome = await this.outcome(st, r.pg, q.text);
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
  async describeText(database: string, text: string): Promise<QueryInfo | null> {
    const st = this.dbs.get(database);
    if (!st) return null;
    const r = await st.ready;
    if (!r.pg) return null;
    const o = await this.outcome(st, r.pg, text);
    return o.ok ? o.info : null;
  }

  /** Tables (schema public) of a database that check() has seen, with their columns. */
  async tables(database: string): Promise<TableInfo[]> {
    const st = this.dbs.get(database);
    if (!st) return [];
    const r = await st.ready;
    if (!r.pg) return [];
    st.tables ??= r.pg
      .query<{ t: string; c: string; ty: string; nn: boolean }>(
        `SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS ty, a.attnotnull AS nn
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p') AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY c.relname, a.attnum`,
      )
      .then((res) => {
        const out = new Map<string, TableInfo>();
        for (const row of res.rows) {
          const t = out.get(row.t) ?? { name: row.t, columns: [] };
          t.columns.push({ name: row.c, type: row.ty, nullable: !row.nn });
          out.set(row.t, t);
        }
        return [...out.values()];
      })
      .catch(() => []);
    return st.tables;
  }

  async close(): Promise<void> {
    const all = [...this.dbs.values()];
    this.dbs.clear();
    for (const st of all) await st.ready.then((r) => r.pg?.close()).catch(() => undefined);
  }

  private stateOf(db: DatabaseInput): DatabaseState {
    const h = createHash("sha256");
    for (const m of db.migrations) h.update(m.file).update("\0").update(m.text).update("\0");
    const hash = h.digest("hex");
    const old = this.dbs.get(db.name);
    if (old && old.hash === hash) return old;
    if (old) void old.ready.then((r) => r.pg?.close()).catch(() => undefined);
    const st: DatabaseState = { hash, ready: applyMigrations(db), outcomes: new Map(), typeNames: new Map(), notNull: new Map(), tableNames: new Map() };
    this.dbs.set(db.name, st);
    return st;
  }

  private outcome(st: DatabaseState, pg: PGlite, text: string): Promise<Outcome> {
    let o = st.outcomes.get(text);
    if (!o) {
      o = this.describeOnce(st, pg, text);
      st.outcomes.set(text, o);
    }
    return o;
  }

  private async describeOnce(st: DatabaseState, pg: PGlite, text: string): Promise<Outcome> {
    let raw: Described;
    try {
      raw = await describe(pg, text);
    } catch (e) {
      const err = e as { message?: string; code?: string; position?: string | number };
      const pos = Number(err.position);
      return { ok: false, message: String(err.message ?? e), code: String(err.code ?? "XX000"), position: Number.isFinite(pos) && pos > 0 ? pos - 1 : null };
    }
    await this.loadCatalog(st, pg, raw);
    const name = (oid: number) => st.typeNames.get(oid) ?? `oid ${oid}`;
    const columns: ColumnInfo[] = raw.columns.map((c) => {
      const notNull = c.tableOid ? st.notNull.get(c.tableOid)?.get(c.columnNumber) : undefined;
      return { name: c.name, type: name(c.typeOid), nullable: notNull === undefined ? null : !notNull, table: c.tableOid ? (st.tableNames.get(c.tableOid) ?? null) : null };
    });
    return { ok: true, info: { params: raw.params.map(name), columns }, raw };
  }

  /** Type names and NOT NULL flags for the types and tables a description mentions (cached per instance). */
  private async loadCatalog(st: DatabaseState, pg: PGlite, d: Described): Promise<void> {
    const oids = [...new Set([...d.params, ...d.columns.map((c) => c.typeOid)])].filter((o) => !st.typeNames.has(o));
    if (oids.length) {
      const r = await pg.query<{ oid: number; name: string }>(`SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY($1::oid[])`, [oids]);
      for (const row of r.rows) st.typeNames.set(row.oid, row.name);
    }
    const tables = [...new Set(d.columns.map((c) => c.tableOid).filter((t) => t && !st.notNull.has(t)))];
    if (tables.length) {
      const r = await pg.query<{ rel: number; num: number; nn: boolean }>(`SELECT attrelid::int AS rel, attnum::int AS num, attnotnull AS nn FROM pg_attribute WHERE attrelid = ANY($1::oid[]) AND attnum > 0`, [tables]);
      const names = await pg.query<{ rel: number; name: string }>(`SELECT oid::int AS rel, relname AS name FROM pg_class WHERE oid = ANY($1::oid[])`, [tables]);
      for (const t of tables) st.notNull.set(t, new Map());
      for (const row of r.rows) st.notNull.get(row.rel)!.set(row.num, row.nn);
      for (const row of names.rows) st.tableNames.set(row.rel, row.name);
    }
  }
}

async function applyMigrations(db: DatabaseInput): Promise<{ pg: PGlite | null; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  let pg: PGlite;
  try {
    pg = await startInstance(await extensionsFor(db.migrations.map((m) => m.text)));
  } catch (e) {
    const at = db.migrations[0];
    if (at) diagnostics.push(makeDiagnostic(SQL.SqlCheckSkipped, at.file, ZERO, `The embedded Postgres could not start (${String((e as Error)?.message ?? e).slice(0, 200)}), so the SQL of database '${db.name}' is not checked.`));
    return { pg: null, diagnostics };
  }
  for (const m of db.migrations) {
    try {
      await pg.exec(m.text);
    } catch (e) {
      const err = e as { message?: string; code?: string; position?: string | number };
      const pos = Number(err.position);
      const range = Number.isFinite(pos) && pos > 0 ? fileRangeAt(m.text, pos - 1) : statementRange(m.text, err.message ?? "");
      if (err.code === "0A000" && /extension/i.test(err.message ?? "")) {
        diagnostics.push(makeDiagnostic(SQL.SqlCheckSkipped, m.file, range, `${err.message}: the embedded checker (PGlite) does not ship this extension, so the queries of database '${db.name}' are not checked here; the real database checks them when the app runs.`));
      } else {
        diagnostics.push(makeDiagnostic(SQL.MigrationFailed, m.file, range, `${err.message ?? String(e)} (Postgres ${err.code ?? "error"}); the later migrations of database '${db.name}' and its queries are not checked until this one applies.`));
      }
      await pg.close().catch(() => undefined);
      return { pg: null, diagnostics };
    }
  }
  return { pg, diagnostics };
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
