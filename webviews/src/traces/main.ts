/**
 * The trace viewer webview: the list of recent requests (method, path, status, duration) and the waterfall of the
 * selected trace. Everything it shows comes from typed host messages and is written with textContent, never HTML.
 */
import { formatDuration, spanDetail, type TraceSummary, type TraceView } from "@reprise/protocol";
import { pageHost } from "../host.js";
import type { HostToTraces, TracesState, TracesToHost } from "./messages.js";
import { ticks, waterfall } from "./layout.js";

// VS Code's webview API, or the browser dashboard's host (webviews/src/dashboard/main.ts).
const vscode = pageHost<TracesState, TracesToHost, HostToTraces>();
let state: TracesState = vscode.getState() ?? { selected: null };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour12: false }) + "." + String(Math.floor(ms % 1000)).padStart(3, "0");
}

function renderList(traces: TraceSummary[], status: string): void {
  $("status").textContent = status;
  const body = $("rows");
  body.replaceChildren();
  for (const t of traces) {
    const tr = el("tr", `trace${t.error ? " error" : ""}${t.traceId === state.selected ? " selected" : ""}`);
    tr.dataset.traceId = t.traceId;
    const method = t.kind === "http" ? t.method : t.kind;
    const path = t.kind === "http" ? t.path : t.kind === "message" ? `${t.path} → ${t.endpoint}` : t.name;
    const code = t.status ? String(t.status) : t.error ? "error" : "ok";
    for (const [text, cls] of [[clock(t.startUnixMs), ""], [method, ""], [path, ""], [code, "status"], [formatDuration(t.durationNs), ""], [String(t.spanCount), ""]] as const) {
      tr.append(el("td", cls, text));
    }
    tr.addEventListener("click", () => open(t.traceId));
    body.append(tr);
  }
}

function open(traceId: string): void {
  state = { selected: traceId };
  vscode.setState(state);
  for (const row of document.querySelectorAll<HTMLElement>("tr.trace")) row.classList.toggle("selected", row.dataset.traceId === traceId);
  vscode.postMessage({ type: "open", traceId });
}

function renderTrace(trace: TraceView, revealable: Set<string>): void {
  const { totalNs, rows } = waterfall(trace);
  $("detail").hidden = false;
  $("detail-title").textContent = `Trace ${trace.traceId} · ${formatDuration(totalNs)} · ${trace.spans.length} spans`;
  const axis = $("axis");
  const tickBox = el("div", "ticks");
  for (const t of ticks(totalNs)) {
    const mark = el("span", undefined, formatDuration(Math.round(t)));
    mark.style.left = `${(t / totalNs) * 100}%`;
    tickBox.append(mark);
  }
  axis.replaceChildren(el("div"), tickBox);
  const box = $("waterfall");
  box.replaceChildren();
  for (const row of rows) {
    const s = row.span;
    const canReveal = revealable.has(s.spanId);
    const line = el("div", `wf-row span${canReveal ? " revealable" : ""}`);
    line.dataset.spanId = s.spanId;
    const name = el("div", "wf-name", s.name);
    name.style.paddingLeft = `${row.depth * 14}px`;
    name.title = canReveal ? "Go to the endpoint's source" : s.name;
    const track = el("div", "wf-track");
    const bar = el("div", `wf-bar kind-${s.kind}${s.error ? " error" : ""}`);
    bar.style.left = `${row.left * 100}%`;
    bar.style.width = `${row.width * 100}%`;
    const label = el("span", "wf-label", `${formatDuration(s.durationNs)} ${spanDetail(s)}`);
    label.style.left = `${Math.min(row.left + row.width, 0.7) * 100}%`;
    track.append(bar, label);
    line.append(name, track);
    line.addEventListener("click", () => {
      $("selected-span").textContent = describe(trace, s.spanId);
      if (canReveal) vscode.postMessage({ type: "reveal", traceId: trace.traceId, spanId: s.spanId });
    });
    box.append(line);
    for (const e of s.events) {
      const text = e.type === "log" ? `· ${e.level} ${e.message}` : `✗ ${e.code}: ${e.message}\n${e.stack.split("\n").slice(1, 6).join("\n")}`;
      const ev = el("div", `wf-event${e.type === "error" ? " error" : ""}`, text);
      ev.style.marginLeft = `${row.depth * 14 + 24}px`;
      box.append(ev);
    }
  }
}

function describe(trace: TraceView, spanId: string): string {
  const s = trace.spans.find((x) => x.spanId === spanId);
  if (!s) return "";
  const lines = [`${s.name} (${s.kind})  ${formatDuration(s.durationNs)} at +${formatDuration(s.startOffsetNs)}`, spanDetail(s)];
  if (s.error) lines.push(`error: ${s.error}`);
  for (const [k, v] of Object.entries(s.attributes)) lines.push(`${k} = ${JSON.stringify(v)}`);
  for (const l of s.links) lines.push(`linked to span ${l.spanId} of trace ${l.traceId}`);
  lines.push(`span ${s.spanId}${s.parentSpanId ? `, parent ${s.parentSpanId}${s.parentIsRemote ? " (remote)" : ""}` : ""}`);
  return lines.filter(Boolean).join("\n");
}

vscode.onMessage((m) => {
  if (m.type === "list") {
    const status = m.error ?? `${m.traces.length} recent traces from ${m.baseUrl}${m.stats?.sampledOut ? ` (${m.stats.sampledOut} sampled out)` : ""}`;
    renderList(m.traces, status);
  } else if (m.type === "trace") {
    renderTrace(m.trace, new Set(m.revealable));
  } else if (m.type === "traceError") {
    $("detail").hidden = false;
    $("detail-title").textContent = `Trace ${m.traceId}: ${m.message}`;
    $("waterfall").replaceChildren();
  }
});

$("refresh").addEventListener("click", () => vscode.postMessage({ type: "refresh" }));
vscode.postMessage({ type: "ready", state });
