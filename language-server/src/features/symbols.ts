/** Document symbols (the outline) and workspace symbols: endpoints as `METHOD /path`, topics, databases, cron jobs, buckets… */
import type { DocumentSymbol, WorkspaceSymbol } from "vscode-languageserver/node";
import type { AppRoot } from "../app-root.js";
import { symbolDetail, symbolName, type Placed } from "../model-index.js";
import { location, range, symbolKind } from "../to-proto.js";

const isDeclaration = (p: Placed) => p.entity.kind !== "call" && p.entity.kind !== "publish";

export function documentSymbols(root: AppRoot, file: string): DocumentSymbol[] {
  return root
    .modelIndex()
    .inFile(file)
    .filter(isDeclaration)
    .map((p) => ({ name: symbolName(p.entity), detail: symbolDetail(p.entity), kind: symbolKind(p.entity.kind), range: range(p.location.range), selectionRange: range(p.location.range) }));
}

/** Case-insensitive subsequence match, so "gusr" finds "GET /users/:id". */
export function matches(query: string, text: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  const t = text.toLowerCase();
  let i = 0;
  for (let j = 0; j < t.length && i < q.length; j++) if (t[j] === q[i]) i++;
  return i === q.length;
}

export function workspaceSymbols(roots: readonly AppRoot[], query: string, limit = 1000): WorkspaceSymbol[] {
  const out: WorkspaceSymbol[] = [];
  for (const root of roots) {
    for (const p of root.modelIndex().declarations) {
      const name = symbolName(p.entity);
      const detail = symbolDetail(p.entity);
      if (!matches(query, name) && !matches(query, `${detail} ${name}`)) continue;
      out.push({ name, kind: symbolKind(p.entity.kind), containerName: detail, location: location(root.uri, p.location) });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
