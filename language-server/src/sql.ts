/**
 * SQL checks in the editor: one @reprise/sqlcheck RemoteSqlChecker (the checker in a worker thread) per app root,
 * run after each analysis. The checker
 * rebuilds a database's schema only when its migrations' content hash changes and re-describes only statements
 * whose text changed, so an edit to one query costs one describe. Runs are serialised per root and a run whose
 * analysis generation is no longer the latest is skipped. Results are plain analyser diagnostics (to-proto
 * converts them like the others) plus, per query, its described columns and parameters for hover.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { AppModel, Diagnostic, Position, Range } from "@reprise/protocol";
import type { AnalysisResult, SqlQuery } from "@reprise/analyzer";
import type { QueryInfo, RemoteSqlChecker, TableInfo } from "@reprise/sqlcheck";
import type { CompletionItem } from "vscode-languageserver/node";
import { completionKind } from "./to-proto.js";

export class RootSql {
  private checker: RemoteSqlChecker | null = null;
  private chain: Promise<void> = Promise.resolve();
  private latest = 0;
  private disposed = false;
  /** SQL diagnostics by app-relative file. */
  byFile = new Map<string, Diagnostic[]>();
  described = new Map<string, QueryInfo>();
  queries: SqlQuery[] = [];
  /** Resolves when the latest scheduled run has finished (for tests and requests that want fresh results). */
  idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    /** Text of an open document (app-relative path), if any. */
    private readonly openText: (rel: string) => string | undefined,
    private readonly log: (message: string) => void,
  ) {}

  /** Checks the SQL of this analysis; `changed` gets the files whose SQL diagnostics changed. */
  schedule(result: AnalysisResult, changed: (files: string[]) => void): void {
    const generation = ++this.latest;
    const run = this.chain.then(async () => {
      if (this.disposed || generation !== this.latest) return;
      if (!result.model.app.databases.some((d) => d.migrations.files.length > 0) && this.byFile.size === 0) return;
      const started = performance.now();
      const { RemoteSqlChecker, sqlInputsOf, queryKey } = await import("@reprise/sqlcheck");
      if (this.disposed) return;
      // In a worker thread: the embedded Postgres never blocks this event loop (analysis, TS diagnostics).
      const checker = (this.checker ??= new RemoteSqlChecker());
      const r = await checker.check(sqlInputsOf(result.model, (rel) => this.read(rel)), result.sqlQueries);
      if (this.disposed) {
        // Disposed while checking: the instances this run started are closed here.
        await checker.close();
        return;
      }
      if (generation !== this.latest) return;
      const next = new Map<string, Diagnostic[]>();
      for (const d of r.diagnostics) {
        const list = next.get(d.file) ?? [];
        list.push(d);
        next.set(d.file, list);
      }
      const files = new Set<string>();
      for (const [f, list] of next) if (JSON.stringify(list) !== JSON.stringify(this.byFile.get(f) ?? [])) files.add(f);
      for (const f of this.byFile.keys()) if (!next.has(f)) files.add(f);
      this.byFile = next;
      this.described = r.described;
      this.queries = result.sqlQueries;
      void queryKey;
      this.log(`SQL checked in ${(performance.now() - started).toFixed(1)} ms (${result.sqlQueries.length} queries)`);
      if (files.size) changed([...files].sort());
    });
    this.chain = run.catch((err) => this.log(`SQL check failed: ${String((err as Error)?.stack ?? err)}`));
    this.idle = this.chain;
  }

  /**
   * Go to definition from a table or column name in a query: the `CREATE TABLE` line of the migration that made
   * the table, or the column's line in it (or the `ADD COLUMN` that added it), searched in migration order.
   */
  definitionOf(model: AppModel, q: SqlQuery, word: string): { file: string; range: Range } | null {
    const db = model.app.databases.find((d) => d.name === q.database);
    if (!db || !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(word)) return null;
    const name = `"?${word}"?`;
    const table = new RegExp(`\\bcreate\\s+(?:unlogged\\s+)?(?:table|view|materialized\\s+view)\\s+(?:if\\s+not\\s+exists\\s+)?(?:"?public"?\\.)?(${name})(?![\\w"])`, "i");
    const added = new RegExp(`\\badd\\s+(?:column\\s+)?(?:if\\s+not\\s+exists\\s+)?(${name})\\s+[A-Za-z]`, "i");
    const column = new RegExp(`^[ \\t]*(${name})[ \\t]+[A-Za-z]`, "im");
    for (const re of [table, added, column]) {
      for (const m of db.migrations.files) {
        const text = this.read(m.file);
        if (!text) continue;
        const code = text.replace(/--[^\n]*/g, (c) => " ".repeat(c.length));
        const hit = re.exec(code);
        if (!hit) continue;
        const at = hit.index + hit[0].indexOf(hit[1]);
        const before = text.slice(0, at);
        const line = before.split("\n").length - 1;
        const character = at - (before.lastIndexOf("\n") + 1);
        return { file: m.file, range: { start: { line, character }, end: { line, character: character + hit[1].length } } };
      }
    }
    return null;
  }

  private read(rel: string): string | undefined {
    const open = this.openText(rel);
    if (open !== undefined) return open;
    try {
      return readFileSync(path.join(this.dir, rel), "utf8");
    } catch {
      return undefined;
    }
  }

  /** The query of `file` whose call contains the position. */
  queryAt(file: string, pos: Position): SqlQuery | undefined {
    const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
    return this.queries.find((q) => q.file === file && before(q.range.start, pos) && before(pos, q.range.end));
  }

  infoOf(q: SqlQuery): QueryInfo | undefined {
    return this.described.get(`${q.file}:${q.range.start.line}:${q.range.start.character}`);
  }

  /** Tables and columns of a database's migrated schema (for completion). */
  async tables(database: string): Promise<TableInfo[]> {
    await this.idle;
    return this.checker ? this.checker.tables(database).catch(() => []) : [];
  }

  dispose(): void {
    this.disposed = true;
    void this.chain.then(() => {
      const c = this.checker;
      this.checker = null;
      return c?.close();
    });
  }
}

/** Hover card of a query: its result columns (Postgres type, nullability) and parameters. */
export function queryCard(q: SqlQuery, info: QueryInfo | undefined): string {
  if (!info) return `**SQL** on database \`${q.database}\` — not described (see its diagnostics).`;
  const cols = info.columns.map((c) => `| \`${c.name}\` | ${c.type} | ${c.nullable === null ? "unknown" : c.nullable ? "nullable" : "not null"} | ${c.table ?? ""} |`);
  const parts = [`**SQL** on database \`${q.database}\``];
  parts.push(cols.length ? ["| column | type | null | table |", "|---|---|---|---|", ...cols].join("\n") : "Returns no rows.");
  if (info.params.length) parts.push("Parameters: " + info.params.map((t, i) => `\`$${i + 1}\` ${t}`).join(", "));
  return parts.join("\n\n");
}

/** Completion inside a SQL template: the database's tables, then their columns (with the table as detail). */
export function sqlCompletions(tables: TableInfo[]): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const t of tables) items.push({ label: t.name, kind: completionKind("table"), detail: `table (${t.columns.length} columns)` });
  const seen = new Set<string>();
  for (const t of tables) {
    for (const c of t.columns) {
      const key = `${c.name}\0${t.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      items.push({ label: c.name, kind: completionKind("column"), detail: `${t.name}.${c.name} ${c.type}${c.nullable ? "" : " not null"}` });
    }
  }
  return items;
}
