/**
 * IR → JSON Schema 2020-12. Named instances become `$defs` entries referenced with `$ref` (each emitted once per
 * schema, so recursion terminates); unions of literals become `enum`; `T | null` folds into a type list;
 * validation rules become the standard keywords (plus documented `x-reprise-*` annotations). docs/schemas.md is
 * the specification of every keyword written here.
 */
import type { JSONSchema } from "@reprise/protocol";
import type { Acc, Registry } from "./context.js";
import type { Rule, RuleExpr, Ty } from "./ir.js";
import { structure } from "./structure.js";

export const BIGINT_PATTERN = "^-?[0-9]+$";
export const DECIMAL_PATTERN = "^-?[0-9]+(\\.[0-9]+)?$";

/** A named instance written once: its schema (refs use base names) and the instances it refers to, in order. */
export interface EmittedDef {
  schema: JSONSchema;
  refs: string[];
}

export interface EmitCache {
  get(id: string): EmittedDef | undefined;
  set(id: string, def: EmittedDef): void;
}

/**
 * Two modes. Shared (with a cache): `$ref`s use each instance's base name and every instance's schema is emitted
 * once and reused by all later builds; `finish()` fails when two different instances reached from one schema
 * share a base name, and the caller then emits again in unique mode (no cache), which suffixes `_2`, `_3`, ….
 */
export class Emitter {
  readonly defs = new Map<string, JSONSchema>();
  private readonly names = new Map<string, string>();
  private readonly taken = new Set<string>();
  private readonly order: string[] = [];

  constructor(
    private readonly reg: Registry,
    private readonly acc: Acc,
    private readonly docOf: (id: string) => string | null,
    private readonly cache: EmitCache | null = null,
  ) {}

  refName(id: string): string {
    let name = this.names.get(id);
    if (name) return name;
    if (this.cache) {
      name = this.reg.defNameOf(id);
      this.names.set(id, name);
      this.order.push(id);
      return name;
    }
    const base = this.reg.defNameOf(id);
    name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    this.names.set(id, name);
    this.defs.set(name, {}); // placeholder: a recursive reference finds the name already assigned
    this.defs.set(name, this.instanceSchema(id));
    return name;
  }

  private instanceSchema(id: string): JSONSchema {
    const ty = this.reg.instanceType(id, this.acc);
    const schema = ty ? this.emit(ty) : {};
    const doc = this.docOf(id);
    return doc && !("description" in schema) ? { description: doc, ...schema } : schema;
  }

  /** Shared mode: fills `defs` from the cache (emitting missing entries); false on a base-name collision. */
  finish(): boolean {
    if (!this.cache) return true;
    const owner = new Map<string, string>();
    const visit = (id: string): boolean => {
      const name = this.reg.defNameOf(id);
      const prev = owner.get(name);
      if (prev !== undefined) return prev === id;
      owner.set(name, id);
      let def = this.cache!.get(id);
      if (!def) {
        const sub = new Emitter(this.reg, this.acc, this.docOf, this.cache);
        def = { schema: sub.instanceSchema(id), refs: sub.order };
        this.cache!.set(id, def);
      } else this.reg.instanceType(id, this.acc);
      this.defs.set(name, def.schema);
      for (const r of def.refs) if (!visit(r)) return false;
      return true;
    };
    for (const id of this.order) if (!visit(id)) return false;
    return true;
  }

  emit(ty: Ty): JSONSchema {
    switch (ty.k) {
      case "prim":
        return { type: ty.t };
      case "date":
        return { type: "string", format: "date-time" };
      case "bigint":
        return { type: ["integer", "string"], pattern: BIGINT_PATTERN, "x-reprise-type": "bigint" };
      case "decimal":
        return { type: ["number", "string"], pattern: DECIMAL_PATTERN, "x-reprise-type": "Decimal" };
      case "lit":
        return { type: typeof ty.v, const: ty.v };
      case "array":
        return { type: "array", items: this.emit(ty.items) };
      case "object": {
        const properties: Record<string, JSONSchema> = {};
        const required: string[] = [];
        for (const p of ty.props) {
          properties[p.name] = withDoc(this.emit(p.ty), p.doc);
          if (!p.optional) required.push(p.name);
        }
        const out: JSONSchema = { type: "object" };
        if (ty.props.length || !ty.index) out.properties = properties;
        if (required.length) out.required = required;
        if (ty.index) {
          out.additionalProperties = this.emit(ty.index.value);
          if (ty.index.key === "number") out.propertyNames = { pattern: DECIMAL_PATTERN };
        }
        return out;
      }
      case "union":
        return this.union(ty.types);
      case "allOf":
        return { allOf: ty.types.map((t) => this.emit(t)) };
      case "ref":
        return { $ref: `#/$defs/${this.refName(ty.id)}` };
      case "rules":
        return this.rules(ty.base, ty.rules);
      case "wire":
        return this.emit(ty.inner);
      case "never":
        return { not: {} };
      default:
        // any, unknown, error (already reported), and transient kinds that never reach a valid schema.
        return {};
    }
  }

