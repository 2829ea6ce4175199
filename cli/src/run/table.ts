/** The endpoint table `reprise run` prints on start and after each reload. */
import { formatTable } from "../render/table.js";
import type { AppModel } from "@reprise/protocol";

export function endpointTable(model: AppModel, baseUrl: string): string {
  const rows: [string, string, string, string][] = [];
  for (const s of model.app.services) {
    for (const e of s.endpoints) {
      const flags = [
        e.expose ? null : "internal",
        e.auth ? "auth" : null,
        e.raw ? "raw" : null,
        e.streaming ? `stream ${e.streaming}` : null,
        e.static ? "static" : null,
      ].filter(Boolean);
      const methods = e.static ? "GET" : e.streaming ? "WS" : e.method.join(",");
      rows.push([methods, e.expose ? e.path : "-", `${s.name}.${e.name}`, flags.join(", ")]);
    }
  }
  if (rows.length === 0) return "  (no endpoints)";
  return `Endpoints (${baseUrl}):\n${formatTable(null, rows, { indent: "  " })}`;
}
