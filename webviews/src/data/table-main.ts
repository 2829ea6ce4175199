/**
 * The table grid page: one table of a database, a page of rows at a time (Prev / Next, page size), sorted by a
 * clicked column, narrowed by filters (`column op value`, bound as parameters by the runtime). Everything comes
 * from the admin rows route through the page's Host, so it runs the same in VS Code and in the browser.
 */
import { ADMIN_ROW_FILTER_OPS, dbRowsPath, type AdminRowFilter, type AdminRowFilterOp, type AdminRows } from "@reprise/protocol";
import { adminClient, describeFailure } from "../admin-client.js";
import { pageHost } from "../host.js";
import { renderGrid } from "./grid.js";
import type { DataPageState, DataTarget, DataToHost, HostToData } from "./messages.js";


const host = pageHost<DataPageState, DataToHost, HostToData>();
const admin = adminClient(host);
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const title = $<HTMLHeadingElement>("title");
const status = $<HTMLSpanElement>("status");
const prev = $<HTMLButtonElement>("prev");
const next = $<HTMLButtonElement>("next");
const refresh = $<HTMLButtonElement>("refresh");
const limitSelect = $<HTMLSelectElement>("limit");
const openSql = $<HTMLButtonElement>("open-sql");
const filterColumn = $<HTMLSelectElement>("filter-column");
const filterOp = $<HTMLSelectElement>("filter-op");
const filterValue = $<HTMLInputElement>("filter-value");
const addFilter = $<HTMLButtonElement>("add-filter");
const filterList = $<HTMLDivElement>("filters");
const grid = $<HTMLDivElement>("grid");
const error = $<HTMLPreElement>("error");

type TableTarget = Extract<DataTarget, { page: "table" }>;
let target: TableTarget | null = null;
let offset = 0;
let order: { column: string; desc: boolean } | null = null;
const filters: AdminRowFilter[] = [];
let generation = 0;

for (const op of ADMIN_ROW_FILTER_OPS) filterOp.add(new Option(op, op));

async function load(): Promise<void> {
  if (!target) return;
  const gen = ++generation;
  status.textContent = "loading…";
  const limit = Number(limitSelect.value);
  const r = await admin.get<AdminRows>(dbRowsPath(target.database, target.table, { schema: target.schema, offset, limit, order: order?.column, desc: order?.desc, filters }));
  if (gen !== generation) return; // a newer load was started meanwhile
  if (!r.ok) {
    error.hidden = false;
    error.textContent = describeFailure(r.status, r.error);
    status.textContent = "";
    host.postMessage({ type: "shown", what: "error", rows: 0, text: error.textContent });
    return;
  }
  error.hidden = true;
  const v = r.value;
  if (filterColumn.options.length !== v.columns.length) {
    filterColumn.replaceChildren(...v.columns.map((c) => new Option(c.name, c.name)));
  }
  renderGrid(grid, v.columns, v.rows, { sorted: order, onHeader: sortBy });
  const first = v.rows.length ? v.offset + 1 : v.offset;
  status.textContent = `rows ${first}–${v.offset + v.rows.length}${v.hasMore ? "" : " (end)"}${v.truncated ? ` · page cut at ${v.caps.bytes} bytes` : ""}`;
  prev.disabled = v.offset === 0;
  next.disabled = !v.hasMore;
  host.postMessage({ type: "shown", what: "rows", rows: v.rows.length, text: status.textContent });
}

function sortBy(column: string): void {
  order = order?.column === column ? (order.desc ? null : { column, desc: true }) : { column, desc: false };
  offset = 0;
  void load();
}

function showFilters(): void {
  filterList.replaceChildren(...filters.map((f, i) => {
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.textContent = `${f.column} ${f.op}${f.value !== undefined && f.op !== "isnull" && f.op !== "notnull" ? ` ${f.value}` : ""}`;
    const x = document.createElement("button");
    x.textContent = "×";
    x.title = "Remove this filter";
    x.addEventListener("click", () => {
      filters.splice(i, 1);
      offset = 0;
      showFilters();
      void load();
    });
    chip.append(x);
    return chip;
  }));
}

prev.addEventListener("click", () => {
  offset = Math.max(0, offset - Number(limitSelect.value));
  void load();
});
next.addEventListener("click", () => {
  offset += Number(limitSelect.value);
  void load();
});
refresh.addEventListener("click", () => void load());
limitSelect.addEventListener("change", () => {
  offset = 0;
  void load();
});
filterOp.addEventListener("change", () => (filterValue.disabled = filterOp.value === "isnull" || filterOp.value === "notnull"));
addFilter.addEventListener("click", () => {
  if (!filterColumn.value) return;
  const op = filterOp.value as AdminRowFilterOp;
  filters.push({ column: filterColumn.value, op, ...(op === "isnull" || op === "notnull" ? {} : { value: filterValue.value }) });
  filterValue.value = "";
  offset = 0;
  showFilters();
  void load();
});
filterValue.addEventListener("keydown", (e) => {
  if (e.key === "Enter") addFilter.click();
});
openSql.addEventListener("click", () => {
  if (target) host.postMessage({ type: "openPage", target: { page: "sql", database: target.database } });
});

function setTarget(t: DataTarget): void {
  if (t.page !== "table") return;
  target = t;
  title.textContent = `${t.database} › ${t.schema === "public" ? "" : `${t.schema}.`}${t.table}`;
  host.setState({ target: t });
  offset = 0;
  void load();
}

host.onMessage((m) => {
  if (admin.handle(m)) return;
  if (m.type === "target") setTarget(m.target);
});

const saved = host.getState();
if (saved?.target) setTarget(saved.target);
host.postMessage({ type: "ready", state: saved ?? null });
