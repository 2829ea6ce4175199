/**
 * The schema builder: TypeScript types of an app → JSON Schema 2020-12 with Reprise's wire-placement extension.
 * The analyzer core calls `build` for each request/response/message/auth/handshake type it finds; the builder
 * reads declarations through the host (no IO of its own), caches each converted declaration ("instance": a
 * declaration with concrete type arguments) and drops exactly the instances that read a file when `invalidate`
 * is called for it. docs/schemas.md specifies the output.
 */
import type { Diagnostic, HttpMethod, JSONSchema } from "@reprise/protocol";
import type { TsType } from "@swc/core";
import type { ParsedFile } from "../parsed-file.js";
import { makeDiagnostic } from "../diagnostics/define.js";
import { newAcc, report, docAbove, type Acc, type Ctx, type Registry } from "./context.js";
import { Converter } from "./convert.js";
import { SCHEMA as D } from "../diagnostics/schema.js";
import { Emitter, type EmittedDef } from "./emit.js";
import { argName, tyKey, type Ty } from "./ir.js";
import { buildScope, Resolver, type DeclNode, type FileScope } from "./scope.js";
import { structure } from "./structure.js";
import { place, type SchemaRole } from "./wire.js";

export { schemaDiagnostics } from "../diagnostics/schema.js";
export type { SchemaRole } from "./wire.js";

export interface SchemaFileHost {
  getFile(path: string): ParsedFile | undefined;
  resolveModule(fromFile: string, specifier: string): string | undefined;
}

export interface SchemaRequestContext {
  methods: HttpMethod[];
  pathParams: string[];
}

export interface SchemaResult {
  schema: JSONSchema | null;
  diagnostics: Diagnostic[];
  /** Every app file whose declarations were read: rebuild when one of them changes. */
  dependencies: string[];
  /** Top-level property names of the resulting object. */
  fields: string[];
}

interface Instance {
  id: string;
  file: string;
  name: string;
  decl: DeclNode;
  args: Ty[];
  ty: Ty | null;
  acc: Acc;
  emitted?: EmittedDef;
}

/** Instantiation nesting beyond this is a generic type that expands forever (e.g. `T<X> = { n: T<X[]> }`). */
const MAX_INSTANTIATION_DEPTH = 64;

export class SchemaBuilder implements Registry {
  private readonly scopes = new Map<string, FileScope>();
  private readonly instances = new Map<string, Instance>();
  /** How to rebuild an instance that was dropped while a cached one still refers to it by id. */
  private readonly recipes = new Map<string, { file: string; name: string; args: Ty[] }>();
  private readonly converter = new Converter(this);
  private readonly scopeHost = { scope: (f: string) => this.scope(f), resolveModule: (from: string, spec: string) => this.host.resolveModule(from, spec) };
  private depth = 0;
  /** Emitted `$defs` entries per instance, shared by every schema that reaches the instance. */
  private readonly emitCache = {
    get: (id: string) => this.instances.get(id)?.emitted,
    set: (id: string, def: EmittedDef) => {
      const inst = this.instances.get(id);
      if (inst) inst.emitted = def;
    },
  };

  /** Top-level schemas of named types per role and request context, with what building them read. */
  private readonly placed = new Map<string, { schema: JSONSchema | null; fields: string[]; acc: Acc }>();
  /** file → keys of the placed schemas / instances that read it ("" → fragile ones, dropped on any change). */
  private readonly placedIndex = new Map<string, Set<string>>();
  private readonly instanceIndex = new Map<string, Set<string>>();

  constructor(private readonly host: SchemaFileHost) {}

