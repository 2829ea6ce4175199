/**
 * Per-file index of what a schema can refer to: the file's type declarations (interfaces, aliases, enums,
 * classes), its imports and its exports. Built once per file from the swc AST and cached until the file is
 * invalidated; `Resolver` follows imports, renames, `export *` and re-exports across files through the host,
 * recording every file it reads so cached results can be dropped when one of them changes.
 */
import type {
  ClassDeclaration,
  ModuleItem,
  TsEnumDeclaration,
  TsInterfaceDeclaration,
  TsTypeAliasDeclaration,
  TsEntityName,
  TsType,
  Expression,
  VariableDeclaration,
} from "@swc/core";
import type { ParsedFile } from "../parsed-file.js";

export type DeclNode =
  | { kind: "interface"; nodes: TsInterfaceDeclaration[] }
  | { kind: "alias"; node: TsTypeAliasDeclaration }
  | { kind: "enum"; nodes: TsEnumDeclaration[] }
  | { kind: "class"; node: ClassDeclaration | null };

/** A top-level variable: `typeof x` reads its annotation or infers from its initializer. */
export interface ValueDecl {
  annotation: TsType | null;
  init: Expression | null;
}

export type ImportBinding = { specifier: string; imported: string | "*" };

export type ExportEntry =
  | { kind: "local"; local: string }
  | { kind: "reexport"; specifier: string; name: string }
  | { kind: "namespace"; specifier: string };

export interface FileScope {
  file: string;
  /** false when the file has a syntax error: lookups in it fail silently (the syntax error is the root cause). */
  parsed: boolean;
  decls: Map<string, DeclNode>;
  values: Map<string, ValueDecl>;
  imports: Map<string, ImportBinding>;
  exports: Map<string, ExportEntry>;
  stars: string[];
}

/** Module specifiers whose types the builder understands natively, keyed to the SDK area they belong to. */
export const SDK_MODULES: Record<string, "api" | "validate" | "pubsub" | "types" | "other"> = {
  "encore.dev/api": "api",
  "reprise/api": "api",
  "encore.dev/validate": "validate",
  "reprise/validate": "validate",
  "encore.dev/pubsub": "pubsub",
  "reprise/pubsub": "pubsub",
  "encore.dev/types": "types",
};

export function isSdkSpecifier(spec: string): boolean {
  return spec in SDK_MODULES || spec === "encore.dev" || spec === "reprise" || spec.startsWith("encore.dev/") || spec.startsWith("reprise/");
}

export function buildScope(file: string, parsed: ParsedFile | undefined): FileScope {
  const scope: FileScope = { file, parsed: !!parsed?.module, decls: new Map(), values: new Map(), imports: new Map(), exports: new Map(), stars: [] };
  const module = parsed?.module;
  if (!module) return scope;
  for (const item of module.body) indexItem(scope, item);
  return scope;
}

function addDecl(scope: FileScope, decl: unknown): string | null {
  const d = decl as { type: string };
  switch (d.type) {
    case "TsInterfaceDeclaration": {
      const n = d as TsInterfaceDeclaration;
      const prev = scope.decls.get(n.id.value);
      if (prev?.kind === "interface") prev.nodes.push(n);
      else scope.decls.set(n.id.value, { kind: "interface", nodes: [n] });
      return n.id.value;
    }
    case "TsTypeAliasDeclaration": {
      const n = d as TsTypeAliasDeclaration;
      scope.decls.set(n.id.value, { kind: "alias", node: n });
      return n.id.value;
    }
    case "TsEnumDeclaration": {
      const n = d as TsEnumDeclaration;
      const prev = scope.decls.get(n.id.value);
      if (prev?.kind === "enum") prev.nodes.push(n);
      else scope.decls.set(n.id.value, { kind: "enum", nodes: [n] });
      return n.id.value;
    }
    case "ClassDeclaration": {
      const n = d as ClassDeclaration;
      scope.decls.set(n.identifier.value, { kind: "class", node: n });
      return n.identifier.value;
    }
    case "VariableDeclaration": {
      const n = d as VariableDeclaration;
      let last: string | null = null;
      for (const v of n.declarations) {
        if (v.id.type !== "Identifier") continue;
        const ann = (v.id as { typeAnnotation?: { typeAnnotation: TsType } | null }).typeAnnotation;
        scope.values.set(v.id.value, { annotation: ann?.typeAnnotation ?? null, init: v.init ?? null });
        last = v.id.value;
      }
      return last;
    }
    default:
      return null;
  }
}

