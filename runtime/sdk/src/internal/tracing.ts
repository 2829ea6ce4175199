/**
 * The SDK's half of tracing: what only JavaScript sees (auth handler runs, SQL queries, bucket operations, log
 * lines, thrown errors) reported to the Rust tracer against a *handle* — the request id Rust gave the request, or
 * the handle of a pub/sub delivery or cron run (runtime/src/trace_bindings.rs, runtime/src/tracing.rs).
 *
 * Rust decides up front whether a unit is recorded in detail and says so in the request event (`traced`). An
 * untraced unit (sampled out, or tracing off) pays one property read per instrumented call and never crosses into
 * Rust for spans; errors are the exception — reported for every failing unit, so a sampled-out trace with an
 * error is still kept. Spans are reported once, after the fact, with the duration measured here.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { performance } from "node:perf_hooks";
import { als } from "./context.js";
import { native } from "./native.js";

/** The trace context of a delivery or cron run (requests carry theirs on their RequestState). */
interface UnitContext {
  handle: number;
  traced: boolean;
}

const KEY = Symbol.for("reprise.trace.unit");
const g = globalThis as unknown as Record<symbol, AsyncLocalStorage<UnitContext> | undefined>;
const units: AsyncLocalStorage<UnitContext> = (g[KEY] ??= new AsyncLocalStorage<UnitContext>());

/** Span kinds of `traceSpan` (the binary format's kind tags). */
export const SpanKind = { Auth: 1, Db: 3, Bucket: 7, Internal: 8 } as const;

/** The handle spans of the running code attach to; 0 when nothing is recorded in detail. */
export function tracedHandle(): number {
  const st = als.getStore();
  if (st) return st.traced ? st.id : 0;
  const u = units.getStore();
  return u?.traced ? u.handle : 0;
}

/** The handle of the running unit whether or not it is recorded in detail (for errors and service calls). */
export function unitHandle(): number {
  const st = als.getStore();
  if (st) return st.id;
  return units.getStore()?.handle ?? 0;
}

/** Runs `fn` as the work of a delivery or cron run with handle `handle` (0: untraced, run as is). */
export function runInUnit<T>(handle: number, traced: boolean, fn: () => T): T {
  return handle ? units.run({ handle, traced }, fn) : fn();
}

/** A clock reading for {@link recordSpan}; only taken when the handle is traced. */
export function spanStart(): number {
  return performance.now();
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Reports a span that started at `startMs` (from {@link spanStart}) and ends now. */
export function recordSpan(handle: number, kind: number, a: string, b: string, c: string, n: number, startMs: number, error?: unknown): void {
  native().traceSpan(handle, kind, a, b, c, n, performance.now() - startMs, error === undefined ? null : errorText(error));
}

/** Reports a log line (level 0 trace … 4 error) with its fields (JSON object text, or null). */
export function recordLog(handle: number, level: number, message: string, fields: string | null): void {
  native().traceLog(handle, level, message, fields);
}

/** Reports an error thrown in the work of `handle`, with its stack. The stack stays in the trace (server side). */
export function recordError(handle: number, e: unknown, code = "internal"): void {
  if (!handle) return;
  const message = e instanceof Error ? e.message : String(e);
  const stack = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  try {
    native().traceError(handle, code, message, stack);
  } catch {
    // Tracing never turns a handled failure into another one (e.g. the addon predates the call).
  }
}