  build(file: string, type: TsType, role: SchemaRole, ctx?: SchemaRequestContext): SchemaResult {
    const acc = newAcc();
    acc.deps.add(file);
    const cctx: Ctx = { file, env: new Map(), acc };
    let schema: JSONSchema | null = null;
    let fields: string[] = [];
    try {
      const ty = this.converter.convert(type, cctx, "loose");
      if (ty.k === "ref") {
        // Several endpoints often share a named response (or message) type: place it once per role and context.
        const key = `${ty.id}\0${role}\0${ctx ? `${ctx.methods.join(",")}\0${ctx.pathParams.join(",")}` : "-"}`;
        let hit = this.placed.get(key);
        if (!hit) {
          const pacc = newAcc();
          const r = this.shape(ty, type, file, role, ctx, pacc);
          hit = { ...r, acc: pacc };
          if (!r.siteSpecific) {
            this.placed.set(key, hit);
            indexDeps(this.placedIndex, key, pacc);
          }
        }
        mergeAcc(acc, hit.acc);
        schema = hit.schema;
        fields = hit.fields;
      } else {
        ({ schema, fields } = this.shape(ty, type, file, role, ctx, acc));
      }
    } catch (err) {
      // A bug in the builder must not take the analysis down: report it on the type and carry on.
      const pf = this.host.getFile(file);
      const range = pf ? pf.rangeOf(type.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      acc.diags.push(makeDiagnostic(D.TypeSyntaxUnsupported, file, range, `Internal error while building the schema of this type (${(err as Error)?.message ?? err}). Please report it.`));
      schema = null;
    }
    const { diagnostics, dependencies } = this.closure(acc);
    return { schema, diagnostics, dependencies, fields };
  }

  /** The top-level schema of a converted type; `siteSpecific` when a diagnostic points at the call site's node. */
  private shape(ty: Ty, type: TsType, file: string, role: SchemaRole, ctx: SchemaRequestContext | undefined, acc: Acc): { schema: JSONSchema | null; fields: string[]; siteSpecific: boolean } {
    const s = ty.k === "error" ? null : structure(this, ty, acc);
    if (ty.k === "void" || ty.k === "undefined" || ty.k === "error" || s?.k === "error") return { schema: null, fields: [], siteSpecific: false };
    if (role === "message" && s !== null && isObjectUnion(this, s, acc)) {
      // A message may be a union of object types (a tagged union of events); there are no attributes then.
      const emitter = new Emitter(this, acc, (id) => this.docOf(id));
      let schema = emitter.emit(s);
      if (emitter.defs.size) schema = { ...schema, $defs: Object.fromEntries(emitter.defs) };
      return { schema, fields: [], siteSpecific: false };
    }
    if (s === null || s.k !== "object" || s.index) {
      const what = s === null ? "a circular type" : s.k === "object" ? "a map (index signature)" : describe(s);
      const nullable = s?.k === "union" && s.types.some((m) => m.k === "prim" && m.t === "null");
      const hint = nullable && role === "response"
        ? "Return the object type and throw APIError.notFound(…) when there is nothing to return."
        : `Wrap it in an object, e.g. '{ ${s?.k === "array" ? "items" : "value"}: … }'.`;
      report(this, { file, env: new Map(), acc }, D.TopLevelNotObject, type.span, `The ${roleLabel(role)} must be an interface or object type (or void), not ${what}. ${hint}`);
      return { schema: null, fields: [], siteSpecific: true };
    }
    const input = { props: s.props, role, methods: ctx?.methods ?? null, pathParams: ctx?.pathParams ?? [] };
    let emitter = new Emitter(this, acc, (id) => this.docOf(id), this.emitCache);
    let schema = place(this, acc, emitter, input);
    if (!emitter.finish()) {
      // Two different declarations share a name in this schema: emit again with unique `$defs` names.
      emitter = new Emitter(this, acc, (id) => this.docOf(id));
      schema = place(this, newAcc(), emitter, input);
    }
    if (role === "authData" || role === "message") schema = stripSources(schema, role);
    const doc = ty.k === "ref" ? this.docOf(ty.id) : null;
    if (doc) schema = { description: doc, ...schema };
    if (emitter.defs.size) schema.$defs = Object.fromEntries(emitter.defs);
    return { schema, fields: s.props.map((p) => p.name), siteSpecific: false };
  }

  invalidate(file: string): void {
    this.scopes.delete(file);
    dropIndexed(this.placed, this.placedIndex, file);
    dropIndexed(this.instances, this.instanceIndex, file);
  }

  /** Cache sizes, for tests and benchmarks: parsed file scopes and converted declarations held. */
  cacheStats(): { files: number; declarations: number; schemas: number } {
    return { files: this.scopes.size, declarations: this.instances.size, schemas: this.placed.size };
  }

  // ---- Registry (used by the converter) ----

  getFile(file: string): ParsedFile | undefined {
    return this.host.getFile(file);
  }

  resolver(acc: Acc): Resolver {
    return new Resolver(this.scopeHost, acc.deps, () => {
      acc.fragile = true;
    });
  }

  instantiate(file: string, name: string, decl: DeclNode, args: Ty[], acc: Acc): string {
    const id = args.length ? `${file}#${name}<${args.map(tyKey).join(",")}>` : `${file}#${name}`;
    acc.uses.add(id);
    if (this.instances.has(id)) return id;
    this.recipes.set(id, { file, name, args });
    this.compute(id, file, name, decl, args);
    return id;
  }

  instanceType(id: string, acc: Acc): Ty | null {
    let inst = this.instances.get(id);
    if (!inst) {
      const recipe = this.recipes.get(id);
      const decl = recipe ? this.scope(recipe.file).decls.get(recipe.name) : undefined;
      if (!recipe || !decl) return { k: "error" };
      inst = this.compute(id, recipe.file, recipe.name, decl, recipe.args);
    }
    acc.uses.add(id);
    if (inst.ty === null) return null;
    for (const d of inst.acc.deps) acc.deps.add(d);
    if (inst.acc.fragile) acc.fragile = true;
    return inst.ty;
  }

  defNameOf(id: string): string {
    const r = this.recipes.get(id);
    if (!r) return "Type";
    return r.args.length ? `${r.name}_${r.args.map((a) => argName(a, (i) => this.defNameOf(i))).join("_")}` : r.name;
  }

  // ---- internals ----

  private scope(file: string): FileScope {
    let s = this.scopes.get(file);
    if (!s) {
      s = buildScope(file, this.host.getFile(file));
      this.scopes.set(file, s);
    }
    return s;
  }

  private compute(id: string, file: string, name: string, decl: DeclNode, args: Ty[]): Instance {
    const inst: Instance = { id, file, name, decl, args, ty: null, acc: newAcc() };
    inst.acc.deps.add(file);
    this.instances.set(id, inst);
    try {
      return this.computeInto(inst, id, file, name, decl, args);
    } finally {
      // Indexed once its dependencies are complete (so invalidate need not scan every instance).
      indexDeps(this.instanceIndex, id, inst.acc);
    }
  }

  private computeInto(inst: Instance, id: string, file: string, name: string, decl: DeclNode, args: Ty[]): Instance {
    if (this.depth >= MAX_INSTANTIATION_DEPTH) {
      const node = decl.kind === "alias" ? decl.node : decl.kind === "interface" ? decl.nodes[0] : decl.kind === "enum" ? decl.nodes[0] : null;
      if (node) report(this, { file, env: new Map(), acc: inst.acc }, D.CircularType, node.id.span, `'${name}' expands without end (each use instantiates it with a bigger type argument). Make the recursion go through the same type arguments.`);
      inst.ty = { k: "error" };
      return inst;
    }
    this.depth++;
    try {
      inst.ty = this.converter.convertDecl(decl, name, args, { file, env: new Map(), acc: inst.acc });
    } finally {
      this.depth--;
      if (inst.ty === null) inst.ty = { k: "error" };
    }
    if (inst.ty.k === "ref" && this.refersTo(inst.ty, id)) {
      const node = decl.kind === "alias" ? decl.node : null;
      if (node) report(this, { file, env: new Map(), acc: inst.acc }, D.CircularType, node.typeAnnotation.span, `'${name}' is defined as itself (through other aliases). Give it a real definition, e.g. an object type.`);
      inst.ty = { k: "error" };
    }
    collectRefs(inst.ty, inst.acc.uses);
    return inst;
  }

  /** Whether a chain of alias-to-alias references leads back to `self`. */
  private refersTo(t: Ty, self: string): boolean {
    const seen = new Set<string>();
    let cur: Ty | null = t;
    while (cur && cur.k === "ref") {
      if (cur.id === self) return true;
      if (seen.has(cur.id)) return false;
      seen.add(cur.id);
      cur = this.instances.get(cur.id)?.ty ?? null;
    }
    return false;
  }

  private docOf(id: string): string | null {
    const inst = this.instances.get(id);
    if (!inst) return null;
    const node = inst.decl.kind === "alias" ? inst.decl.node : inst.decl.kind === "interface" ? inst.decl.nodes[0] : inst.decl.kind === "enum" ? inst.decl.nodes[0] : null;
    if (!node) return null;
    const pf = this.host.getFile(inst.file);
    if (!pf) return null;
    // The doc comment sits above `export interface …`, which starts before the declaration's own span.
    const at = pf.offsetOf(node.span.start);
    const lineStart = pf.text.lastIndexOf("\n", at - 1) + 1;
    const prefix = pf.text.slice(lineStart, at);
    const m = /^(\s*)(export\s+(default\s+)?)?(declare\s+)?$/.exec(prefix);
    return docAbove(pf, m ? lineStart + m[1].length : at);
  }

  private closure(acc: Acc): { diagnostics: Diagnostic[]; dependencies: string[] } {
    const deps = new Set(acc.deps);
    const seen = new Set<string>();
    const diags: Diagnostic[] = [...acc.diags];
    const queue = [...acc.uses];
    while (queue.length) {
      const id = queue.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const inst = this.instances.get(id);
      if (!inst) continue;
      for (const d of inst.acc.deps) deps.add(d);
      diags.push(...inst.acc.diags);
      for (const u of inst.acc.uses) if (!seen.has(u)) queue.push(u);
    }
    const keyed = new Map<string, Diagnostic>();
    for (const d of diags) {
      const key = `${d.code}|${d.file}|${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}|${d.message}`;
      if (!keyed.has(key)) keyed.set(key, d);
    }
    return { diagnostics: [...keyed.values()], dependencies: [...deps].sort() };
  }
}

function mergeAcc(into: Acc, from: Acc): void {
  for (const d of from.deps) into.deps.add(d);
  for (const u of from.uses) into.uses.add(u);
  into.diags.push(...from.diags);
  if (from.fragile) into.fragile = true;
}

function isObjectUnion(reg: Registry, t: Ty, acc: Acc): boolean {
  if (t.k !== "union") return false;
  return t.types.every((m) => {
    const s = structure(reg, m, acc);
    return s !== null && s.k === "object" && !s.index;
  });
}

function collectRefs(t: Ty, out: Set<string>): void {
  switch (t.k) {
    case "ref":
      out.add(t.id);
      return;
    case "array":
      return collectRefs(t.items, out);
    case "object":
      for (const p of t.props) collectRefs(p.ty, out);
      if (t.index) collectRefs(t.index.value, out);
      return;
    case "union":
    case "allOf":
      for (const m of t.types) collectRefs(m, out);
      return;
    case "rules":
      return collectRefs(t.base, out);
    case "wire":
      return collectRefs(t.inner, out);
  }
}

/** Pub/sub messages and auth data have no wire placement beyond attributes. */
function stripSources(schema: JSONSchema, role: SchemaRole): JSONSchema {
  if (role === "message") return schema;
  const props = schema.properties as Record<string, JSONSchema>;
  for (const k of Object.keys(props)) {
    const { ["x-reprise-source"]: _s, ["x-reprise-name"]: _n, ...rest } = props[k];
    props[k] = rest;
  }
  return schema;
}

function roleLabel(role: SchemaRole): string {
  switch (role) {
    case "request":
      return "request type";
    case "response":
      return "response type";
    case "message":
      return "pub/sub message type";
    case "authParams":
      return "auth handler's parameter type";
    case "authData":
      return "auth data type";
    case "handshake":
      return "handshake type";
  }
}

function describe(t: Ty): string {
  switch (t.k) {
    case "prim":
      return `'${t.t}'`;
    case "lit":
      return `the literal ${JSON.stringify(t.v)}`;
    case "array":
      return "an array";
    case "union":
      return "a union";
    case "date":
      return "'Date'";
    case "any":
      return "'any'/'unknown'";
    case "rules":
      return describe(t.base);
    default:
      return `a ${t.k} type`;
  }
}

/** Records `key` under every file its accumulator read, and under "" when it is fragile. */
function indexDeps(index: Map<string, Set<string>>, key: string, acc: Acc): void {
  const add = (f: string) => {
    let set = index.get(f);
    if (!set) index.set(f, (set = new Set()));
    set.add(key);
  };
  for (const d of acc.deps) add(d);
  if (acc.fragile) add("");
}

/** Drops the entries that read `file` or are fragile; the index may hold stale keys, so each is re-checked. */
function dropIndexed(map: Map<string, { acc: Acc }>, index: Map<string, Set<string>>, file: string): void {
  for (const f of [file, ""]) {
    const keys = index.get(f);
    if (!keys) continue;
    for (const key of keys) {
      const v = map.get(key);
      if (v && (v.acc.deps.has(file) || v.acc.fragile)) map.delete(key);
    }
    index.delete(f);
  }
}