  private union(types: Ty[]): JSONSchema {
    const lits = types.filter((t): t is Extract<Ty, { k: "lit" }> => t.k === "lit");
    const hasNull = types.some((t) => t.k === "prim" && t.t === "null");
    const others = types.filter((t) => t.k !== "lit" && !(t.k === "prim" && t.t === "null"));
    const litTypes = [...new Set(lits.map((l) => typeof l.v))];
    if (others.length === 0 && lits.length) {
      if (lits.length === 2 && litTypes.length === 1 && litTypes[0] === "boolean" && lits[0].v !== lits[1].v) return { type: hasNull ? ["boolean", "null"] : "boolean" };
      const values: unknown[] = lits.map((l) => l.v);
      if (hasNull) values.push(null);
      const t = hasNull ? [...litTypes, "null"] : litTypes;
      return { type: t.length === 1 ? t[0] : t, enum: values };
    }
    if (lits.length === 0 && others.every((t) => t.k === "prim")) {
      const t = [...new Set(others.map((o) => (o as { t: string }).t))];
      if (hasNull) t.push("null");
      return { type: t.length === 1 ? t[0] : t };
    }
    if (lits.length === 0 && others.length === 1 && hasNull) {
      const s = this.emit(others[0]);
      if (typeof s.type === "string") return { ...s, type: [s.type, "null"] };
      if (Array.isArray(s.type) && !s.type.includes("null")) return { ...s, type: [...s.type, "null"] };
      return { anyOf: [s, { type: "null" }] };
    }
    const anyOf: JSONSchema[] = [];
    if (lits.length) anyOf.push({ type: litTypes.length === 1 ? litTypes[0] : litTypes, enum: lits.map((l) => l.v) });
    for (const o of others) anyOf.push(this.emit(o));
    if (hasNull) anyOf.push({ type: "null" });
    return { anyOf };
  }

  private rules(base: Ty, expr: RuleExpr): JSONSchema {
    const s = this.emit(base);
    const isArray = this.isArray(base);
    return constrain(s, ruleSchema(expr, isArray));
  }

  private isArray(t: Ty): boolean {
    const s = structure(this.reg, t, this.acc);
    if (!s) return false;
    if (s.k === "array") return true;
    if (s.k === "rules") return this.isArray(s.base);
    if (s.k === "union") return s.types.some((m) => m.k !== "prim" && this.isArray(m));
    return false;
  }
}

function withDoc(s: JSONSchema, doc: string | null): JSONSchema {
  return doc ? { description: doc, ...s } : s;
}

/** Escapes only ECMAScript's syntax characters: `\-` or `\/` would be invalid identity escapes with the `u` flag. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function leafSchema(r: Rule, isArray: boolean): JSONSchema {
  switch (r.rule) {
    case "min":
      return { minimum: r.value };
    case "max":
      return { maximum: r.value };
    case "minLen":
      return isArray ? { minItems: r.value } : { minLength: r.value };
    case "maxLen":
      return isArray ? { maxItems: r.value } : { maxLength: r.value };
    case "regexp":
      return { pattern: r.value };
    case "startsWith":
      return { pattern: `^${escapeRegExp(r.value)}`, "x-reprise-startsWith": r.value };
    case "endsWith":
      return { pattern: `${escapeRegExp(r.value)}$`, "x-reprise-endsWith": r.value };
    case "email":
      return { format: "email" };
    case "url":
      return { format: "uri" };
  }
}

function ruleSchema(e: RuleExpr, isArray: boolean): JSONSchema {
  const parts = e.items.map((i) => ("op" in i ? ruleSchema(i, isArray) : leafSchema(i, isArray)));
  if (e.op === "or") return parts.length === 1 ? parts[0] : { anyOf: parts };
  return parts.reduce((acc, p) => constrain(acc, p), {} as JSONSchema);
}

const STRICTER: Record<string, (a: number, b: number) => number> = {
  minimum: Math.max,
  minLength: Math.max,
  minItems: Math.max,
  maximum: Math.min,
  maxLength: Math.min,
  maxItems: Math.min,
};

/** Adds the constraints of `extra` to `s`: bounds keep the stricter value, other clashes go to `allOf`. */
function constrain(s: JSONSchema, extra: JSONSchema): JSONSchema {
  const out: JSONSchema = { ...s };
  const rest: JSONSchema = {};
  for (const [k, v] of Object.entries(extra)) {
    if (!(k in out)) out[k] = v;
    else if (k in STRICTER) out[k] = STRICTER[k](out[k] as number, v as number);
    else if (k.startsWith("x-reprise-")) out[k] = out[k] === v ? v : [out[k], v].flat();
    else rest[k] = v;
  }
  if (Object.keys(rest).length) out.allOf = [...((out.allOf as JSONSchema[]) ?? []), rest];
  return out;
}