function indexItem(scope: FileScope, item: ModuleItem): void {
  switch (item.type) {
    case "ImportDeclaration":
      for (const s of item.specifiers) {
        if (s.type === "ImportSpecifier") {
          const imported = s.imported ? (s.imported.type === "Identifier" ? s.imported.value : s.imported.value) : s.local.value;
          scope.imports.set(s.local.value, { specifier: item.source.value, imported });
        } else if (s.type === "ImportDefaultSpecifier") {
          scope.imports.set(s.local.value, { specifier: item.source.value, imported: "default" });
        } else {
          scope.imports.set(s.local.value, { specifier: item.source.value, imported: "*" });
        }
      }
      return;
    case "ExportDeclaration": {
      const name = addDecl(scope, item.declaration);
      if (item.declaration.type === "VariableDeclaration") {
        for (const v of item.declaration.declarations) if (v.id.type === "Identifier") scope.exports.set(v.id.value, { kind: "local", local: v.id.value });
      } else if (name) scope.exports.set(name, { kind: "local", local: name });
      return;
    }
    case "ExportDefaultDeclaration": {
      const decl = item.decl as { type: string; identifier?: { value: string } | null };
      if (decl.type === "TsInterfaceDeclaration") {
        const name = addDecl(scope, decl);
        if (name) scope.exports.set("default", { kind: "local", local: name });
      } else if (decl.type === "ClassExpression") {
        const name = decl.identifier?.value ?? "default";
        scope.decls.set(name, { kind: "class", node: null });
        scope.exports.set("default", { kind: "local", local: name });
      }
      return;
    }
    case "ExportDefaultExpression":
      if (item.expression.type === "Identifier") scope.exports.set("default", { kind: "local", local: item.expression.value });
      return;
    case "ExportAllDeclaration":
      scope.stars.push(item.source.value);
      return;
    case "ExportNamedDeclaration":
      for (const s of item.specifiers) {
        if (s.type === "ExportSpecifier") {
          const orig = s.orig.value;
          const exported = s.exported ? s.exported.value : orig;
          scope.exports.set(
            exported,
            item.source ? { kind: "reexport", specifier: item.source.value, name: orig } : { kind: "local", local: orig },
          );
        } else if (s.type === "ExportNamespaceSpecifier" && item.source) {
          scope.exports.set(s.name.value, { kind: "namespace", specifier: item.source.value });
        } else if (s.type === "ExportDefaultSpecifier" && item.source) {
          scope.exports.set(s.exported.value, { kind: "reexport", specifier: item.source.value, name: "default" });
        }
      }
      return;
    default:
      addDecl(scope, item);
  }
}

/** What a type name refers to. */
export type Sym =
  | { kind: "decl"; file: string; name: string; decl: DeclNode }
  | { kind: "value"; file: string; name: string; value: ValueDecl }
  | { kind: "sdk"; area: "api" | "validate" | "pubsub" | "types" | "other"; specifier: string; name: string }
  | { kind: "sdkNamespace"; specifier: string }
  | { kind: "namespace"; file: string }
  | { kind: "enumMember"; file: string; enumName: string; member: string; decl: DeclNode }
  | { kind: "global"; name: string }
  | { kind: "package"; specifier: string }
  | { kind: "unresolvedModule"; specifier: string }
  | { kind: "missingExport"; specifier: string; name: string }
  /** The name's file (or a file on the way) does not parse: the syntax error is the root cause. */
  | { kind: "broken" }
  | { kind: "unknown"; name: string };

export interface ScopeHost {
  scope(file: string): FileScope;
  resolveModule(fromFile: string, specifier: string): string | undefined;
}

/** Follows names across files; `touched` collects every file whose scope was read. */
export class Resolver {
  constructor(
    private readonly host: ScopeHost,
    readonly touched: Set<string>,
    private readonly onUnresolved: () => void = () => {},
  ) {}

  private resolve(file: string, spec: string): string | undefined {
    const target = this.host.resolveModule(file, spec);
    if (target === undefined) this.onUnresolved();
    return target;
  }

  private scope(file: string): FileScope {
    this.touched.add(file);
    return this.host.scope(file);
  }

