/**
 * `reprise/log` (and `encore.dev/log`): structured logging, one JSON object per line on stdout with the level,
 * time, message, fields, and the service/endpoint of the current request. `REPRISE_LOG_LEVEL` (trace, debug,
 * info, warn, error) filters; default trace. Inside a traced request, delivery or cron run the line is also a log
 * event on the trace's current span.
 */
import { currentState } from "../internal/context.js";
import { recordLog, tracedHandle } from "../internal/tracing.js";

export enum LogLevel {
  Trace = "trace",
  Debug = "debug",
  Info = "info",
  Warn = "warn",
  Error = "error",
}

export type FieldValue = string | number | boolean | null | undefined | Date | FieldValue[] | { [key: string]: FieldValue } | unknown;
export interface FieldsObject {
  [key: string]: FieldValue;
}

const ORDER: Record<string, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

function threshold(): number {
  return ORDER[(process.env.REPRISE_LOG_LEVEL ?? "trace").toLowerCase()] ?? 0;
}

function errorFields(err: unknown): FieldsObject {
  if (err instanceof Error) return { error: err.message, stack: err.stack };
  return { error: String(err) };
}

function safe(v: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(v, (_k, val) => {
    if (typeof val === "bigint") return val.toString();
    if (val instanceof Error) return { message: val.message, stack: val.stack };
    if (typeof val === "object" && val !== null) {
      if (seen.has(val)) return "[circular]";
      seen.add(val);
    }
    return val;
  });
}

export class Logger {
  constructor(private readonly fields: FieldsObject = {}) {}

  /** A logger adding `fields` to every entry. */
  with(fields: FieldsObject): Logger {
    return new Logger({ ...this.fields, ...fields });
  }

  trace(msg: string, fields?: FieldsObject): void {
    this.write(LogLevel.Trace, msg, fields);
  }
  debug(msg: string, fields?: FieldsObject): void {
    this.write(LogLevel.Debug, msg, fields);
  }
  info(msg: string, fields?: FieldsObject): void {
    this.write(LogLevel.Info, msg, fields);
  }
  /** `warn(msg, fields?)`, `warn(err, fields?)` or `warn(err, msg, fields?)`. */
  warn(errOrMsg: unknown, msgOrFields?: string | FieldsObject, fields?: FieldsObject): void {
    this.errorLike(LogLevel.Warn, errOrMsg, msgOrFields, fields);
  }
  /** `error(msg, fields?)`, `error(err, fields?)` or `error(err, msg, fields?)`. */
  error(errOrMsg: unknown, msgOrFields?: string | FieldsObject, fields?: FieldsObject): void {
    this.errorLike(LogLevel.Error, errOrMsg, msgOrFields, fields);
  }

  private errorLike(level: LogLevel, a: unknown, b?: string | FieldsObject, c?: FieldsObject): void {
    if (typeof a === "string") return this.write(level, a, b as FieldsObject | undefined);
    const msg = typeof b === "string" ? b : a instanceof Error ? a.message : String(a);
    const fields = typeof b === "string" ? c : b;
    this.write(level, msg, { ...errorFields(a), ...fields });
  }

  private write(level: LogLevel, message: string, fields?: FieldsObject): void {
    if (ORDER[level] < threshold()) return;
    const st = currentState();
    const entry: FieldsObject = { level, time: new Date().toISOString(), message };
    if (st) {
      entry.service = st.endpoint.service;
      entry.endpoint = st.endpoint.name;
    }
    Object.assign(entry, this.fields, fields);
    process.stdout.write(safe(entry) + "\n");
    const handle = tracedHandle();
    if (handle) {
      const all = fields ? { ...this.fields, ...fields } : this.fields;
      recordLog(handle, ORDER[level], message, Object.keys(all).length ? safe(all) : null);
    }
  }
}

const log = new Logger();
export default log;

export const trace = log.trace.bind(log);
export const debug = log.debug.bind(log);
export const info = log.info.bind(log);
export const warn = log.warn.bind(log);
export const error = log.error.bind(log);
