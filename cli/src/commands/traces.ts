/**
 * `reprise traces [--url URL] [--json] [--limit N] [ID]`: reads the running app's recent traces from the runtime's
 * loopback trace endpoint (`GET /__reprise/traces`) and lists them, or prints one trace as a tree of spans.
 * ID may be a prefix of a listed trace id.
 */
import {
  TRACE_API_PATH,
  formatDuration,
  spanDetail,
  spanRows,
  type TraceList,
  type TraceSummary,
  type TraceView,
} from "@reprise/protocol";

export const TRACES_USAGE = `Usage: reprise traces [--url URL] [--json] [--limit N] [ID]

List the recent traces of a running app (\`reprise run\`), or print one as a tree of spans.

Options:
  --url URL     the app's base URL (default: $REPRISE_URL or http://127.0.0.1:$PORT, port 4000)
  --json        print the endpoint's JSON instead of text
  --limit N     how many traces to list (default 20)
  ID            a trace id, or a unique prefix of one from the list`;

interface TracesArgs {
  url: string;
  json: boolean;
  limit: number;
  id: string | null;
  help: boolean;
}

class UsageError extends Error {}

export function parseTracesArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): TracesArgs {
  const out: TracesArgs = {
    url: env.REPRISE_URL || `http://127.0.0.1:${env.PORT || 4000}`,
    json: false,
    limit: 20,
    id: null,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (name: string) => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined || v === "") throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (a === "--help" || a === "-h") out.help = true;
    else if (a === "--json") out.json = true;
    else if (a === "--url" || a.startsWith("--url=")) out.url = value("--url");
    else if (a === "--limit" || a.startsWith("--limit=")) {
      const v = value("--limit");
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit must be a positive integer, got '${v}'`);
      out.limit = n;
    } else if (a.startsWith("-")) throw new UsageError(`unknown option '${a}'`);
    else if (out.id === null) {
      if (!/^[0-9a-f]{1,32}$/.test(a)) throw new UsageError(`'${a}' is not a trace id (lower-case hex)`);
      out.id = a;
    } else throw new UsageError(`unexpected argument '${a}'`);
  }
  try {
    const u = new URL(out.url);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError(`--url '${out.url}' is not an http:// URL`);
  }
  return out;
}

class FetchError extends Error {}

async function getJson<T>(base: string, path: string): Promise<T> {
  const url = new URL(path, base).toString();
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause?.code ?? (e as { cause?: Error }).cause?.message ?? (e as Error).message;
    throw new FetchError(`cannot reach the runtime at ${base} (${cause}); is the app running with \`reprise run\`?`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new FetchError(`${url} answered ${response.status} with a body that is not JSON; is ${base} a Reprise app?`);
  }
  if (!response.ok) {
    const message = (body as { message?: string }).message ?? `HTTP ${response.status}`;
    throw new FetchError(message);
  }
  return body as T;
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
  const header = ["TIME", "REQUEST", "STATUS", "DURATION", "SPANS", "TRACE"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  const out = [line(header), ...rows.map(line)];
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

export async function run(argv: string[]): Promise<number> {
  let args: TracesArgs;
  try {
    args = parseTracesArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`reprise traces: ${e.message}\n\n${TRACES_USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    console.log(TRACES_USAGE);
    return 0;
  }
  try {
    if (args.id === null) {
      const list = await getJson<TraceList>(args.url, `${TRACE_API_PATH}?limit=${args.limit}`);
      console.log(args.json ? JSON.stringify(list, null, 2) : formatList(list));
      return 0;
    }
    let id = args.id;
    if (id.length < 32) {
      const list = await getJson<TraceList>(args.url, `${TRACE_API_PATH}?limit=100000`);
      const matches = list.traces.filter((t) => t.traceId.startsWith(id));
      if (matches.length !== 1) {
        console.error(`reprise traces: ${matches.length === 0 ? "no stored trace starts with" : "more than one trace starts with"} '${id}'`);
        return 1;
      }
      id = matches[0]!.traceId;
    }
    const trace = await getJson<TraceView>(args.url, `${TRACE_API_PATH}/${id}`);
    console.log(args.json ? JSON.stringify(trace, null, 2) : formatTrace(trace));
    return 0;
  } catch (e) {
    if (e instanceof FetchError) {
      console.error(`reprise traces: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
