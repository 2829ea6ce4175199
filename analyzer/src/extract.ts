/**
 * Per-file extraction: one walk over a file's swc AST that finds resource declarations (dispatched to the
 * registry, one parser per kind), the import/export table, service-client calls and usages of identifiers that
 * may name resources. The result (FileFacts) depends only on this file's text, which is what makes caching it
 * per file version sound.
 */
import type { Span } from "@swc/core";
import { FUNCTION_TYPES, type Node, memberParts, unwrapExpr } from "./ast.js";
import { FileContext } from "./context.js";
import { D } from "./diagnostics/catalogue.js";
import { emptyFacts, type FileFacts, type ResourceKind, type Usage } from "./facts.js";
import type { ParsedFile } from "./parsed-file.js";
import { rawSqlQuery, taggedSqlQuery } from "./sql-query.js";
import { REGISTRY, type CallSite } from "./resources/registry.js";
import { generatedModuleOf, sdkModuleOf, SERVICE_FILE_NAMES, type SdkFamily, type SdkModule } from "./sdk.js";

/** Files Encore scans for declarations: .ts sources outside tests, hidden folders and generated code. */
export function isScannedSource(path: string): boolean {
  if (!/\.(ts|mts|cts)$/.test(path) || path.endsWith(".d.ts")) return false;
  if (/\.(test|spec)\.[cm]?ts$/.test(path)) return false;
  const parts = path.split("/");
  return !parts.some((p, i) => (i < parts.length - 1 && (p === "__tests__" || p === "node_modules" || p === "encore.gen" || p === "reprise.gen")) || p.startsWith("."));
}

interface SdkImport {
  module: SdkModule;
  family: SdkFamily;
  /** Exported name, or "*" for a namespace import. */
  name: string;
}

interface WalkState {
  fnDepth: number;
  bindTarget: Node | null;
  bindName: string | null;
  bindDestructured: boolean;
  bindSpan: Span | null;
  /** Whether bindTarget is the call itself (false: the call is nested inside the declarator's initializer). */
  shadow: Set<string> | null;
  /** UTF-16 offset where the enclosing statement starts (for doc comments). */
  stmtStart: number;
}

/** A node still to walk and the state it is walked with. */
type Work = [Node, WalkState];

const SKIP_KEYS = new Set(["span", "ctxt", "typeAnnotation", "typeParams", "typeArguments", "typeParameters", "returnType", "superTypeParams", "implements", "params", "param", "label", "decorators"]);

export class Extractor {
  readonly ctx: FileContext;
  readonly facts: FileFacts;
  private readonly sdk = new Map<string, SdkImport>();
  private readonly clientLocals = new Map<string, string>();
  private readonly clientNamespaces = new Set<string>();
  private readonly authLocals = new Set<string>();
  /** Identifiers whose member uses are recorded (imports from app modules and top-level variables). */
  private readonly interesting = new Set<string>();
  private readonly exportedLocals = new Set<string>();
  /** Transaction locals (`const tx = await db.begin()`) → the database identifier they were begun on. */
  private readonly txLocals = new Map<string, string>();

  constructor(readonly file: ParsedFile) {
    this.ctx = new FileContext(file);
    this.facts = emptyFacts(file.path);
    this.facts.diagnostics = this.ctx.diagnostics;
    const base = file.path.slice(file.path.lastIndexOf("/") + 1);
    this.facts.isServiceFile = SERVICE_FILE_NAMES.includes(base);
  }

  run(): FileFacts {
    const mod = this.file.module;
    this.facts.scanned = true;
    if (!mod) return this.facts;
    for (const item of mod.body) this.collectModuleItem(item);
    for (const item of mod.body) {
      const st: WalkState = { fnDepth: 0, bindTarget: null, bindName: null, bindDestructured: false, bindSpan: null, shadow: null, stmtStart: this.file.offsetOf(item.span.start) };
      if (item.type === "ImportDeclaration") continue;
      this.visit(item, st);
    }
    this.finishExports();
    return this.facts;
  }

  // ---- imports / exports -------------------------------------------------------------------------------------

