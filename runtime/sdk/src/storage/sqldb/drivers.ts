/**
 * The two SQL engines behind SQLDatabase: PGlite (PostgreSQL compiled to WASM, in-process, one data directory
 * per database; the default) and a real PostgreSQL server through the `pg` driver's connection pool (when the
 * runtime config names a connection string or a server). A new PGlite directory is seeded from a cached
 * initialised cluster (internal/pglite-template.ts).
 */
import { mkdirSync } from "node:fs";
import { seedDataDir } from "../../internal/pglite-template.js";
import type { PGliteProtocol } from "./socket.js";

export interface Result {
  rows: Record<string, unknown>[];
  rowCount: number;
}

/** A result with rows as arrays, in column order (duplicate column names survive): the admin routes' form. */
export interface ArrayResult {
  fields: { name: string; dataTypeID: number }[];
  rows: unknown[][];
  rowCount: number;
}

export interface Queryable {
  query(text: string, params: unknown[]): Promise<Result>;
  /** One statement through the extended protocol (a second statement in `text` is an error), rows as arrays. */
  queryArrays(text: string, params: unknown[]): Promise<ArrayResult>;
  /** Runs a multi-statement script without parameters (migrations). */
  script(text: string): Promise<void>;
}

export interface Tx extends Queryable {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface Conn extends Queryable {
  release(): Promise<void>;
}

export interface Driver extends Queryable {
  readonly kind: "pglite" | "postgres";
  readonly connectionString: string;
  /** The PGlite instance of an embedded database (served on its wire-protocol socket, socket.ts). */
  readonly pglite?: PGliteProtocol;
  begin(): Promise<Tx>;
  acquire(): Promise<Conn>;
  close(): Promise<void>;
}

// ---- PGlite ------------------------------------------------------------------------------------------------

interface PGliteLike {
  waitReady: Promise<void>;
  query<T>(q: string, params?: unknown[], options?: { rowMode?: "array" | "object" }): Promise<{ rows: T[]; affectedRows?: number; fields?: { name: string; dataTypeID: number }[] }>;
  exec(q: string): Promise<unknown>;
  transaction<T>(fn: (tx: PGliteTxLike) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
interface PGliteTxLike {
  query<T>(q: string, params?: unknown[], options?: { rowMode?: "array" | "object" }): Promise<{ rows: T[]; affectedRows?: number; fields?: { name: string; dataTypeID: number }[] }>;
  exec(q: string): Promise<unknown>;
  rollback(): Promise<void>;
}

const asResult = (r: { rows: unknown[]; affectedRows?: number }): Result => ({
  rows: r.rows as Record<string, unknown>[],
  rowCount: r.affectedRows ?? r.rows.length,
});

/** Loads the PGlite module ahead of opening (a reload does it before the hand-over, which then only opens). */
export async function preloadPGlite(): Promise<void> {
  await import("@electric-sql/pglite");
}

export async function openPGlite(dataDir: string): Promise<Driver> {
  // A new database starts as a copy of the cached initialised cluster rather than running initdb (seconds).
  await seedDataDir(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const { PGlite } = (await import("@electric-sql/pglite")) as unknown as { PGlite: new (dir: string) => PGliteLike };
  const db = new PGlite(dataDir);
  await db.waitReady;
  return pgliteDriver(db, `pglite://${dataDir}`);
}

/**
 * An in-memory database started from a data-directory tar (PGlite's `dumpDataDir` format): nothing is read from
 * or written to disk after the tar. `reprise test` gives every test process its own copy of the migrated databases
 * this way (cli/src/test/setup.ts); `dumpPGlite` makes such a tar of an open database.
 */
export async function openPGliteFromDump(dump: Blob, name: string): Promise<Driver> {
  const { PGlite } = (await import("@electric-sql/pglite")) as unknown as { PGlite: new (opts: { loadDataDir: Blob }) => PGliteLike };
  const db = new PGlite({ loadDataDir: dump });
  await db.waitReady;
  return pgliteDriver(db, `pglite://memory/${name}`);
}

/** The data directory of an open embedded database as an uncompressed tar (for `openPGliteFromDump`). */
export async function dumpPGlite(driver: Driver): Promise<Blob> {
  const db = driver.pglite as unknown as { dumpDataDir?(compression: "none"): Promise<Blob> } | undefined;
  if (!db?.dumpDataDir) throw new Error(`${driver.connectionString} is not an embedded (PGlite) database`);
  return db.dumpDataDir("none");
}

function pgliteDriver(db: PGliteLike, connectionString: string): Driver {
  const q = (target: PGliteLike | PGliteTxLike): Queryable => ({
    query: async (text, params) => asResult(await target.query(text, params)),
    // PGlite's query() always uses the extended protocol.
    queryArrays: async (text, params) => {
      const r = await target.query<unknown[]>(text, params, { rowMode: "array" });
      // PGlite reports affectedRows 0 for a SELECT.
      return { fields: r.fields ?? [], rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
    },
    script: async (text) => {
      await target.exec(text);
    },
  });
  return {
    kind: "pglite",
    connectionString,
    pglite: db as unknown as PGliteProtocol,
    ...q(db),
    // PGlite has one connection: a transaction holds it (other queries wait) until commit or rollback.
    begin: () =>
      new Promise<Tx>((resolveTx, rejectTx) => {
        let finish!: () => void;
        const gate = new Promise<void>((r) => (finish = r));
        let started = false;
        const whole: Promise<void> = db.transaction(async (tx) => {
          started = true;
          resolveTx({
            ...q(tx),
            commit: async () => {
              finish();
              await whole;
            },
            rollback: async () => {
              await tx.rollback();
              finish();
              await whole.catch(() => {});
            },
          });
          await gate;
        });
        whole.catch((e: unknown) => {
          if (!started) rejectTx(e);
        });
      }),
    acquire: async () => ({ ...q(db), release: async () => {} }),
    close: () => db.close(),
  };
}

// ---- PostgreSQL (pg) ----------------------------------------------------------------------------------------

interface PgArrayQuery {
  text: string;
  values: unknown[];
  rowMode: "array";
  queryMode: "extended";
}
interface PgArrayResult {
  rows: unknown[][];
  rowCount: number | null;
  fields: { name: string; dataTypeID: number }[];
}
interface PgClient {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  query(config: PgArrayQuery): Promise<PgArrayResult>;
  release(err?: boolean): void;
}
interface PgPool {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  query(config: PgArrayQuery): Promise<PgArrayResult>;
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(ev: "error", fn: (e: Error) => void): void;
}

const pgResult = (r: { rows: Record<string, unknown>[]; rowCount: number | null }): Result => ({ rows: r.rows, rowCount: r.rowCount ?? r.rows.length });

export async function openPostgres(name: string, connectionString: string, max: number, createIfMissing: string | null): Promise<Driver> {
  const pg = (await import("pg")).default as unknown as { Pool: new (o: object) => PgPool };
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 10_000 });
  // An idle client's connection dying (server restart) must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  try {
    await pool.query("SELECT 1");
  } catch (e) {
    if ((e as { code?: string }).code === "3D000" && createIfMissing) {
      // `sql.server` mode: one database per SQLDatabase, created on first use.
      const admin = new pg.Pool({ connectionString: createIfMissing, max: 1 });
      try {
        await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } catch (ce) {
        const code = (ce as { code?: string }).code;
        // 42P04 duplicate_database / 23505: another replica created it first.
        if (code !== "42P04" && code !== "23505") throw ce;
      } finally {
        await admin.end();
      }
      await pool.query("SELECT 1");
    } else {
      await pool.end();
      throw e;
    }
  }
  const q = (c: PgPool | PgClient): Queryable => ({
    query: async (text, params) => pgResult(await c.query(text, params)),
    // queryMode "extended": without it pg sends a parameterless query with the simple protocol, which runs
    // several statements (`COMMIT; DELETE ...` would escape a read-only transaction).
    queryArrays: async (text, params) => {
      const r = await c.query({ text, values: params, rowMode: "array", queryMode: "extended" });
      return { fields: r.fields, rows: r.rows, rowCount: r.rowCount ?? r.rows.length };
    },
    script: async (text) => {
      await c.query(text);
    },
  });
  return {
    kind: "postgres",
    connectionString,
    ...q(pool),
    begin: async () => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
      } catch (e) {
        client.release(true);
        throw e;
      }
      let done = false;
      const end = async (sql: string) => {
        if (done) return;
        done = true;
        try {
          await client.query(sql);
          client.release();
        } catch (e) {
          client.release(true);
          throw e;
        }
      };
      return { ...q(client), commit: () => end("COMMIT"), rollback: () => end("ROLLBACK") };
    },
    acquire: async () => {
      const client = await pool.connect();
      return { ...q(client), release: async () => client.release() };
    },
    close: () => pool.end(),
  };
}
