/**
 * Messages of the data pages (table grid, SQL console), one union per direction. Besides these, every data page
 * speaks host.ts's common requests (admin, confirm, download). The same pages run inside VS Code webviews and in
 * the browser dashboard; only the Host differs.
 */
import type { HostToPageCommon, PageToHostCommon } from "../host.js";

export type DataTarget =
  | { page: "table"; database: string; schema: string; table: string }
  | { page: "sql"; database: string };

/** What a data page persists (restored after a reload; the browser host may preset `target` from its URL). */
export interface DataPageState {
  target: DataTarget | null;
  /** The SQL console's text. */
  sql?: string;
}

export type HostToData = HostToPageCommon | { type: "target"; target: DataTarget };

export type DataToHost =
  | PageToHostCommon
  | { type: "ready"; state: DataPageState | null }
  /** Open another data page (the table grid's "SQL console" button). */
  | { type: "openPage"; target: DataTarget }
  /** After each load: what is on screen, for tests and status (rows shown, or the error). */
  | { type: "shown"; what: "rows" | "result" | "error"; rows: number; text: string; committed?: boolean };

export const DATA_TO_HOST_TYPES = ["ready", "openPage", "shown", "admin", "confirm", "download"] as const satisfies readonly DataToHost["type"][];
