/**
 * The browser dashboard's shell (`GET /__reprise/`, served by the runtime from the folder `reprise run` writes).
 * It takes the run's token from the address (`?token=` or `#token=`), removes it from the address bar at once
 * (history.replaceState), keeps it in memory only, and asks for it when absent or refused. It is the `Host` of the
 * data pages (the same `db-table` / `sql-console` bundles VS Code shows), which run in same-origin frames and find
 * their host through `parent.repriseDashboard.hostFor(target)` (frame.ts): their admin requests become `fetch`
 * with the token header, confirmations `window.confirm`, downloads a blob link. The shell's own views (databases,
 * buckets, migrations, pub/sub dead letters) use the same admin client over the same host.
 */
import {
  TRACE_API_PATH, type TraceList, type TraceView, ADMIN_APP_PATH, type AdminAppInfo, type AppModel, type Location, spanEndpoint, toGraph,
  BUCKETS_PATH, DATABASES_PATH, TOPICS_PATH, bucketObjectPath, bucketObjectsPath, dbMigrationsApplyPath, dbMigrationsPath, dbSchemaPath,
  deadLettersPath, redrivePath,
} from "@reprise/protocol";
import { adminClient, describeFailure } from "../admin-client.js";
import type { AdminMethod, Host, HostToPageCommon, PageToHostCommon, WireBody } from "../host.js";
import type { DataPageState, DataTarget, DataToHost, HostToData } from "../data/messages.js";
import type { HostToTraces, TracesState, TracesToHost } from "../traces/messages.js";
import type { CallResult, DiagramState, DiagramToHost, ExplorerState, ExplorerToHost, HostToDiagram, HostToExplorer, RequestDraft } from "../messages.js";
import { draftRequest, draftUrl } from "../request-template.js";
import { paramFields, pushHistory, type HistoryEntry } from "../request-params.js";

const UI = "/__reprise/ui/";
let token: string | null = null;

function takeTokenFromAddress(): void {
  const url = new URL(location.href);
  const hash = new URLSearchParams(url.hash.slice(1));
  const given = url.searchParams.get("token") ?? hash.get("token");
  if (given) token = given;
  if (url.searchParams.has("token") || hash.has("token")) {
    url.searchParams.delete("token");
    hash.delete("token");
    url.hash = hash.toString();
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
}

const toBase64 = (bytes: Uint8Array) => {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
const fromBase64 = (b: string) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0));

/** One admin request with the token; status 0 + error when there was no HTTP answer. */
async function adminFetch(method: AdminMethod, path: string, body?: WireBody, contentType?: string): Promise<Extract<HostToPageCommon, { type: "adminResult" }>> {
  const id = 0;
  if (!token) return { type: "adminResult", id, status: 0, contentType: "", body: "", error: "no token: paste the token `reprise run` printed" };
  try {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (contentType) headers["content-type"] = contentType;
    else if (typeof body === "string") headers["content-type"] = "application/json";
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : fromBase64(body.base64) });
    const ct = res.headers.get("content-type") ?? "";
    const text = /json|^text\//.test(ct) || res.status === 204;
    const answer = text ? await res.text() : { base64: toBase64(new Uint8Array(await res.arrayBuffer())) };
    if (res.status === 401) {
      token = null;
      askForToken("The token was refused (the app was restarted?). Paste the current one.");
    }
    return { type: "adminResult", id, status: res.status, contentType: ct, body: answer, error: null };
  } catch (e) {
    return { type: "adminResult", id, status: 0, contentType: "", body: "", error: `no answer from the app: ${(e as Error).message}` };
  }
}

