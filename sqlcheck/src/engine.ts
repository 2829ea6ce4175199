/**
 * The embedded Postgres the checks run in: one in-memory PGlite per database, started from a dump of an
 * initialised cluster (a tar of the data directory) so no check pays for initdb after the first one on a machine.
 * The dump is the runtime's (`clusterDump` in runtime/sdk/src/internal/pglite-template.ts, shared with
 * `reprise test`): kept in memory, and on disk beside the runtime's template (`pglite-<version>-memtemplate.tar`).
 */
import { basename } from "node:path";
import { PGlite, protocol, type Extension } from "@electric-sql/pglite";
import { clusterDump, pgliteTemplateDir } from "reprise/internal/pglite-template";

/** The PGlite build the checks run in (part of the result cache's key): the name of the runtime's template folder. */
export function engineVersion(): string {
  return basename(pgliteTemplateDir() ?? "pglite-unknown");
}

/** Contrib extensions PGlite ships, by the name `CREATE EXTENSION` uses. */
const CONTRIB: Record<string, string> = {
  "uuid-ossp": "uuid_ossp", pg_trgm: "pg_trgm", citext: "citext", hstore: "hstore", ltree: "ltree", cube: "cube",
  earthdistance: "earthdistance", fuzzystrmatch: "fuzzystrmatch", btree_gin: "btree_gin", btree_gist: "btree_gist",
  tablefunc: "tablefunc", isn: "isn", seg: "seg", unaccent: "unaccent", bloom: "bloom", pgcrypto: "pgcrypto",
  lo: "lo", tcn: "tcn", dict_int: "dict_int", dict_xsyn: "dict_xsyn", intarray: "intarray", amcheck: "amcheck",
  pg_walinspect: "pg_walinspect", auto_explain: "auto_explain", file_fdw: "file_fdw", tsm_system_rows: "tsm_system_rows",
  tsm_system_time: "tsm_system_time", pg_surgery: "pg_surgery", pg_freespacemap: "pg_freespacemap",
  pg_visibility: "pg_visibility", pg_buffercache: "pg_buffercache", pageinspect: "pageinspect",
};

/** The extensions named by `CREATE EXTENSION` in these texts that PGlite ships (loaded at start). */
export async function extensionsFor(texts: readonly string[]): Promise<Record<string, Extension>> {
  const out: Record<string, Extension> = {};
  const re = /create\s+extension\s+(?:if\s+not\s+exists\s+)?("?)([\w-]+)\1/gi;
  for (const t of texts) {
    for (const m of t.matchAll(re)) {
      const mod = CONTRIB[m[2].toLowerCase()];
      if (!mod || out[mod]) continue;
      try {
        const loaded = (await import(`@electric-sql/pglite/contrib/${mod}`)) as Record<string, Extension>;
        const ext = loaded[mod] ?? Object.values(loaded)[0];
        if (ext) out[mod] = ext;
      } catch {
        // Not shipped by this PGlite: the migration's CREATE EXTENSION fails and the database is skipped.
      }
    }
  }
  return out;
}

/**
 * Settings of the checker's instances: a small buffer pool (the default 128 MB lives in the WebAssembly memory,
 * and the schemas checked here are small) and minimal WAL (nothing is ever replayed or replicated).
 */
const CHECKER_CONF = ["shared_buffers = 16MB", "wal_level = minimal", "max_wal_senders = 0", "full_page_writes = off", "wal_buffers = 256kB"];

export async function startInstance(extensions: Record<string, Extension>): Promise<PGlite> {
  const blob = await clusterDump();
  return PGlite.create({ loadDataDir: blob, extensions, postgresqlconf: CHECKER_CONF });
}

export interface DescribedColumn {
  name: string;
  typeOid: number;
  tableOid: number;
  columnNumber: number;
}

export interface Described {
  params: number[];
  columns: DescribedColumn[];
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

/**
 * Parse + Describe of the unnamed statement, then Sync: Postgres analyses the statement against the schema and
 * reports its parameter and result types; nothing is executed. Throws Postgres's error (with `position`).
 */
export async function describe(pg: PGlite, text: string): Promise<Described> {
  const s = protocol.serialize;
  const res = await pg.execProtocol(concat([s.parse({ text }), s.describe({ type: "S" }), s.sync()]), {});
  let params: number[] = [];
  let columns: DescribedColumn[] = [];
  for (const m of res.messages as unknown as { name: string; dataTypeIDs?: number[]; fields?: { name: string; dataTypeID: number; tableID: number; columnID: number }[] }[]) {
    if (m.name === "parameterDescription") params = m.dataTypeIDs ?? [];
    if (m.name === "rowDescription") columns = (m.fields ?? []).map((f) => ({ name: f.name, typeOid: f.dataTypeID, tableOid: f.tableID, columnNumber: f.columnID }));
  }
  return { params, columns };
}
