/**
 * The SQL console page: one statement against one database, read-only unless "Allow writes" is ticked (the
 * host asks the user to confirm each write), results as a grid with the caps said, errors with the position
 * Postgres reports (line and column, the line with a caret, the cursor moved there). Completion (Ctrl+Space, or
 * after `table.`) of tables and columns from the database's live schema.
 */
import { dbQueryPath, dbSchemaPath, type AdminDbSchema, type AdminQueryResult, type AdminSqlErrorDetails } from "@reprise/protocol";
import { adminClient, describeFailure } from "../admin-client.js";
import { pageHost } from "../host.js";
import { renderGrid } from "./grid.js";
import type { DataPageState, DataTarget, DataToHost, HostToData } from "./messages.js";
import { errorSpot, sqlCompletions, type Completion } from "./sql-assist.js";

const host = pageHost<DataPageState, DataToHost, HostToData>();
const admin = adminClient(host);
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const title = $<HTMLHeadingElement>("title");
const sql = $<HTMLTextAreaElement>("sql");
const run = $<HTMLButtonElement>("run");
const allowWrite = $<HTMLInputElement>("allow-write");
const status = $<HTMLSpanElement>("status");
const grid = $<HTMLDivElement>("grid");
const error = $<HTMLPreElement>("error");
const suggest = $<HTMLUListElement>("suggest");

let database: string | null = null;
let schema: AdminDbSchema | null = null;
let running = false;

async function loadSchema(): Promise<void> {
  if (!database) return;
  const r = await admin.get<AdminDbSchema>(dbSchemaPath(database));
  if (r.ok) schema = r.value;
}

async function runQuery(): Promise<void> {
  if (!database || running) return;
  const text = sql.value;
  if (!text.trim()) return;
  const write = allowWrite.checked;
  if (write && !(await admin.confirm(`Run this statement on ${database} and commit its changes?`, "Run and commit", text.slice(0, 500)))) return;
  running = true;
  run.disabled = true;
  status.textContent = "running…";
  const r = await admin.send<AdminQueryResult>("POST", dbQueryPath(database), JSON.stringify({ sql: text, write }), "application/json");
  running = false;
  run.disabled = false;
  if (!r.ok) {
    grid.replaceChildren();
    const details = (r.error.details ?? {}) as Partial<AdminSqlErrorDetails>;
    const spot = errorSpot(text, details.position);
    const lines = [describeFailure(r.status, r.error)];
    if (details.sqlState === "25006") lines.push("The console runs read-only unless “Allow writes” is ticked.");
    if (spot) lines.push(`at line ${spot.line}, column ${spot.column}:`, spot.lineText, `${" ".repeat(Math.max(0, spot.column - 1))}^`);
    error.textContent = lines.join("\n");
    error.hidden = false;
    status.textContent = "";
    if (spot) {
      sql.focus();
      sql.setSelectionRange(spot.offset, spot.offset + 1);
    }
    host.postMessage({ type: "shown", what: "error", rows: 0, text: error.textContent });
    return;
  }
  error.hidden = true;
  const v = r.value;
  renderGrid(grid, v.columns, v.rows);
  const cut = v.truncated === "rows" ? ` · first ${v.caps.rows} shown (row cap)` : v.truncated === "bytes" ? ` · ${v.rows.length} shown (cut at ${v.caps.bytes} bytes)` : "";
  status.textContent = `${v.rowCount} row${v.rowCount === 1 ? "" : "s"}${cut} · ${v.durationMs.toFixed(1)} ms · ${v.readOnly ? "read-only, rolled back" : "committed"}`;
  host.postMessage({ type: "shown", what: "result", rows: v.rows.length, text: status.textContent, committed: !v.readOnly });
  if (!v.readOnly) void loadSchema(); // a write may have changed the tables
}

// ---------- completion ----------

let items: Completion[] = [];
let active = 0;

function showSuggestions(force: boolean): void {
  const before = sql.value.slice(0, sql.selectionStart);
  items = sqlCompletions(schema, before, sql.value);
  const afterDot = /\.\w*$/.test(before);
  if (!items.length || (!force && !afterDot)) return hideSuggestions();
  active = 0;
  suggest.replaceChildren(...items.map((c, i) => {
    const li = document.createElement("li");
    li.textContent = c.label;
    li.className = `${c.kind}${i === active ? " active" : ""}`;
    li.title = c.detail;
    li.addEventListener("mousedown", (e) => {
      e.preventDefault();
      accept(i);
    });
    return li;
  }));
  suggest.hidden = false;
}

function hideSuggestions(): void {
  suggest.hidden = true;
  items = [];
}

function accept(i: number): void {
  const c = items[i];
  if (!c) return;
  const start = sql.selectionStart;
  const word = /"?[\w$]*$/.exec(sql.value.slice(0, start))?.[0] ?? "";
  sql.setRangeText(c.label, start - word.length, start, "end");
  hideSuggestions();
  save();
}

sql.addEventListener("keydown", (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
    e.preventDefault();
    hideSuggestions();
    void runQuery();
    return;
  }
  if (e.ctrlKey && e.key === " ") {
    e.preventDefault();
    showSuggestions(true);
    return;
  }
  if (suggest.hidden) return;
  if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    e.preventDefault();
    active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
    [...suggest.children].forEach((li, i) => li.classList.toggle("active", i === active));
  } else if (e.key === "Enter" || e.key === "Tab") {
    e.preventDefault();
    accept(active);
  } else if (e.key === "Escape") hideSuggestions();
});
sql.addEventListener("input", () => {
  save();
  if (!suggest.hidden || /\.\w*$/.test(sql.value.slice(0, sql.selectionStart))) showSuggestions(!suggest.hidden);
});
sql.addEventListener("blur", hideSuggestions);
run.addEventListener("click", () => void runQuery());

function save(): void {
  host.setState({ target: database ? { page: "sql", database } : null, sql: sql.value });
}

function setTarget(t: DataTarget): void {
  if (t.page !== "sql") return;
  database = t.database;
  title.textContent = `SQL console · ${t.database}`;
  save();
  void loadSchema();
}

host.onMessage((m) => {
  if (admin.handle(m)) return;
  if (m.type === "target") setTarget(m.target);
});

const saved = host.getState();
if (saved?.sql) sql.value = saved.sql;
if (saved?.target) setTarget(saved.target);
host.postMessage({ type: "ready", state: saved ?? null });
