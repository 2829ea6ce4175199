/**
 * The runtime's trace endpoint (`GET /__reprise/traces[/ID]`, behind the tool routes' gate: tool-routes.ts), as
 * JSON: the types the CLI (`reprise traces`) and the editor's trace viewer read, and the pure helpers both use to
 * lay a trace out.
 * The Rust side is runtime/trace/src/api.rs; the binary format behind it is docs/trace-format.md.
 */

export const TRACE_API_PATH = "/__reprise/traces";
/** Response header naming the kept trace of a request (absent when the trace was sampled out). */
export const TRACE_ID_HEADER = "x-reprise-trace-id";

export type SpanKindName = "http" | "auth" | "call" | "db" | "publish" | "message" | "cron" | "bucket" | "internal";

export interface TraceSummary {
  traceId: string;
  kind: SpanKindName;
  name: string;
  method: string;
  path: string;
  route: string;
  service: string;
  endpoint: string;
  /** HTTP status for HTTP roots; 0 otherwise. */
  status: number;
  /** Unix nanoseconds as a decimal string (exceeds a JS number's exact range). */
  startUnixNs: string;
  startUnixMs: number;
  durationNs: number;
  error: boolean;
  spanCount: number;
  encodedBytes: number;
}

export interface TracerStats {
  finished: number;
  sampledOut: number;
  keptErrors: number;
  submitted: number;
  droppedQueueFull: number;
  written: number;
  stored: number;
  storedBytes: number;
  evicted: number;
  exportQueued: number;
  exportDropped: number;
  exportedSpans: number;
  exportFailures: number;
}

export interface TraceList {
  traces: TraceSummary[];
  stats: TracerStats;
}

export type TraceEvent =
  | { type: "log"; offsetNs: number; level: string; message: string; fields: Record<string, unknown> }
  | { type: "error"; offsetNs: number; code: string; message: string; stack: string };

export interface SpanView {
  spanId: string;
  parentSpanId: string | null;
  parentIsRemote: boolean;
  kind: SpanKindName;
  name: string;
  /** Nanoseconds after the trace's start. */
  startOffsetNs: number;
  durationNs: number;
  /** The error message when the span failed. */
  error: string | null;
  /** Kind-specific fields: method/path/route/service/endpoint/status, database/statement/rows, topic/... */
  details: Record<string, string | number | boolean>;
  attributes: Record<string, unknown>;
  events: TraceEvent[];
  links: { traceId: string; spanId: string }[];
}

export interface TraceView {
  traceId: string;
  startUnixNs: string;
  startUnixMs: number;
  droppedSpans: number;
  spans: SpanView[];
}

/** A span with its depth in the tree, in display order (parents before children, siblings by start time). */
export interface SpanRow {
  span: SpanView;
  depth: number;
  /** For tree drawing: whether this span is the last child of its parent. */
  last: boolean;
  /** For tree drawing: for each ancestor level, whether that ancestor was a last child. */
  ancestorsLast: boolean[];
}

/** Orders a trace's spans as a tree. Spans whose parent is not in the trace (remote callers) are roots. */
export function spanRows(trace: TraceView): SpanRow[] {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const children = new Map<string | null, SpanView[]>();
  for (const span of trace.spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) && span.parentSpanId !== span.spanId ? span.parentSpanId : null;
    const list = children.get(parent) ?? [];
    list.push(span);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.startOffsetNs - b.startOffsetNs);
  const rows: SpanRow[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number, ancestorsLast: boolean[]) => {
    const list = children.get(parent) ?? [];
    list.forEach((span, i) => {
      if (seen.has(span.spanId)) return; // a cycle in corrupt input must not loop forever
      seen.add(span.spanId);
      const last = i === list.length - 1;
      rows.push({ span, depth, last, ancestorsLast });
      walk(span.spanId, depth + 1, [...ancestorsLast, last]);
    });
  };
  walk(null, 0, []);
  return rows;
}

/** "812 µs", "2.41 ms", "1.20 s". */
export function formatDuration(ns: number): string {
  if (ns < 1_000) return `${ns} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(0)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(2)} ms`;
  return `${(ns / 1_000_000_000).toFixed(2)} s`;
}

/** One line describing what a span did, beyond its name. */
export function spanDetail(span: SpanView): string {
  const d = span.details;
  switch (span.kind) {
    case "http":
      return `${d.method} ${d.path}${d.route && d.route !== d.path ? ` (${d.route})` : ""}${d.status ? ` → ${d.status}` : ""}`;
    case "auth":
      return `auth handler ${d.handler}: ${d.authenticated ? "authenticated" : "denied"}`;
    case "call":
      return `call ${d.service}.${d.endpoint}${d.status ? ` → ${d.status}` : ""}`;
    case "db":
      return `${d.database}: ${d.statement} (${d.rows} ${d.rows === 1 ? "row" : "rows"})`;
    case "publish":
      return `publish to ${d.topic}${d.messageId ? ` (${d.messageId})` : ""}`;
    case "message":
      return `${d.subscription} handling ${d.topic} (attempt ${d.attempt})`;
    case "cron":
      return `cron ${d.job} → ${d.endpoint}`;
    case "bucket":
      return `${d.bucket}: ${d.operation} ${d.object}`;
    default:
      return "";
  }
}

/** The endpoint a span ran, when it names one: what the viewer resolves to a source location via the app model. */
export function spanEndpoint(span: SpanView): { service: string; endpoint: string } | null {
  const { service, endpoint } = span.details;
  if ((span.kind === "http" || span.kind === "call") && typeof service === "string" && service && typeof endpoint === "string" && endpoint) {
    return { service, endpoint };
  }
  return null;
}
