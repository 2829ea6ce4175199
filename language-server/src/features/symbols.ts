/** Document symbols (the outline) and workspace symbols: endpoints as `METHOD /path`, topics, databases, cron jobs, buckets… */
import { SymbolKind, type DocumentSymbol, type WorkspaceSymbol } from "vscode-languageserver/node";
import type { AppRoot } from "../app-root.js";
import { symbolDetail, symbolName, type Entity, type Placed } from "../model-index.js";
import { location, range } from "../to-proto.js";

const KIND: Record<Entity["kind"], SymbolKind> = {
  service: SymbolKind.Module,
  endpoint: SymbolKind.Method,
  topic: SymbolKind.Event,
  subscription: SymbolKind.Function,
  cron: SymbolKind.Event,
  database: SymbolKind.Struct,
  bucket: SymbolKind.Object,
  secret: SymbolKind.Key,
  authHandler: SymbolKind.Function,
  gateway: SymbolKind.Interface,
  call: SymbolKind.Function,
  publish: SymbolKind.Event,
};

const isDeclaration = (p: Placed) => p.entity.kind !== "call" && p.entity.kind !== "publish";

export function documentSymbols(root: AppRoot, file: string): DocumentSymbol[] {
  return root
    .modelIndex()
    .inFile(file)
    .filter(isDeclaration)
    .map((p) => ({ name: symbolName(p.entity), detail: symbolDetail(p.entity), kind: KIND[p.entity.kind], range: range(p.location.range), selectionRange: range(p.location.range) }));
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
      out.push({ name, kind: KIND[p.entity.kind], containerName: detail, location: location(root.uri, p.location) });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
