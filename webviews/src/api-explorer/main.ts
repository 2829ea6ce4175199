/**
 * API explorer webview: shows the pre-filled request for one endpoint, lets the user edit it and asks the host
 * to send it (the host does the HTTP call, so the page needs no network access and the CSP stays closed).
 * Shows status, headers, body and timing of the answer. In publish mode (target kind "topic") the draft is the
 * message for the runtime's admin publish route and the answer is summarised as the message id or the error.
 */
import type { PathSegment } from "@reprise/protocol";
import type { CallResult, ExplorerState, ExplorerTargetKind, ExplorerToHost, HeaderLine, HostToExplorer, RequestDraft } from "../messages.js";
import { pageHost } from "../host.js";
import { publishOutcome } from "../request-template.js";
import { fieldValue, historyLabel, validateParam, withFieldValue, type HistoryEntry, type ParamField } from "../request-params.js";

// VS Code's webview API, or the browser dashboard's host (webviews/src/dashboard/main.ts).
const vscode = pageHost<ExplorerState, ExplorerToHost, HostToExplorer>();
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
const paramsSection = $<HTMLDivElement>("params-section");
const paramsGrid = $<HTMLDivElement>("params");
const paramProblems = $<HTMLSpanElement>("param-problems");
const historyRow = $<HTMLDivElement>("history-row");
const historySelect = $<HTMLSelectElement>("history");
const clearHistory = $<HTMLButtonElement>("clear-history");

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
  refreshFields();
}

// ---------- parameter fields ----------

interface FieldView {
  field: ParamField;
  input: HTMLInputElement | HTMLSelectElement;
  error: HTMLSpanElement;
}
let fieldViews: FieldView[] = [];
let segments: PathSegment[] = [];

/** Builds one labelled input per field (a select for enums and booleans). */
function showFields(fields: ParamField[], pathSegments: PathSegment[]): void {
  segments = pathSegments;
  paramsGrid.replaceChildren();
  fieldViews = [];
  paramsSection.hidden = fields.length === 0;
  fields.forEach((field, i) => {
    const id = `param-${i}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = field.name;
    if (field.required) label.append(Object.assign(document.createElement("span"), { className: "req", textContent: " *", title: "required" }));
    label.append(Object.assign(document.createElement("span"), { className: "source", textContent: field.source }));
    const choices = field.enum ?? (field.type === "boolean" && !field.array ? ["true", "false"] : null);
    let input: HTMLInputElement | HTMLSelectElement;
    if (choices && !field.array) {
      const select = document.createElement("select");
      select.add(new Option(field.required ? "(choose)" : "(not sent)", ""));
      for (const c of choices) select.add(new Option(c, c));
      input = select;
    } else {
      const text = document.createElement("input");
      text.type = "text";
      text.spellcheck = false;
      text.placeholder = placeholder(field);
      input = text;
    }
    input.id = id;
    input.dataset.source = field.source;
    input.dataset.name = field.name;
    const error = Object.assign(document.createElement("span"), { className: "error" });
    error.id = `${id}-error`;
    input.setAttribute("aria-describedby", error.id);
    const cell = Object.assign(document.createElement("div"), { className: "cell" });
    cell.append(input);
    const hint = [field.description, field.array ? "comma-separated" : ""].filter(Boolean).join(" · ");
    if (hint) cell.append(Object.assign(document.createElement("span"), { className: "hint", textContent: hint }));
    cell.append(error);
    paramsGrid.append(label, cell);
    const view = { field, input, error };
    fieldViews.push(view);
    input.addEventListener(input instanceof HTMLSelectElement ? "change" : "input", () => onFieldInput(view));
  });
  refreshFields();
}

function placeholder(f: ParamField): string {
  const parts: string[] = [f.array ? `${f.type}[]` : f.type];
  if (f.format) parts.push(f.format);
  if (f.minimum !== undefined || f.maximum !== undefined) parts.push(`${f.minimum ?? ""}…${f.maximum ?? ""}`);
  if (f.pattern) parts.push(`/${f.pattern}/`);
  return parts.join(" · ");
}

/** A field changed: write it into the raw request and check it. */
function onFieldInput(view: FieldView): void {
  const next = withFieldValue(currentDraft(), view.field, view.input.value, segments);
  if (view.field.source === "path") path.value = next.path;
  if (view.field.source === "query") query.value = linesOf(next.query, "=");
  if (view.field.source === "header") headers.value = linesOf(next.headers, ": ");
  showValidity(view, view.input.value);
  countProblems();
  saveDraft();
}

/** The raw request changed (or a new draft came): every field shows and checks what will be sent. */
function refreshFields(): void {
  if (fieldViews.length === 0) return;
  const d = currentDraft();
  for (const v of fieldViews) {
    const value = fieldValue(v.field, d, segments);
    if (document.activeElement !== v.input) {
      if (v.input instanceof HTMLSelectElement && value !== "" && ![...v.input.options].some((o) => o.value === value)) v.input.add(new Option(value, value));
      v.input.value = value;
    }
    showValidity(v, value);
  }
  countProblems();
}

function showValidity(v: FieldView, value: string): void {
  const why = validateParam(v.field, value);
  v.error.textContent = why ?? "";
  v.input.setAttribute("aria-invalid", why ? "true" : "false");
}

function countProblems(): void {
  const n = fieldViews.filter((v) => v.input.getAttribute("aria-invalid") === "true").length;
  paramProblems.textContent = n ? `${n} invalid` : "";
}

// ---------- history ----------

let history: HistoryEntry[] = [];

function showHistory(entries: HistoryEntry[]): void {
  history = entries;
  historyRow.hidden = entries.length === 0;
  historySelect.replaceChildren(new Option(`History (${entries.length})`, ""));
  entries.forEach((e, i) => historySelect.add(new Option(historyLabel(e), String(i))));
  historySelect.value = "";
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

vscode.onMessage((msg) => {
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
      showFields(e.fields ?? [], e.pathSegments ?? []);
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
    case "history":
      showHistory(msg.entries);
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
for (const el of [path, query, headers]) el.addEventListener("input", refreshFields);
historySelect.addEventListener("change", () => {
  const entry = history[Number(historySelect.value)];
  if (historySelect.value === "" || !entry) return;
  showDraft(entry.draft);
  saveDraft();
  historySelect.value = "";
});
clearHistory.addEventListener("click", () => vscode.postMessage({ type: "clearHistory" }));

setMode(mode);
if (state.draft) showDraft(state.draft);
vscode.postMessage({ type: "ready", state: vscode.getState() ?? null });