  private collectModuleItem(item: Node): void {
    switch (item.type) {
      case "ImportDeclaration": {
        const spec: string = item.source.value;
        this.facts.specifiers.push(spec);
        this.facts.specifierSites.push({ specifier: spec, range: this.ctx.range(item.source.span) });
        const sdk = sdkModuleOf(spec);
        const gen = generatedModuleOf(spec);
        for (const s of item.specifiers) {
          const local: string = s.local.value;
          const imported = s.type === "ImportNamespaceSpecifier" ? "*" : s.type === "ImportDefaultSpecifier" ? "default" : (s.imported?.value ?? local);
          this.facts.bindings.set(local, { type: "import", specifier: spec, imported });
          if (s.type === "ImportSpecifier" && !gen && !sdk) {
            this.facts.namedImports.set(local, { imported, range: this.ctx.range((s.imported ?? s.local).span), aliased: local !== imported });
          }
          if (sdk) {
            this.sdk.set(local, { module: sdk.module, family: sdk.family, name: imported });
          } else if (gen === "clients") {
            if (imported === "*") this.clientNamespaces.add(local);
            else if (!s.isTypeOnly && !item.typeOnly) {
              this.clientLocals.set(local, imported);
              this.facts.clientImports.push({ name: imported, range: this.ctx.range((s.imported ?? s.local).span), aliased: local !== imported, family: spec.includes("reprise") ? "reprise" : "encore" });
            }
          } else if (gen === "auth") {
            if (imported === "getAuthData") this.authLocals.add(local);
            else if (imported !== "AuthData" && imported !== "*" && !s.isTypeOnly && !item.typeOnly) {
              this.ctx.report(D.UnknownAuthExport, (s.imported ?? s.local).span, `'${spec}' has no export '${imported}'; it exports getAuthData() and the AuthData type.`);
            }
          } else {
            this.interesting.add(local);
          }
        }
        return;
      }
      case "ExportDeclaration": {
        const decl = item.declaration;
        if (decl.type === "VariableDeclaration") {
          for (const d of decl.declarations) for (const n of patternNames(d.id)) {
            this.exportedLocals.add(n);
            this.interesting.add(n);
            this.facts.exports.set(n, { local: n, from: null });
          }
        } else if (decl.identifier?.value) {
          const n = decl.identifier.value;
          this.exportedLocals.add(n);
          this.facts.exports.set(n, { local: n, from: null });
        } else if (decl.id?.value) {
          const n = decl.id.value;
          this.exportedLocals.add(n);
          this.facts.exports.set(n, { local: n, from: null });
        }
        return;
      }
      case "ExportNamedDeclaration": {
        const from: string | null = item.source?.value ?? null;
        if (from) {
          this.facts.specifiers.push(from);
          this.facts.specifierSites.push({ specifier: from, range: this.ctx.range(item.source.span) });
        }
        for (const s of item.specifiers) {
          if (s.type === "ExportSpecifier") {
            const orig = s.orig.value;
            const exported = s.exported?.value ?? orig;
            this.facts.exports.set(exported, { local: orig, from });
            if (!from) this.exportedLocals.add(orig);
          } else if (s.type === "ExportNamespaceSpecifier" && from) {
            this.facts.exports.set(s.name.value, { local: "*", from });
          } else if (s.type === "ExportDefaultSpecifier" && from) {
            this.facts.exports.set(s.exported.value, { local: "default", from });
          }
        }
        return;
      }
      case "ExportAllDeclaration":
        this.facts.specifiers.push(item.source.value);
        this.facts.specifierSites.push({ specifier: item.source.value, range: this.ctx.range(item.source.span) });
        this.facts.starExports.push(item.source.value);
        return;
      case "ExportDefaultExpression": {
        const e = unwrapExpr(item.expression);
        this.facts.exports.set("default", { local: e?.type === "Identifier" ? e.value : "<default>", from: null });
        return;
      }
      case "ExportDefaultDeclaration":
        this.facts.exports.set("default", { local: item.decl?.identifier?.value ?? "<default>", from: null });
        return;
      case "VariableDeclaration":
        for (const d of item.declarations) for (const n of patternNames(d.id)) this.interesting.add(n);
        return;
    }
  }

