/**
 * `reprise traces [--port N | --url URL] [--json] [--limit N] [ID]`: reads the running app's recent traces from the
 * runtime's trace endpoint (`GET /__reprise/traces`, a tool route: the app and its token are found as for
 * `reprise cron`, cli/src/admin/client.ts) and lists them, or prints one trace as a tree of spans. ID may be a
 * prefix of a listed trace id.
 */
import { formatTable } from "../render/table.js";
import {
  TRACE_API_PATH,
  formatDuration,
  spanDetail,
  spanRows,
  type TraceList,
  type TraceSummary,
  type TraceView,
} from "@reprise/protocol";
import { TARGET_OPTIONS, UsageError, parseTargetArgs, runCommand, toolRequest, type TargetArgs } from "../admin/client.js";

export const TRACES_USAGE = `Usage: reprise traces [options] [ID]

List the recent traces of a running app (\`reprise run\`), or print one as a tree of spans.

Options:
${TARGET_OPTIONS}
  --limit N     how many traces to list (default 20)
  ID            a trace id, or a unique prefix of one from the list`;

export interface TracesArgs {
  target: TargetArgs;
  limit: number;
  id: string | null;
}

/** The command line, checked (no IO). */
export function parseTracesArgs(argv: string[]): TracesArgs {
  const target = parseTargetArgs(argv, ["--limit"]);
  let limit = 20;
  const v = target.options["--limit"];
  if (v !== undefined) {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit must be a positive integer, got '${v}'`);
    limit = n;
  }
  const [id = null, extra] = target.positional;
  if (id !== null && !/^[0-9a-f]{1,32}$/.test(id)) throw new UsageError(`'${id}' is not a trace id (lower-case hex)`);
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  return { target, limit, id };
}

function time(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}:${String(d.getSeconds()).padStart(2, "0")}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

function what(t: TraceSummary): string {
  if (t.kind === "http") return `${t.method} ${t.path}`;
  if (t.kind === "message") return `message ${t.path} → ${t.endpoint}`;
  if (t.kind === "cron") return `cron ${t.path}`;
  return t.name;
}

export function formatList(list: TraceList): string {
  if (list.traces.length === 0) {
    return `No traces yet (${list.stats.finished} finished, ${list.stats.sampledOut} sampled out). Send the app a request and try again.`;
  }
  const rows = list.traces.map((t) => [
    time(t.startUnixMs),
    what(t),
    t.status ? String(t.status) : t.error ? "error" : "ok",
    formatDuration(t.durationNs),
    String(t.spanCount),
    t.traceId,
  ]);
  const out = formatTable(["TIME", "REQUEST", "STATUS", "DURATION", "SPANS", "TRACE"], rows, { trimEnd: false }).split("\n");
  const s = list.stats;
  const notes = [`${s.stored} stored`];
  if (s.sampledOut) notes.push(`${s.sampledOut} sampled out`);
  if (s.droppedQueueFull) notes.push(`${s.droppedQueueFull} dropped (queue full)`);
  if (s.exportFailures) notes.push(`${s.exportFailures} OTLP export failures`);
  out.push("", notes.join(", "));
  return out.join("\n");
}

export function formatTrace(trace: TraceView): string {
  const out: string[] = [`trace ${trace.traceId}  ${new Date(trace.startUnixMs).toISOString()}`];
  for (const row of spanRows(trace)) {
    const prefix = row.ancestorsLast.slice(1).map((last) => (last ? "   " : "│  ")).join("") + (row.depth === 0 ? "" : row.last ? "└─ " : "├─ ");
    const cont = row.ancestorsLast.slice(1).map((last) => (last ? "   " : "│  ")).join("") + (row.depth === 0 ? "" : row.last ? "   " : "│  ");
    const s = row.span;
    const detail = spanDetail(s);
    const at = `+${formatDuration(s.startOffsetNs)}`;
    out.push(`${prefix}${s.name}  ${formatDuration(s.durationNs)}  ${at}${detail ? `  ${detail}` : ""}${s.error ? `  ✗ ${s.error}` : ""}${s.parentIsRemote ? "  (remote parent)" : ""}`);
    for (const e of s.events) {
      if (e.type === "log") {
        const fields = Object.entries(e.fields).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ");
        out.push(`${cont}  · ${e.level} ${e.message}${fields ? ` ${fields}` : ""}`);
      } else {
        out.push(`${cont}  ✗ ${e.code}: ${e.message}`);
        for (const frame of e.stack.split("\n").slice(1, 6)) out.push(`${cont}      ${frame.trim()}`);
      }
    }
    for (const l of s.links) out.push(`${cont}  ↪ linked to span ${l.spanId} of trace ${l.traceId}`);
  }
  if (trace.droppedSpans) out.push(`(${trace.droppedSpans} spans dropped at the per-trace limit)`);
  return out.join("\n");
}

export function run(argv: string[]): Promise<number> {
  return runCommand(
    "traces",
    TRACES_USAGE,
    argv,
    async (_, target) => {
      const args = parseTracesArgs(argv);
      const t = await target();
      if (args.id === null) {
        const list = await toolRequest<TraceList>(t, `${TRACE_API_PATH}?limit=${args.limit}`, { method: "GET" });
        console.log(args.target.json ? JSON.stringify(list, null, 2) : formatList(list));
        return 0;
      }
      let id = args.id;
      if (id.length < 32) {
        const list = await toolRequest<TraceList>(t, `${TRACE_API_PATH}?limit=100000`, { method: "GET" });
        const matches = list.traces.filter((x) => x.traceId.startsWith(id));
        if (matches.length !== 1) {
          console.error(`reprise traces: ${matches.length === 0 ? "no stored trace starts with" : "more than one trace starts with"} '${id}'`);
          return 1;
        }
        id = matches[0]!.traceId;
      }
      const trace = await toolRequest<TraceView>(t, `${TRACE_API_PATH}/${id}`, { method: "GET" });
      console.log(args.target.json ? JSON.stringify(trace, null, 2) : formatTrace(trace));
      return 0;
    },
    ["--limit"],
  );
}
