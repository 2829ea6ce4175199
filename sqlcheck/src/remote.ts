/**
 * RemoteSqlChecker: the SqlChecker API with the checker in a worker thread (src/worker.ts). The caller's event loop
 * (the language server's, the CLI's) never waits on the embedded Postgres, and a migration that does not finish
 * within `migrationTimeoutMs` (PGlite cannot interrupt a statement: pg_sleep, an endless loop) is stopped by
 * terminating the worker: the database is then reported (RP4101 on the first migration of the step that hung) and
 * not applied again until its migrations change, and the pending calls are answered by a fresh worker.
 */
import { Worker } from "node:worker_threads";
import type { Diagnostic } from "@reprise/protocol";
import { makeDiagnostic, SQL_DIAGNOSTICS as SQL, type SqlQuery } from "@reprise/analyzer";
import type { DatabaseInput, HungDatabase, MigrationStep, QueryInfo, SqlCheckResult, TableInfo } from "./checker.js";

export interface RemoteSqlCheckerOptions {
  /** How long one migration step may run (default 60 s). */
  migrationTimeoutMs?: number;
  /** Folder of the result cache (folderCache), if any. */
  cacheDir?: string;
}

type Method = "check" | "describeText" | "tables" | "close";
interface Pending {
  method: Method;
  args: unknown[];
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class RemoteSqlChecker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly hung: HungDatabase[] = [];
  private watchdog: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly timeoutMs: number;
  /** Workers terminated because a migration did not finish (for tests). */
  stopped = 0;

  constructor(private readonly options: RemoteSqlCheckerOptions = {}) {
    this.timeoutMs = options.migrationTimeoutMs ?? 60_000;
  }

  check(databases: readonly DatabaseInput[], queries: readonly SqlQuery[]): Promise<SqlCheckResult> {
    // The hung list is read when the request is (re)sent, so a retry after a timeout carries the new entry.
    return this.call("check", [databases, queries]) as Promise<SqlCheckResult>;
  }

  describeText(database: string, text: string): Promise<QueryInfo | null> {
    return this.call("describeText", [database, text]) as Promise<QueryInfo | null>;
  }

  tables(database: string): Promise<TableInfo[]> {
    return this.call("tables", [database]) as Promise<TableInfo[]>;
  }

  /** Ends the worker (and its instances) at once; pending calls are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopWatchdog();
    const w = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error("the SQL checker was closed"));
    this.pending.clear();
    if (w) await w.terminate();
  }

  private call(method: Method, args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error("the SQL checker was closed"));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { method, args, resolve, reject });
      this.send(id);
    });
  }

  private send(id: number): void {
    const p = this.pending.get(id)!;
    const args = p.method === "check" ? [...p.args, this.hung] : p.args;
    this.ensureWorker().postMessage({ id, method: p.method, args });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL("./worker.js", import.meta.url), { workerData: { cacheDir: this.options.cacheDir } });
    w.on("message", (msg: { id?: number; result?: unknown; error?: string; step?: MigrationStep | null }) => {
      if (w !== this.worker) return;
      if ("step" in msg) return this.onStep(w, msg.step ?? null);
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id!);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    });
    const fail = (err: Error) => {
      if (w !== this.worker) return;
      this.worker = null;
      this.stopWatchdog();
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`the SQL checker's worker exited (code ${code})`)));
    this.worker = w;
    return w;
  }

  private onStep(w: Worker, step: MigrationStep | null): void {
    this.stopWatchdog();
    if (!step) return;
    this.watchdog = setTimeout(() => void this.timedOut(w, step), this.timeoutMs);
    this.watchdog.unref?.();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  /** A migration step ran too long: end the worker, remember the database, answer the pending calls afresh. */
  private async timedOut(w: Worker, step: MigrationStep): Promise<void> {
    if (w !== this.worker) return;
    this.worker = null;
    this.stopped++;
    await w.terminate().catch(() => undefined);
    const seconds = Math.round(this.timeoutMs / 1000);
    const diagnostic: Diagnostic = makeDiagnostic(SQL.MigrationFailed, step.file, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      `The migrations of database '${step.database}' from this one on did not finish within ${seconds} s (a statement that never ends, such as pg_sleep or an endless loop?); they and the database's queries are not checked until its migrations change.`);
    this.hung.push({ database: step.database, hash: step.hash, diagnostic });
    for (const id of [...this.pending.keys()].sort((a, b) => a - b)) this.send(id);
  }
}
