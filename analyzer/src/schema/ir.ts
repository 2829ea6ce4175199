/**
 * The schema builder's intermediate form of a type: small enough to merge (intersections, extends), filter
 * (Pick/Omit/Exclude) and inspect (is this a valid query parameter?) before it is written out as JSON Schema.
 * Named declarations appear as `ref`s to instances held by the builder, which is what makes recursion safe.
 */
import type { Span } from "@swc/core";

export type Prim = "string" | "number" | "integer" | "boolean" | "null";
export type WireKind = "header" | "query" | "cookie" | "httpStatus" | "attribute";

export type Rule =
  | { rule: "min" | "max"; value: number }
  | { rule: "minLen" | "maxLen"; value: number }
  | { rule: "regexp" | "startsWith" | "endsWith"; value: string }
  | { rule: "email" | "url" };

export type RuleExpr = { op: "and" | "or"; items: (Rule | RuleExpr)[] };

export type Ty =
  | { k: "any" }
  | { k: "prim"; t: Prim }
  | { k: "date" }
  | { k: "bigint" }
  | { k: "decimal" }
  | { k: "lit"; v: string | number | boolean }
  | { k: "array"; items: Ty }
  | { k: "object"; props: Prop[]; index: { key: "string" | "number"; value: Ty } | null }
  | { k: "union"; types: Ty[] }
  | { k: "allOf"; types: Ty[] }
  | { k: "ref"; id: string }
  | { k: "rules"; base: Ty; rules: RuleExpr }
  /** Transient: a validation rule (or a union/intersection of rules) waiting to be attached with `&`. */
  | { k: "rule"; expr: RuleExpr }
  /** Transient: a Header/Query/Cookie/HttpStatus/Attribute marker; only a top-level field's marker counts. */
  | { k: "wire"; wire: WireKind; name: string | null; inner: Ty }
  /** Transient: only valid at the top level (void request/response) or stripped from unions. */
  | { k: "void" }
  | { k: "undefined" }
  | { k: "never" }
  /** A diagnostic was already reported for this type: it is written as `{}` and never reported again. */
  | { k: "error" };

export interface Prop {
  name: string;
  ty: Ty;
  optional: boolean;
  wire: { kind: WireKind; name: string | null } | null;
  doc: string | null;
  /** Where the property's type is written, for diagnostics about its placement. */
  file: string;
  typeSpan: Span | null;
}

export const ANY: Ty = { k: "any" };
export const ERROR: Ty = { k: "error" };
export const NEVER: Ty = { k: "never" };
export const prim = (t: Prim): Ty => ({ k: "prim", t });

/** A canonical key for a type, used to name generic instances and compare union members. */
export function tyKey(ty: Ty): string {
  switch (ty.k) {
    case "prim":
      return ty.t;
    case "lit":
      return JSON.stringify(ty.v);
    case "array":
      return `${tyKey(ty.items)}[]`;
    case "object":
      return `{${ty.props.map((p) => `${JSON.stringify(p.name)}${p.optional ? "?" : ""}:${tyKey(p.ty)}${p.wire ? `@${p.wire.kind}:${p.wire.name ?? ""}` : ""}`).join(",")}${ty.index ? `,[${ty.index.key}]:${tyKey(ty.index.value)}` : ""}}`;
    case "union":
      return `(${ty.types.map(tyKey).join("|")})`;
    case "allOf":
      return `(${ty.types.map(tyKey).join("&")})`;
    case "ref":
      return `#${ty.id}`;
    case "rules":
      return `${tyKey(ty.base)}&${JSON.stringify(ty.rules)}`;
    case "rule":
      return `rule${JSON.stringify(ty.expr)}`;
    case "wire":
      return `${ty.wire}<${tyKey(ty.inner)},${ty.name ?? ""}>`;
    default:
      return ty.k;
  }
}

/** The name fragment a type argument contributes to a generic instance's `$defs` name. */
export function argName(ty: Ty, defNameOf: (id: string) => string): string {
  switch (ty.k) {
    case "prim":
      return ty.t;
    case "lit":
      return String(ty.v).replace(/[^A-Za-z0-9]+/g, "") || "Literal";
    case "array":
      return `${argName(ty.items, defNameOf)}Array`;
    case "ref":
      return defNameOf(ty.id);
    case "date":
      return "Date";
    case "bigint":
      return "bigint";
    case "decimal":
      return "Decimal";
    case "any":
      return "any";
    case "union":
      return ty.types.map((t) => argName(t, defNameOf)).join("Or");
    case "rules":
    case "wire":
      return argName(ty.k === "rules" ? ty.base : ty.inner, defNameOf);
    default:
      return "Object";
  }
}