  lookupEntity(file: string, name: TsEntityName): Sym {
    if (name.type === "Identifier") return this.lookupLocal(file, name.value, 0);
    const left = this.lookupEntity(file, name.left);
    const right = name.right.value;
    switch (left.kind) {
      case "namespace":
        return this.lookupExport(left.file, right, new Set(), 0);
      case "sdkNamespace":
        return { kind: "sdk", area: SDK_MODULES[left.specifier] ?? "other", specifier: left.specifier, name: right };
      case "decl":
        if (left.decl.kind === "enum") return { kind: "enumMember", file: left.file, enumName: left.name, member: right, decl: left.decl };
        return { kind: "unknown", name: `${left.name}.${right}` };
      case "global":
        return { kind: "unknown", name: `${left.name}.${right}` };
      default:
        return left;
    }
  }

  lookupLocal(file: string, name: string, depth: number): Sym {
    const scope = this.scope(file);
    if (!scope.parsed) return { kind: "broken" };
    const decl = scope.decls.get(name);
    if (decl) return { kind: "decl", file, name, decl };
    const value = scope.values.get(name);
    if (value) return { kind: "value", file, name, value };
    const imp = scope.imports.get(name);
    if (imp) return this.lookupImport(file, imp, depth);
    return { kind: "global", name };
  }

  private lookupImport(file: string, imp: ImportBinding, depth: number): Sym {
    const spec = imp.specifier;
    if (isSdkSpecifier(spec)) {
      if (imp.imported === "*") return { kind: "sdkNamespace", specifier: spec };
      return { kind: "sdk", area: SDK_MODULES[spec] ?? "other", specifier: spec, name: imp.imported };
    }
    const target = this.resolve(file, spec);
    if (target === undefined) return isRelative(spec) ? { kind: "unresolvedModule", specifier: spec } : { kind: "package", specifier: spec };
    if (imp.imported === "*") return { kind: "namespace", file: target };
    const sym = this.lookupExport(target, imp.imported, new Set(), depth + 1);
    return sym.kind === "missingExport" ? { ...sym, specifier: spec } : sym;
  }

  lookupExport(file: string, name: string, seen: Set<string>, depth: number): Sym {
    const key = `${file}\0${name}`;
    if (seen.has(key) || depth > 64) return { kind: "missingExport", specifier: file, name };
    seen.add(key);
    const scope = this.scope(file);
    if (!scope.parsed) return { kind: "broken" };
    const entry = scope.exports.get(name);
    if (entry) {
      if (entry.kind === "local") return this.lookupLocal(file, entry.local, depth + 1);
      if (isSdkSpecifier(entry.specifier)) {
        if (entry.kind === "namespace") return { kind: "sdkNamespace", specifier: entry.specifier };
        return { kind: "sdk", area: SDK_MODULES[entry.specifier] ?? "other", specifier: entry.specifier, name: entry.name };
      }
      const target = this.resolve(file, entry.specifier);
      if (target === undefined) return isRelative(entry.specifier) ? { kind: "unresolvedModule", specifier: entry.specifier } : { kind: "package", specifier: entry.specifier };
      if (entry.kind === "namespace") return { kind: "namespace", file: target };
      return this.lookupExport(target, entry.name, seen, depth + 1);
    }
    if (name !== "default") {
      for (const star of scope.stars) {
        if (isSdkSpecifier(star)) continue;
        const target = this.resolve(file, star);
        if (target === undefined) continue;
        const sym = this.lookupExport(target, name, seen, depth + 1);
        if (sym.kind !== "missingExport") return sym;
      }
      // `export * from "encore.dev/api"` re-exports SDK names we cannot enumerate; accept the SDK's marker names.
      for (const star of scope.stars) {
        if (isSdkSpecifier(star) && SDK_MODULES[star] && SDK_NAMES.has(name)) return { kind: "sdk", area: SDK_MODULES[star], specifier: star, name };
      }
    }
    return { kind: "missingExport", specifier: file, name };
  }
}

/** Type names the schema builder reads natively from the SDK (checked against the SDK's exports by a test). */
export const SDK_NAMES: ReadonlySet<string> = new Set(["Header", "Query", "Cookie", "HttpStatus", "Attribute", "Decimal", "Min", "Max", "MinLen", "MaxLen", "MatchesRegexp", "StartsWith", "EndsWith", "IsEmail", "IsURL"]);

function isRelative(spec: string): boolean {
  return spec.startsWith("./") || spec.startsWith("../") || spec === "." || spec === ".." || spec.startsWith("/") || spec.startsWith("~");
}
