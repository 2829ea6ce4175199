/** Renders rows of an admin answer as an HTML table (text only, never HTML from the data). */
import type { AdminResultColumn } from "@reprise/protocol";

const MAX_CELL_CHARS = 500;

/** A cell's text: NULL for null, JSON for objects and arrays, cut after MAX_CELL_CHARS (the full text in the title). */
export function cellText(value: unknown): { text: string; full: string; isNull: boolean } {
  if (value === null || value === undefined) return { text: "NULL", full: "NULL", isNull: true };
  const full = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  return { text: full.length > MAX_CELL_CHARS ? `${full.slice(0, MAX_CELL_CHARS)}…` : full, full, isNull: false };
}

export interface GridOptions {
  /** Called with a column name when its header is clicked (sorting); headers are plain text when absent. */
  onHeader?: (column: string) => void;
  /** The column sorted by, and its direction, for the header arrow. */
  sorted?: { column: string; desc: boolean } | null;
}

export function renderGrid(container: HTMLElement, columns: AdminResultColumn[], rows: unknown[][], opts: GridOptions = {}): void {
  const table = document.createElement("table");
  table.className = "grid";
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement("th");
    th.textContent = c.name;
    if (opts.sorted?.column === c.name) th.textContent += opts.sorted.desc ? " ▼" : " ▲";
    if (c.type) th.title = c.type;
    th.dataset.column = c.name;
    if (opts.onHeader) {
      th.classList.add("sortable");
      th.tabIndex = 0;
      th.addEventListener("click", () => opts.onHeader!(c.name));
    }
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    columns.forEach((_, i) => {
      const td = tr.insertCell();
      const cell = cellText(row[i]);
      td.textContent = cell.text;
      if (cell.isNull) td.className = "null";
      if (cell.full !== cell.text) td.title = cell.full;
    });
  }
  container.replaceChildren(table);
}
