/**
 * API explorer webview: shows the pre-filled request for one endpoint, lets the user edit it and asks the host
 * to send it (the host does the HTTP call, so the page needs no network access and the CSP stays closed).
 * Shows status, headers, body and timing of the answer. In publish mode (target kind "topic") the draft is the
 * message for the runtime's admin publish route and the answer is summarised as the message id or the error.
 */
import type { CallResult, ExplorerState, ExplorerTargetKind, ExplorerToHost, HeaderLine, HostToExplorer, RequestDraft } from "../messages.js";
import { vscodeApi } from "../vscode-webview.js";
import { publishOutcome } from "../request-template.js";

const vscode = vscodeApi<ExplorerState, ExplorerToHost>();
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const title = $<HTMLHeadingElement>("title");
const doc = $<HTMLParagraphElement>("doc");
const method = $<HTMLSelectElement>("method");
const path = $<HTMLInputElement>("path");
const query = $<HTMLTextAreaElement>("query");
const headers = $<HTMLTextAreaElement>("headers");
const body = $<HTMLTextAreaElement>("body");
const send = $<HTMLButtonElement>("send");
const startApp = $<HTMLButtonElement>("start-app");
const appState = $<HTMLSpanElement>("app-state");
const resStatus = $<HTMLSpanElement>("res-status");
const resTime = $<HTMLSpanElement>("res-time");
const resHeaders = $<HTMLPreElement>("res-headers");
const resBody = $<HTMLPreElement>("res-body");
const resSummary = $<HTMLParagraphElement>("res-summary");
const requestMeta = $<HTMLDivElement>("request-meta");
const bodyLabel = $<HTMLLabelElement>("body-label");

let state: ExplorerState = vscode.getState() ?? { endpoint: null, draft: null };
let nextId = 1;
let pending: number | null = null;
let mode: ExplorerTargetKind = state.endpoint?.kind ?? "endpoint";

const linesOf = (items: HeaderLine[], sep: string) => items.map((h) => `${h.name}${sep}${h.value}`).join("\n");
function parseLines(text: string, sep: string): HeaderLine[] {
  const out: HeaderLine[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const i = line.indexOf(sep);
    out.push(i < 0 ? { name: line.trim(), value: "" } : { name: line.slice(0, i).trim(), value: line.slice(i + sep.length).trim() });
  }
  return out;
}

function showDraft(d: RequestDraft): void {
  if (![...method.options].some((o) => o.value === d.method)) method.add(new Option(d.method, d.method));
  method.value = d.method;
  path.value = d.path;
  query.value = linesOf(d.query, "=");
  headers.value = linesOf(d.headers, ": ");
  body.value = d.body;
}

function currentDraft(): RequestDraft {
  return { method: method.value, path: path.value, query: parseLines(query.value, "="), headers: parseLines(headers.value, ":"), body: body.value };
}

function saveDraft(): void {
  state = { ...state, draft: currentDraft() };
  vscode.setState(state);
}

function showResult(r: CallResult): void {
  resStatus.textContent = r.error ? `Error: ${r.error}` : `${r.status} ${r.statusText}`;
  resStatus.className = r.error ? "status error" : r.status < 400 ? "status ok" : "status fail";
  resTime.textContent = `${r.timeMs.toFixed(1)} ms`;
  resHeaders.textContent = linesOf(r.headers, ": ");
  let text = r.body;
  try {
    if (r.headers.some((h) => h.name.toLowerCase() === "content-type" && h.value.includes("json"))) text = JSON.stringify(JSON.parse(r.body), null, 2);
  } catch {
    // not JSON after all: show it as sent
  }
  resBody.textContent = text + (r.truncated ? "\n… (truncated)" : "");
  showSummary(r);
}

/** Publish mode: the one line a user looks for — the message id, or why the runtime refused the message. */
function showSummary(r: CallResult): void {
  resSummary.hidden = mode !== "topic";
  if (mode !== "topic") return;
  const outcome = publishOutcome(r);
  resSummary.textContent = outcome.ok ? `Published: message id ${outcome.messageId}` : `Not published: ${outcome.reason}`;
  resSummary.className = outcome.ok ? "summary ok" : "summary fail";
}

function setMode(kind: ExplorerTargetKind): void {
  mode = kind;
  const publish = kind === "topic";
  method.disabled = publish;
  path.readOnly = publish;
  requestMeta.hidden = publish;
  bodyLabel.textContent = publish ? "Message (JSON)" : "JSON body";
  send.textContent = publish ? "Publish" : "Send";
  resSummary.hidden = true;
}

window.addEventListener("message", (event: MessageEvent<HostToExplorer>) => {
  const msg = event.data;
  switch (msg.type) {
    case "endpoint": {
      const e = msg.endpoint;
      setMode(e.kind);
      if (e.kind === "topic") {
        title.textContent = `Publish to topic ${e.name}`;
        doc.textContent = e.doc ?? "";
      } else {
        title.textContent = `${e.service}.${e.name}`;
        doc.textContent = `${e.methods.join(", ")} ${e.path}${e.auth ? " · requires auth" : ""}${e.doc ? ` — ${e.doc}` : ""}`;
      }
      const saved = state.endpoint;
      const same = saved && (saved.kind ?? "endpoint") === e.kind && saved.service === e.service && saved.name === e.name && saved.rootUri === e.rootUri;
      showDraft(!msg.fresh && same && state.draft ? state.draft : msg.draft);
      state = { endpoint: { rootUri: e.rootUri, service: e.service, name: e.name, kind: e.kind }, draft: currentDraft() };
      vscode.setState(state);
      showAppState(msg.running, msg.baseUrl);
      break;
    }
    case "appState":
      showAppState(msg.running, msg.baseUrl);
      break;
    case "sendNow":
      send.click();
      break;
    case "response":
      if (msg.id !== pending) return; // an answer to a request the user has since replaced
      pending = null;
      send.disabled = false;
      showResult(msg.result);
      break;
  }
});

function showAppState(running: boolean, baseUrl: string): void {
  appState.textContent = running ? `app running at ${baseUrl}` : "app not running";
  appState.className = running ? "app running" : "app stopped";
  startApp.hidden = running;
}

send.addEventListener("click", () => {
  saveDraft();
  pending = nextId++;
  send.disabled = true;
  resStatus.textContent = "sending…";
  resStatus.className = "status";
  resSummary.hidden = true;
  vscode.postMessage({ type: "send", id: pending, request: currentDraft() });
});
startApp.addEventListener("click", () => vscode.postMessage({ type: "startApp" }));
for (const el of [method, path, query, headers, body]) el.addEventListener("change", saveDraft);

setMode(mode);
if (state.draft) showDraft(state.draft);
vscode.postMessage({ type: "ready", state: vscode.getState() ?? null });