async function download(path: string, fileName: string): Promise<{ ok: boolean; error: string | null }> {
  if (!token) return { ok: false, error: "no token" };
  try {
    const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) return { ok: false, error: `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}` };
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = fileName;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return { ok: true, error: null };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Answers one page → host request for `deliver` (a frame's page or the shell itself). */
async function answer(m: PageToHostCommon, deliver: (m: HostToPageCommon) => void): Promise<void> {
  if (m.type === "admin") deliver({ ...(await adminFetch(m.method, m.path, m.body, m.contentType)), id: m.id });
  else if (m.type === "confirm") deliver({ type: "confirmResult", id: m.id, ok: window.confirm(m.detail ? `${m.message}\n\n${m.detail}` : m.message) });
  else if (m.type === "download") deliver({ type: "downloadResult", id: m.id, ...(await download(m.path, m.fileName)) });
}

/**
 * A declaration as a `vscode://file/<path>:<line>:<column>` link (VS Code and Cursor register the scheme), put in
 * the status line for the user to click: following an external scheme from script would leave the page in the
 * middle of a navigation where no handler is registered. Null when the app's folder is not known.
 */
function revealIn(appRoot: string | null | undefined, loc: Location | null | undefined): string | null {
  if (!loc) return null;
  const file = loc.file.startsWith("/") ? loc.file : appRoot ? `${appRoot.replace(/\/$/, "")}/${loc.file}` : null;
  if (!file) return null;
  const line = loc.range.start.line + 1;
  const url = `vscode://file${file.split("/").map(encodeURIComponent).join("/")}:${line}:${loc.range.start.character + 1}`;
  shown.push({ type: "reveal", url });
  const a = document.createElement("a");
  a.id = "reveal";
  a.href = url;
  a.rel = "noreferrer";
  a.textContent = `Open ${loc.file}:${line} in VS Code`;
  statusLine.replaceChildren(a);
  return url;
}

/** What the frames' pages last reported (`shown`), for the status line and tests. */
const shown: unknown[] = [];

/**
 * The Host of the trace viewer in a frame: the list and each trace from the trace endpoint with the token; a span
 * of an endpoint opens the endpoint's declaration through a `vscode://file/…` link.
 */
function tracesHost(): Host<TracesState, TracesToHost, HostToTraces> {
  let handler: ((m: HostToTraces) => void) | null = null;
  const deliver = (m: HostToTraces) => handler?.(m);
  const getJson = async <T>(path: string): Promise<T> => {
    const r = await adminFetch("GET", path);
    if (r.error !== null) throw new Error(r.error);
    const text = typeof r.body === "string" ? r.body : "";
    if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  const refresh = async () => {
    try {
      const list = await getJson<TraceList>(`${TRACE_API_PATH}?limit=200`);
      deliver({ type: "list", baseUrl: location.origin, traces: list.traces, stats: list.stats, error: null });
    } catch (e) {
      deliver({ type: "list", baseUrl: location.origin, traces: [], stats: null, error: (e as Error).message });
    }
  };
  let app: AdminAppInfo | null = null;
  let shownTrace: TraceView | null = null;
  const locate = (spanId: string): Location | null => {
    const span = shownTrace?.spans.find((x) => x.spanId === spanId);
    const ref = span && spanEndpoint(span);
    const model = app?.model as AppModel | undefined;
    return (ref && model?.app.services.find((x) => x.name === ref.service)?.endpoints.find((e) => e.name === ref.endpoint)?.location) ?? null;
  };
  const open = async (traceId: string) => {
    if (!/^[0-9a-f]{32}$/.test(traceId)) return;
    try {
      if (!app) {
        const r = await admin.get<AdminAppInfo>(ADMIN_APP_PATH);
        if (r.ok) app = r.value;
      }
      shownTrace = await getJson<TraceView>(`${TRACE_API_PATH}/${traceId}`);
      const revealable = app?.appRoot ? shownTrace.spans.filter((x) => locate(x.spanId)).map((x) => x.spanId) : [];
      deliver({ type: "trace", trace: shownTrace, revealable });
    } catch (e) {
      deliver({ type: "traceError", traceId, message: (e as Error).message });
    }
  };
  return {
    postMessage(m) {
      if (m.type === "ready") void refresh().then(() => (m.state?.selected ? open(m.state.selected) : undefined));
      else if (m.type === "refresh") void refresh();
      else if (m.type === "open") void open(m.traceId);
      else if (m.type === "reveal") revealIn(app?.appRoot, locate(m.spanId));
    },
    onMessage: (h) => (handler = h),
    getState: () => {
      const saved = sessionStorage.getItem("reprise.page.traces");
      return saved ? (JSON.parse(saved) as TracesState) : undefined;
    },
    setState: (s) => sessionStorage.setItem("reprise.page.traces", JSON.stringify(s)),
  };
}

/**
 * The Host of the architecture diagram in a frame: the graph of the serving build's model (`/__reprise/admin/app`,
 * protocol's toGraph, as the language server makes it). Clicking a node opens its declaration through a
 * `vscode://file/…` link.
 */
function diagramHost(): Host<DiagramState, DiagramToHost, HostToDiagram> {
  let handler: ((m: HostToDiagram) => void) | null = null;
  const deliver = (m: HostToDiagram) => handler?.(m);
  let app: AdminAppInfo | null = null;
  let graph: ReturnType<typeof toGraph> | null = null;
  const load = async () => {
    const r = await admin.get<AdminAppInfo>(ADMIN_APP_PATH);
    if (!r.ok) return deliver({ type: "noApp", reason: describeFailure(r.status, r.error) });
    app = r.value;
    const model = r.value.model as AppModel;
    graph = toGraph(model);
    deliver({ type: "graph", rootUri: "app", generation: 1, graph, problems: r.value.diagnostics.length, appName: model.app.id || "app" });
  };
  return {
    postMessage(m) {
      if (m.type === "ready") void load();
      else if (m.type === "reveal") revealIn(app?.appRoot, graph?.nodes.find((n) => n.id === m.nodeId)?.location);
      else if (m.type === "rendered" || m.type === "renderError") shown.push(m);
    },
    onMessage: (h) => (handler = h),
    getState: () => {
      const saved = sessionStorage.getItem("reprise.page.diagram");
      return saved ? (JSON.parse(saved) as DiagramState) : undefined;
    },
    setState: (s) => sessionStorage.setItem("reprise.page.diagram", JSON.stringify(s)),
  };
}

type ExplorerTarget = { page: "explorer"; service: string; endpoint: string };
const BODY_DISPLAY_LIMIT = 1_000_000;

/** One request of the API explorer, from the page's own origin (the app's port); what fetch may not send (Host, Cookie) is left out. */
async function sendDraft(draft: RequestDraft): Promise<CallResult> {
  let url = "";
  const started = performance.now();
  try {
    url = draftUrl(location.origin, draft);
    const headers = new Headers();
    for (const h of draft.headers) if (h.name) headers.append(h.name, h.value);
    const method = draft.method.toUpperCase();
    const hasBody = draft.body.trim() !== "" && method !== "GET" && method !== "HEAD";
    const res = await fetch(url, { method, headers, body: hasBody ? draft.body : undefined, signal: AbortSignal.timeout(30_000), redirect: "manual", credentials: "omit" });
    const text = await res.text();
    const outHeaders: { name: string; value: string }[] = [];
    res.headers.forEach((value, name) => outHeaders.push({ name, value }));
    return { ok: res.ok, status: res.status, statusText: res.statusText, headers: outHeaders, body: text.slice(0, BODY_DISPLAY_LIMIT),
      truncated: text.length > BODY_DISPLAY_LIMIT, timeMs: performance.now() - started, error: null, url };
  } catch (e) {
    return { ok: false, status: 0, statusText: "", headers: [], body: "", truncated: false, timeMs: performance.now() - started, error: (e as Error).message, url };
  }
}

/**
 * The Host of the API explorer in a frame: the endpoint from the serving build's model, its draft and parameter
 * fields as VS Code's host makes them, requests sent from the page's origin, the history in sessionStorage.
 */
function explorerHost(target: ExplorerTarget): Host<ExplorerState, ExplorerToHost, HostToExplorer> {
  let handler: ((m: HostToExplorer) => void) | null = null;
  const deliver = (m: HostToExplorer) => handler?.(m);
  const historyKey = `reprise.history.${target.service}.${target.endpoint}`;
  const history = (): HistoryEntry[] => JSON.parse(sessionStorage.getItem(historyKey) ?? "[]") as HistoryEntry[];
  const stateKey = `reprise.page.explorer.${target.service}.${target.endpoint}`;
  const load = async (hasState: boolean) => {
    const r = await admin.get<AdminAppInfo>(ADMIN_APP_PATH);
    if (!r.ok) return;
    const model = r.value.model as AppModel;
    const e = model.app.services.find((s) => s.name === target.service)?.endpoints.find((x) => x.name === target.endpoint);
    if (!e) return;
    deliver({
      type: "endpoint", fresh: !hasState, draft: draftRequest(e), baseUrl: location.origin, running: true,
      endpoint: { kind: "endpoint", rootUri: "app", service: e.service, name: e.name, methods: e.method, path: e.path, doc: e.doc, auth: e.auth, fields: paramFields(e), pathSegments: e.pathSegments },
    });
    deliver({ type: "history", entries: history() });
  };
  return {
    postMessage(m) {
      if (m.type === "ready") void load(m.state !== null);
      else if (m.type === "send") {
        void sendDraft(m.request).then((result) => {
          deliver({ type: "response", id: m.id, result });
          const entries = pushHistory(history(), { at: Date.now(), draft: m.request, status: result.status, error: result.error, timeMs: result.timeMs });
          sessionStorage.setItem(historyKey, JSON.stringify(entries));
          deliver({ type: "history", entries });
        });
      } else if (m.type === "clearHistory") {
        sessionStorage.removeItem(historyKey);
        deliver({ type: "history", entries: [] });
      }
    },
    onMessage: (h) => (handler = h),
    getState: () => {
      const saved = sessionStorage.getItem(stateKey);
      return saved ? (JSON.parse(saved) as ExplorerState) : undefined;
    },
    setState: (s) => sessionStorage.setItem(stateKey, JSON.stringify(s)),
  };
}

type FrameTarget = DataTarget | { page: "traces" } | { page: "diagram" } | ExplorerTarget;

/** The Host of a page in a frame: a data page (target from the frame's URL, state in sessionStorage), the traces, the diagram or the API explorer. */
function hostFor(target: FrameTarget): unknown {
  if (target.page === "traces") return tracesHost();
  if (target.page === "diagram") return diagramHost();
  if (target.page === "explorer") return explorerHost(target);
  return dataHost(target);
}

function dataHost(target: DataTarget): Host<DataPageState, DataToHost, HostToData> {
  let handler: ((m: HostToData) => void) | null = null;
  const key = `reprise.page.${JSON.stringify(target)}`;
  const deliver = (m: HostToData) => setTimeout(() => handler?.(m), 0);
  return {
    postMessage(m) {
      if (m.type === "ready") deliver({ type: "target", target });
      else if (m.type === "openPage") openFrame(m.target);
      else if (m.type === "shown") shown.push(m);
      else void answer(m, deliver);
    },
    onMessage: (h) => (handler = h),
    getState: () => {
      const saved = sessionStorage.getItem(key);
      return saved ? (JSON.parse(saved) as DataPageState) : { target };
    },
    setState: (s) => sessionStorage.setItem(key, JSON.stringify(s)),
  };
}

declare global {
  interface Window {
    repriseDashboard?: { hostFor: typeof hostFor; shown: unknown[] };
  }
}
window.repriseDashboard = { hostFor, shown };

// The shell's own admin client, over a host that answers in-page.
let shellHandler: ((m: unknown) => void) | null = null;
const admin = adminClient({ postMessage: (m: PageToHostCommon) => void answer(m, (r) => shellHandler?.(r)) });
shellHandler = (m) => admin.handle(m);

// ---- DOM helpers (text only: app data never becomes markup) ----
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { text?: string } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  const { text, ...rest } = props;
  Object.assign(e, rest);
  if (text !== undefined) e.textContent = text;
  e.append(...children);
  return e;
}
const view = $<HTMLDivElement>("view");
const frame = $<HTMLIFrameElement>("frame");
const statusLine = $<HTMLSpanElement>("status");

/** Set while the token form is shown: views finishing meanwhile do not replace it. */
let asking = false;

function showView(...nodes: Node[]): void {
  if (asking) return;
  frame.hidden = true;
  frame.removeAttribute("src");
  view.hidden = false;
  view.replaceChildren(...nodes);
}
function openFrame(target: FrameTarget | { page: "catalog" }): void {
  view.hidden = true;
  frame.hidden = false;
  const file = { catalog: "catalog.html", table: "table.html", sql: "sql.html", traces: "traces.html", diagram: "diagram.html", explorer: "explorer.html" }[target.page];
  frame.src = `${UI}${file}${target.page === "catalog" ? "" : `?target=${encodeURIComponent(JSON.stringify(target))}`}`;
}
function failure(what: string, status: number, error: { code: string; message: string }): HTMLElement {
  return el("pre", { className: "error", text: `${what}: ${describeFailure(status, error)}` });
}

function askForToken(reason: string): void {
  const input = el("input", { type: "password", id: "token-input", placeholder: "token", autocomplete: "off", spellcheck: false });
  const go = el("button", { id: "token-save", text: "Use this token" });
  go.addEventListener("click", () => {
    token = input.value.trim() || null;
    if (!token) return;
    asking = false;
    void route("databases");
  });
  asking = false;
  showView(el("h1", { text: "Token needed" }), el("p", { text: reason }),
    el("p", { text: "`reprise run` prints the dashboard's address with the token; it is also in the app's .reprise/instances/<port>.json." }), input, go);
  asking = true;
}

async function databases(): Promise<void> {
  const list = await admin.get<{ databases: { name: string; engine: string }[] }>(DATABASES_PATH);
  if (!list.ok) return showView(failure("databases", list.status, list.error));
  const sections: Node[] = [el("h1", { text: "Databases" })];
  if (!list.value.databases.length) sections.push(el("p", { text: "The app declares no database." }));
  for (const db of list.value.databases) {
    const sql = el("button", { text: "SQL console", className: "secondary" });
    sql.dataset.sql = db.name;
    sql.addEventListener("click", () => openFrame({ page: "sql", database: db.name }));
    const migrations = el("button", { text: "Migrations", className: "secondary" });
    migrations.addEventListener("click", () => void showMigrations(db.name));
    sections.push(el("h2", { text: `${db.name} (${db.engine})` }, " ", sql, " ", migrations));
    const schema = await admin.get<{ tables: { schema: string; name: string; rowCount: number | null; rowCountExact: boolean }[] }>(dbSchemaPath(db.name));
    if (!schema.ok) {
      sections.push(failure(`schema of ${db.name}`, schema.status, schema.error));
      continue;
    }
    const ul = el("ul");
    for (const t of schema.value.tables) {
      const b = el("button", { className: "link", text: `${t.schema === "public" ? "" : `${t.schema}.`}${t.name}` });
      b.dataset.table = `${db.name}/${t.schema}.${t.name}`;
      b.addEventListener("click", () => openFrame({ page: "table", database: db.name, schema: t.schema, table: t.name }));
      ul.append(el("li", {}, b, ` ${t.rowCount ?? "?"}${t.rowCountExact ? "" : "+"} rows`));
    }
    sections.push(ul);
  }
  showView(...sections);
}

async function showMigrations(database: string): Promise<void> {
  type M = { number: number; name: string; state: string; appliedAt: string | null; error: string | null };
  const r = await admin.get<{ migrationsDir: string | null; migrations: M[] }>(dbMigrationsPath(database));
  if (!r.ok) return showView(failure("migrations", r.status, r.error));
  const apply = el("button", { text: "Apply pending" });
  apply.addEventListener("click", async () => {
    const a = await admin.send<unknown>("POST", dbMigrationsApplyPath(database));
    if (!a.ok) view.append(failure("apply", a.status, a.error));
    else void showMigrations(database);
  });
  const rows = r.value.migrations.map((m) => el("tr", {}, el("td", { text: String(m.number) }), el("td", { text: m.name }), el("td", { text: m.state }), el("td", { text: m.error ?? m.appliedAt ?? "" })));
  showView(el("h1", { text: `Migrations of ${database}` }), el("p", { text: r.value.migrationsDir ?? "no migrations folder" }), apply,
    el("table", {}, el("tr", {}, ...["#", "name", "state", "applied / error"].map((h) => el("th", { text: h }))), ...rows));
}

async function buckets(selected?: string): Promise<void> {
  const list = await admin.get<{ buckets: { name: string; public: boolean }[] }>(BUCKETS_PATH);
  if (!list.ok) return showView(failure("buckets", list.status, list.error));
  const nodes: Node[] = [el("h1", { text: "Buckets" })];
  if (!list.value.buckets.length) nodes.push(el("p", { text: "The app declares no bucket." }));
  const picker = el("div", { className: "row" });
  for (const b of list.value.buckets) {
    const btn = el("button", { text: b.name, className: b.name === selected ? "" : "secondary" });
    btn.addEventListener("click", () => void buckets(b.name));
    picker.append(btn);
  }
  nodes.push(picker);
  const bucket = selected ?? list.value.buckets[0]?.name;
  if (bucket) nodes.push(...(await bucketObjects(bucket)));
  showView(...nodes);
}

async function bucketObjects(bucket: string): Promise<Node[]> {
  const file = el("input", { type: "file", id: "upload-file" });
  const key = el("input", { type: "text", id: "upload-key", placeholder: "key (default: the file's name)", spellcheck: false });
  const up = el("button", { text: "Upload", id: "upload" });
  const out: Node[] = [el("h2", { text: bucket }), el("div", { className: "row" }, file, key, up)];
  up.addEventListener("click", async () => {
    const f = file.files?.[0];
    if (!f) return;
    const bytes = new Uint8Array(await f.arrayBuffer());
    const r = await admin.send<unknown>("PUT", bucketObjectPath(bucket, key.value || f.name), { base64: toBase64(bytes) }, f.type || "application/octet-stream");
    if (!r.ok) view.append(failure("upload", r.status, r.error));
    else void buckets(bucket);
  });
  const r = await admin.get<{ objects: { key: string; size: number; etag: string }[]; nextAfter: string | null }>(bucketObjectsPath(bucket, { limit: 200 }));
  if (!r.ok) return [...out, failure("objects", r.status, r.error)];
  const rows = r.value.objects.map((o) => {
    const dl = el("button", { text: "Download", className: "secondary" });
    dl.addEventListener("click", () => void download(bucketObjectPath(bucket, o.key), o.key.split("/").pop() || "object"));
    const del = el("button", { text: "Delete", className: "secondary" });
    del.addEventListener("click", async () => {
      if (!window.confirm(`Delete ${o.key} from ${bucket}?`)) return;
      const d = await admin.send<unknown>("DELETE", bucketObjectPath(bucket, o.key));
      if (!d.ok) view.append(failure("delete", d.status, d.error));
      else void buckets(bucket);
    });
    const tr = el("tr", {}, el("td", { text: o.key }), el("td", { text: String(o.size) }), el("td", {}, dl, " ", del));
    tr.dataset.key = o.key;
    return tr;
  });
  out.push(el("table", { id: "objects" }, el("tr", {}, ...["key", "bytes", ""].map((h) => el("th", { text: h }))), ...rows));
  if (r.value.nextAfter) out.push(el("p", { text: "Only the first 200 objects are listed." }));
  return out;
}

async function pubsub(): Promise<void> {
  type Sub = { name: string; service: string; deadLetters: number };
  const r = await admin.get<{ provider: string; topics: { name: string; subscriptions: Sub[] }[] }>(TOPICS_PATH);
  if (!r.ok) return showView(failure("topics", r.status, r.error));
  const nodes: Node[] = [el("h1", { text: `Pub/Sub (${r.value.provider})` })];
  if (!r.value.topics.length) nodes.push(el("p", { text: "The app declares no topic." }));
  for (const t of r.value.topics) {
    nodes.push(el("h2", { text: t.name }));
    const ul = el("ul");
    for (const s of t.subscriptions) {
      const li = el("li", { text: `${s.name} (${s.service}): ${s.deadLetters} dead letter(s) ` });
      if (s.deadLetters) {
        const show = el("button", { text: "Show", className: "secondary" });
        show.addEventListener("click", () => void deadLetters(t.name, s.name, li));
        li.append(show);
      }
      ul.append(li);
    }
    nodes.push(ul);
  }
  showView(...nodes);
}

async function deadLetters(topic: string, sub: string, into: HTMLElement): Promise<void> {
  type Dead = { id: string; attempts: number; error: string | null; message: unknown };
  const r = await admin.get<{ messages: Dead[] }>(deadLettersPath(topic, sub));
  if (!r.ok) return void into.append(failure("dead letters", r.status, r.error));
  const ul = el("ul");
  for (const m of r.value.messages) {
    const redrive = el("button", { text: "Redrive", className: "secondary" });
    redrive.addEventListener("click", async () => {
      const x = await admin.send<unknown>("POST", redrivePath(topic, sub, m.id));
      if (!x.ok) into.append(failure("redrive", x.status, x.error));
      else void pubsub();
    });
    ul.append(el("li", {}, el("code", { text: JSON.stringify(m.message) }), ` ${m.attempts} attempt(s): ${m.error ?? ""} `, redrive));
  }
  into.append(ul);
}

/** The endpoints of the serving build, each opening the API explorer on it. */
async function endpoints(): Promise<void> {
  const r = await admin.get<AdminAppInfo>(ADMIN_APP_PATH);
  if (!r.ok) return showView(failure("app model", r.status, r.error));
  const model = r.value.model as AppModel;
  const nodes: Node[] = [el("h1", { text: "API explorer" }), el("p", { text: "Pick an endpoint; requests go to this app from this page." })];
  for (const svc of [...model.app.services].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!svc.endpoints.length) continue;
    nodes.push(el("h2", { text: svc.name }));
    const ul = el("ul");
    for (const e of svc.endpoints) {
      const b = el("button", { className: "link", text: `${e.name}` });
      b.dataset.endpoint = `${svc.name}.${e.name}`;
      b.addEventListener("click", () => openFrame({ page: "explorer", service: svc.name, endpoint: e.name }));
      ul.append(el("li", {}, b, ` ${e.method.join(", ")} ${e.path}${e.expose ? "" : " (private)"}`));
    }
    nodes.push(ul);
  }
  showView(...nodes);
}

const PAGES: Record<string, () => void | Promise<void>> = {
  explorer: endpoints,
  catalog: () => openFrame({ page: "catalog" }),
  databases,
  buckets: () => buckets(),
  pubsub,
  traces: () => openFrame({ page: "traces" }),
  diagram: () => openFrame({ page: "diagram" }),
};

async function route(page: string): Promise<void> {
  asking = false;
  for (const b of document.querySelectorAll<HTMLButtonElement>("nav button")) b.classList.toggle("current", b.dataset.page === page);
  statusLine.textContent = "";
  if (!token && page !== "catalog") return askForToken("This page needs the run's token.");
  await (PAGES[page] ?? databases)();
}

takeTokenFromAddress();
for (const b of document.querySelectorAll<HTMLButtonElement>("nav button")) b.addEventListener("click", () => void route(b.dataset.page!));
void route(token ? "databases" : "catalog");