  private finishExports(): void {
    const all = [
      ...this.facts.endpoints, ...this.facts.services, ...this.facts.databases, ...this.facts.topics, ...this.facts.subscriptions,
      ...this.facts.cronJobs, ...this.facts.secrets, ...this.facts.buckets, ...this.facts.authHandlers, ...this.facts.gateways, ...this.facts.middleware,
    ];
    for (const d of all) if (d.bindName && d.bindName !== "default") d.exported = this.exportedLocals.has(d.bindName);
  }

  // ---- walk --------------------------------------------------------------------------------------------------

  /**
   * Walks a subtree in pre-order with an explicit stack: a file's nesting (already bounded by the guard, see
   * guard.ts) never turns into JS recursion here. Each node's own work runs when it is popped; the nodes it
   * would have visited are pushed in reverse, so the order is exactly that of a recursive walk.
   */
  private visit(root: Node, rootState: WalkState): void {
    const stack: Work[] = [[root, rootState]];
    const next: Work[] = [];
    while (stack.length) {
      const [node, st] = stack.pop()!;
      this.step(node, st, next);
      for (let k = next.length - 1; k >= 0; k--) stack.push(next[k]);
      next.length = 0;
    }
  }

  /** One node of the walk: its own work, then the children to walk (appended to `out`, in order). */
  private step(node: Node, st: WalkState, out: Work[]): void {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const n of node) out.push([n, st]);
      return;
    }
    const t: string | undefined = node.type;
    if (t === undefined) {
      // ExprOrSpread / Argument wrappers and similar plain records.
      if (node.expression) out.push([node.expression, st]);
      return;
    }
    if (t.startsWith("Ts") && !TS_EXPR.has(t)) {
      if (t === "TsModuleDeclaration" || t === "TsEnumDeclaration" || t === "TsExportAssignment") this.visitChildren(node, st, out);
      return;
    }
    switch (t) {
      case "CallExpression":
      case "NewExpression":
        this.visitCall(node, st, out);
        return;
      case "TaggedTemplateExpression": {
        const r = rootIdent(node.tag);
        const before = this.facts.usages.length;
        if ((r && st.shadow?.has(r)) || !this.recordMemberUsage(node.tag, "tagged", false)) out.push([node.tag, st]);
        else if (this.facts.usages.length > before) this.attachSql(this.facts.usages[this.facts.usages.length - 1], taggedSqlQuery, node);
        out.push([node.template, st]);
        return;
      }
      case "MemberExpression": {
        const r = rootIdent(node);
        if ((r && st.shadow?.has(r)) || !this.recordMemberUsage(node, "read", false)) {
          out.push([node.object, st]);
          if (node.property?.type === "Computed") out.push([node.property, st]);
        }
        return;
      }
      case "Identifier":
        if (!st.shadow?.has(node.value)) this.recordValueUse(node);
        return;
      case "VariableDeclaration":
        for (const d of node.declarations) this.noteTransaction(d);
        if (st.shadow) for (const d of node.declarations) for (const n of patternNames(d.id)) if (this.tracked(n)) st.shadow.add(n);
        for (const d of node.declarations) {
          if (!d.init) continue;
          const inner: WalkState = {
            ...st,
            bindTarget: unwrapExpr(d.init),
            bindName: d.id.type === "Identifier" ? d.id.value : null,
            bindDestructured: d.id.type !== "Identifier",
            bindSpan: d.id.span,
            stmtStart: st.fnDepth === 0 && st.bindTarget === null ? st.stmtStart : this.file.offsetOf(node.span.start),
          };
          out.push([d.init, inner]);
        }
        return;
      case "ExportDefaultExpression":
        out.push([node.expression, { ...st, bindTarget: unwrapExpr(node.expression), bindName: "default", bindDestructured: false, bindSpan: null }]);
        return;
      case "KeyValueProperty":
        if (node.key?.type === "Computed") out.push([node.key, st]);
        out.push([node.value, st]);
        return;
      case "AssignmentPatternProperty":
      case "ImportDeclaration":
        return;
      case "ClassProperty":
      case "PrivateProperty":
        if (node.key?.type === "Computed") out.push([node.key, st]);
        out.push([node.value, { ...st, bindTarget: null, bindName: null }]);
        return;
    }
    if (FUNCTION_TYPES.has(t)) {
      const shadow = new Set(st.shadow ?? []);
      const params = node.params ?? node.function?.params ?? [];
      for (const p of params) for (const n of patternNames(p.type === "Parameter" ? p.pat : p)) if (this.tracked(n)) shadow.add(n);
      if (t === "FunctionDeclaration" || t === "FunctionExpression") if (node.identifier?.value && this.tracked(node.identifier.value)) shadow.add(node.identifier.value);
      const inner = { ...st, fnDepth: st.fnDepth + 1, bindTarget: null, bindName: null, bindDestructured: false, shadow };
      if (node.key?.type === "Computed") out.push([node.key, st]);
      out.push([node.body, inner]);
      if (node.function) out.push([node.function.body, inner]);
      return;
    }
    this.visitChildren(node, st, out);
  }

  /** Names whose uses are tracked, so a local declaration of the same name shadows them. */
  private tracked(name: string): boolean {
    return this.clientLocals.has(name) || this.interesting.has(name) || this.authLocals.has(name) || this.clientNamespaces.has(name) || this.sdk.has(name);
  }

  private visitChildren(node: Node, st: WalkState, out: Work[]): void {
    for (const key in node) {
      if (SKIP_KEYS.has(key) || key === "type" || key === "key") continue;
      const v = node[key];
      if (v && typeof v === "object") out.push([v, st]);
    }
  }

  private visitCall(node: Node, st: WalkState, out: Work[]): void {
    const isNew = node.type === "NewExpression";
    const callee = node.callee;
    const root = rootIdent(callee);
    const resolved = root && st.shadow?.has(root) ? null : this.resolveCallee(callee);
    const shadowed = root !== null && st.shadow?.has(root) === true;
    let calleeHandled = false;
    if (resolved) {
      const parser = REGISTRY.get(`${resolved.module}:${resolved.path}`);
      const direct = st.bindTarget === node;
      const bound = direct || st.bindName !== null;
      const site: CallSite = {
        node, isNew, callee, symbol: resolved.path, family: resolved.family,
        // swc gives `new X` (no parentheses) an empty argument list; tell it apart from `new X()`.
        args: isNew && !this.file.textOf(node.span).trimEnd().endsWith(")") ? undefined : node.arguments,
        typeArgs: node.typeArguments?.params ?? [],
        bindName: bound ? st.bindName : null,
        bindSpan: bound ? st.bindSpan : null,
        destructured: bound && st.bindDestructured,
        direct,
        inFunction: st.fnDepth > 0,
        docOffset: bound || st.fnDepth === 0 ? st.stmtStart : this.file.offsetOf(node.span.start),
      };
      if (parser) {
        if (resolved.viaNamespace && resolved.family === "encore") {
          this.ctx.report(D.NamespaceImportEncore, callee.span, `Encore's parser does not detect declarations made through a namespace import; import the name instead (import { ${resolved.path.split(".")[0]} } from "encore.dev/${resolved.module}").`);
        }
        this.runParser(parser, site);
      } else if (resolved.module === "api" && resolved.path.startsWith("api.")) {
        this.ctx.report(D.UnknownApiForm, callee.span, `'api.${resolved.path.slice(4)}' is not an endpoint form; use api.raw, api.static, api.streamIn, api.streamOut or api.streamInOut.`);
      }
      calleeHandled = true;
    } else if (shadowed) {
      calleeHandled = false;
    } else if (!isNew && callee?.type === "Identifier" && this.authLocals.has(callee.value)) {
      this.facts.authDataCalls.push(this.ctx.range(callee.span));
      calleeHandled = true;
    } else if (!isNew && callee?.type === "Identifier" && this.interesting.has(callee.value)) {
      this.pushUsage(callee.value, null, null, "bare-call", false, callee.span);
      calleeHandled = true;
    } else if (!isNew) {
      const typeArg = node.typeArguments?.params?.[0];
      const before = this.facts.usages.length;
      calleeHandled = this.recordMemberUsage(callee, "call", typeArg !== undefined);
      const u = this.facts.usages.length > before ? this.facts.usages[this.facts.usages.length - 1] : undefined;
      if (u) this.attachSql(u, rawSqlQuery, node);
      if (u && typeArg && u.member === "ref") {
        u.refTypes = this.intersectedNames(typeArg);
        u.refTypeRange = this.ctx.range(typeArg.span);
      }
    }
    if (!calleeHandled) out.push([callee, { ...st, bindTarget: null }]);
    // A resource nested in another resource's arguments (inline middleware) is not bound by the outer declarator.
    const argState = resolved ? { ...st, bindTarget: null, bindName: null, bindDestructured: false } : { ...st, bindTarget: null };
    if (node.arguments) for (const a of node.arguments) out.push([a.expression, argState]);
  }

  private runParser(parser: { kind: ResourceKind | "ref"; parse(x: Extractor, s: CallSite): void }, site: CallSite): void {
    const before = this.ctx.diagnostics.length;
    try {
      parser.parse(this, site);
    } catch (err) {
      this.ctx.diagnostics.length = before;
      this.ctx.report(D.InternalError, site.callee.span, `Reprise failed to analyse this ${parser.kind} declaration (${String((err as Error)?.message ?? err).slice(0, 200)}). This is a bug in Reprise; the rest of the app is still analysed.`);
    }
  }

  /** Maps a callee to an SDK symbol like "api.raw" in module "api". */
  private resolveCallee(callee: Node): { module: SdkModule; family: SdkFamily; path: string; viaNamespace: boolean } | null {
    if (callee?.type === "Identifier") {
      const imp = this.sdk.get(callee.value);
      if (!imp || imp.name === "*" || imp.name === "default") return null;
      return { module: imp.module, family: imp.family, path: imp.name, viaNamespace: false };
    }
    const m = memberParts(callee);
    if (!m) return null;
    if (m.object?.type === "Identifier") {
      const imp = this.sdk.get(m.object.value);
      if (!imp || imp.name === "default") return null;
      if (imp.name === "*") return { module: imp.module, family: imp.family, path: m.property, viaNamespace: true };
      return { module: imp.module, family: imp.family, path: `${imp.name}.${m.property}`, viaNamespace: false };
    }
    const inner = memberParts(m.object);
    if (inner && inner.object?.type === "Identifier") {
      const imp = this.sdk.get(inner.object.value);
      if (imp?.name === "*") return { module: imp.module, family: imp.family, path: `${inner.property}.${m.property}`, viaNamespace: true };
    }
    return null;
  }

  /** `const tx = await db.begin()`: later `tx.query...` uses are uses of `db` (its queries run on db's database). */
  private noteTransaction(d: Node): void {
    if (d.id?.type !== "Identifier") return;
    let init = unwrapExpr(d.init);
    if (init?.type === "AwaitExpression") init = unwrapExpr(init.argument);
    if (init?.type !== "CallExpression") return;
    const m = memberParts(init.callee);
    if (!m || m.property !== "begin" || m.object?.type !== "Identifier") return;
    const db = this.txLocals.get(m.object.value) ?? m.object.value;
    if (this.interesting.has(db)) this.txLocals.set(d.id.value, db);
    else this.txLocals.delete(d.id.value);
  }

  private attachSql(u: Usage, of: typeof taggedSqlQuery, node: Node): void {
    if (!u.member || u.sql) return;
    try {
      const q = of(this.file, node, u.member);
      if (q) u.sql = q;
    } catch {
      // A query the extractor cannot read is simply not checked.
    }
  }

  /** Records `x.m` (and `ns.x.m`) uses of interesting identifiers and client namespaces; true when handled. */
  private recordMemberUsage(expr: Node, form: Usage["form"], hasTypeArgs: boolean): boolean {
    const m = memberParts(expr);
    if (!m) return false;
    const obj = m.object;
    if (obj?.type === "Identifier") {
      const client = this.clientLocals.get(obj.value);
      if (client !== undefined) {
        this.pushClient(client, obj.span, m.property, m.propertySpan, expr.span, form, obj.value === client);
        return true;
      }
      if (this.interesting.has(obj.value)) {
        this.pushUsage(obj.value, null, m.property, form, hasTypeArgs, expr.span);
        return true;
      }
      const tx = this.txLocals.get(obj.value);
      if (tx !== undefined) {
        this.pushUsage(tx, null, m.property, form, hasTypeArgs, expr.span);
        return true;
      }
      return false;
    }
    const inner = memberParts(obj);
    if (inner && inner.object?.type === "Identifier") {
      if (this.clientNamespaces.has(inner.object.value)) {
        this.pushClient(inner.property, inner.propertySpan, m.property, m.propertySpan, { start: inner.propertySpan.start, end: expr.span.end } as Span, form, true);
        return true;
      }
      if (this.interesting.has(inner.object.value) && this.facts.bindings.get(inner.object.value)?.type === "import") {
        this.pushUsage(inner.object.value, inner.property, m.property, form, hasTypeArgs, expr.span);
        return true;
      }
    }
    return false;
  }

  private pushClient(client: string, clientSpan: Span, member: string, memberSpan: Span, span: Span, form: Usage["form"], clientSpelled: boolean): void {
    if (member === "Client") return;
    const f = form === "call" ? (member === "ref" ? "ref" : "call") : "invalid";
    this.facts.clientCalls.push({ client, clientRange: this.ctx.range(clientSpan), endpoint: f === "ref" ? null : member, endpointRange: this.ctx.range(memberSpan), range: this.ctx.range(span), form: f, clientSpelled });
  }

  /** `A & B & ns.C` → the type names (SDK imports under their exported name); null for any other form. */
  private intersectedNames(t: Node): string[] | null {
    if (t.type === "TsParenthesizedType") return this.intersectedNames(t.typeAnnotation);
    if (t.type === "TsIntersectionType") {
      const out: string[] = [];
      for (const m of t.types) {
        const names = this.intersectedNames(m);
        if (!names) return null;
        out.push(...names);
      }
      return out;
    }
    if (t.type !== "TsTypeReference" || t.typeParams) return null;
    const n = t.typeName;
    if (n?.type === "Identifier") {
      const imp = this.sdk.get(n.value);
      return [imp && imp.name !== "*" && imp.name !== "default" ? imp.name : n.value];
    }
    if (n?.type === "TsQualifiedName" && n.left?.type === "Identifier" && this.sdk.get(n.left.value)?.name === "*") return [n.right.value];
    return null;
  }

  private pushUsage(ident: string, nsMember: string | null, member: string | null, form: Usage["form"], hasTypeArgs: boolean, span: Span): void {
    this.facts.usages.push({ ident, nsMember, member, form, hasTypeArgs, range: this.ctx.range(span) });
  }

  private recordValueUse(node: Node): void {
    const client = this.clientLocals.get(node.value);
    if (client !== undefined) {
      this.facts.clientCalls.push({ client, clientRange: this.ctx.range(node.span), endpoint: null, endpointRange: null, range: this.ctx.range(node.span), form: "invalid", clientSpelled: false });
    }
  }
}

const TS_EXPR = new Set(["TsAsExpression", "TsSatisfiesExpression", "TsNonNullExpression", "TsConstAssertion", "TsTypeAssertion", "TsInstantiation", "TsModuleDeclaration", "TsEnumDeclaration", "TsExportAssignment", "TsModuleBlock"]);

/** `a` for `a`, `a.b`, `a.b.c`. */
function rootIdent(e: Node): string | null {
  while (e?.type === "MemberExpression") e = e.object;
  return e?.type === "Identifier" ? e.value : null;
}

function patternNames(p: Node): string[] {
  if (!p) return [];
  switch (p.type) {
    case "Identifier": return [p.value];
    case "ObjectPattern": return p.properties.flatMap((q: Node) => q.type === "AssignmentPatternProperty" ? [q.key.value] : q.type === "KeyValuePatternProperty" ? patternNames(q.value) : q.type === "RestElement" ? patternNames(q.argument) : []);
    case "ArrayPattern": return p.elements.flatMap((e: Node) => patternNames(e));
    case "AssignmentPattern": return patternNames(p.left);
    case "RestElement": return patternNames(p.argument);
    default: return [];
  }
}

export function extractFile(file: ParsedFile): FileFacts {
  return new Extractor(file).run();
}
