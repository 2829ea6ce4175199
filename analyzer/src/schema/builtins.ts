/**
 * Types the builder knows by name rather than by declaration: TypeScript's built-ins (Date, Array, Record and the
 * utility types Partial/Required/Readonly/Pick/Omit/NonNullable/Exclude/Extract, Promise) and the SDK's marker
 * types (Header/Query/Cookie/HttpStatus from encore.dev/api or reprise/api, Attribute from …/pubsub, Decimal from
 * …/types, and the validation rules from …/validate).
 */
import type { Span, TsType, TsTypeReference } from "@swc/core";
import { SCHEMA as D } from "../diagnostics/schema.js";
import { ERROR, prim, tyKey, type Prop, type Rule, type RuleExpr, type Ty } from "./ir.js";
import type { Sym } from "./scope.js";
import { report, textOf, type Acc, type Ctx, type Registry } from "./context.js";
import type { Converter } from "./convert.js";
import { structure } from "./structure.js";

/** Where each rule was written, so a misapplied rule is reported at the rule itself. */
const ruleOrigin = new WeakMap<Rule, { file: string; span: Span }>();

function unparen(t: TsType): TsType {
  while (t.type === "TsParenthesizedType") t = t.typeAnnotation;
  return t;
}

function stringLiteral(t: TsType | undefined): string | null {
  if (!t) return null;
  const n = unparen(t);
  if (n.type === "TsLiteralType" && n.literal.type === "StringLiteral") return n.literal.value;
  if (n.type === "TsLiteralType" && n.literal.type === "TemplateLiteral" && n.literal.types.length === 0) return n.literal.quasis.map((q) => q.cooked ?? q.raw).join("");
  return null;
}

function numberLiteral(t: TsType | undefined): number | null {
  if (!t) return null;
  const n = unparen(t);
  if (n.type === "TsLiteralType" && n.literal.type === "NumericLiteral") return n.literal.value;
  return null;
}

export function convertSdkType(conv: Converter, sym: Extract<Sym, { kind: "sdk" }>, args: TsType[], node: TsTypeReference, ctx: Ctx): Ty {
  const reg = conv.reg;
  const name = sym.name;
  if (sym.area === "api" && (name === "Header" || name === "Query" || name === "Cookie")) {
    const wire = name === "Header" ? "header" : name === "Query" ? "query" : "cookie";
    if (args.length > 2) {
      report(reg, ctx, D.WireMarkerArguments, node.typeParams!.span, `${name} takes at most two type arguments: ${name}<T, "wire-name">.`);
      return ERROR;
    }
    if (args.length === 0) return { k: "wire", wire, name: null, inner: prim("string") };
    const first = stringLiteral(args[0]);
    if (args.length === 1 && first !== null) return { k: "wire", wire, name: first, inner: prim("string") };
    const inner = conv.convert(args[0], ctx);
    if (inner.k === "error") return ERROR;
    if (args.length === 2) {
      const wireName = stringLiteral(args[1]);
      if (wireName === null) {
        report(reg, ctx, D.WireMarkerArguments, args[1].span, `The second type argument of ${name} must be a string literal with the ${wire} name, e.g. ${name}<string, "X-Name">.`);
        return ERROR;
      }
      return { k: "wire", wire, name: wireName, inner };
    }
    return { k: "wire", wire, name: null, inner };
  }
  if (sym.area === "api" && name === "HttpStatus") {
    if (args.length) {
      report(reg, ctx, D.HttpStatusTypeArguments, node.typeParams!.span, "HttpStatus takes no type arguments: declare 'status: HttpStatus' and set it to e.g. HttpStatus.Created.");
      return ERROR;
    }
    return { k: "wire", wire: "httpStatus", name: null, inner: prim("integer") };
  }
  if (sym.area === "pubsub" && name === "Attribute") {
    if (args.length !== 1) {
      report(reg, ctx, D.WireMarkerArguments, node.typeParams?.span ?? node.span, "Attribute takes exactly one type argument: Attribute<string>.");
      return ERROR;
    }
    const inner = conv.convert(args[0], ctx);
    return inner.k === "error" ? ERROR : { k: "wire", wire: "attribute", name: null, inner };
  }
  if (sym.area === "types" && name === "Decimal" && args.length === 0) return { k: "decimal" };
  if (sym.area === "validate") return validationRule(conv, name, args, node, ctx);
  report(reg, ctx, D.PackageType, node.span, `'${name}' from '${sym.specifier}' is not a type that can be sent as JSON. Use an interface of the app instead.`);
  return ERROR;
}

function validationRule(conv: Converter, name: string, args: TsType[], node: TsTypeReference, ctx: Ctx): Ty {
  const reg = conv.reg;
  const bad = (msg: string): Ty => {
    report(reg, ctx, D.RuleArgumentInvalid, node.typeParams?.span ?? node.span, msg);
    return ERROR;
  };
  let rule: Rule;
  switch (name) {
    case "Min":
    case "Max": {
      const v = numberLiteral(args[0]);
      if (args.length !== 1 || v === null) return bad(`${name} takes one number literal, e.g. ${name}<0>.`);
      rule = { rule: name === "Min" ? "min" : "max", value: v };
      break;
    }
    case "MinLen":
    case "MaxLen": {
      const v = numberLiteral(args[0]);
      if (args.length !== 1 || v === null || !Number.isInteger(v) || v < 0) return bad(`${name} takes one non-negative integer literal, e.g. ${name}<1>.`);
      rule = { rule: name === "MinLen" ? "minLen" : "maxLen", value: v };
      break;
    }
    case "MatchesRegexp":
    case "StartsWith":
    case "EndsWith": {
      const v = stringLiteral(args[0]);
      if (args.length !== 1 || v === null) return bad(`${name} takes one string literal, e.g. ${name}<"abc">.`);
      if (name === "MatchesRegexp") {
        try {
          new RegExp(v, "u");
        } catch (e) {
          return bad(`MatchesRegexp<"${v}"> is not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}.`);
        }
      }
      rule = { rule: name === "MatchesRegexp" ? "regexp" : name === "StartsWith" ? "startsWith" : "endsWith", value: v };
      break;
    }
    case "IsEmail":
    case "IsURL":
      if (args.length) return bad(`${name} takes no type arguments.`);
      rule = { rule: name === "IsEmail" ? "email" : "url" };
      break;
    default:
      report(reg, ctx, D.UnknownTypeName, node.span, `'${name}' is not a validation rule. The rules are Min, Max, MinLen, MaxLen, MatchesRegexp, StartsWith, EndsWith, IsEmail and IsURL.`);
      return ERROR;
  }
  ruleOrigin.set(rule, { file: ctx.file, span: node.span });
  return { k: "rule", expr: { op: "and", items: [rule] } };
}

type Kind = "string" | "number" | "boolean" | "null" | "array" | "object" | "date" | "bigint" | "decimal" | "any";

function kinds(reg: Registry, t: Ty, acc: Acc, out: Set<Kind>, depth = 0): void {
  if (depth > 50) return void out.add("any");
  switch (t.k) {
    case "prim":
      out.add(t.t === "integer" ? "number" : t.t);
      return;
    case "lit":
      out.add(typeof t.v as Kind);
      return;
    case "date":
    case "bigint":
    case "decimal":
    case "array":
    case "object":
      out.add(t.k);
      return;
    case "union":
      for (const m of t.types) kinds(reg, m, acc, out, depth + 1);
      return;
    case "rules":
      return kinds(reg, t.base, acc, out, depth + 1);
    case "wire":
      return kinds(reg, t.inner, acc, out, depth + 1);
    case "allOf":
      out.add("object");
      return;
    case "ref": {
      const s = structure(reg, t, acc);
      if (s) kinds(reg, s, acc, out, depth + 1);
      else out.add("any");
      return;
    }
    default:
      out.add("any");
  }
}

const SUPPORTS: Record<Rule["rule"], Kind[]> = {
  min: ["number", "bigint", "decimal"],
  max: ["number", "bigint", "decimal"],
  minLen: ["string", "array"],
  maxLen: ["string", "array"],
  regexp: ["string"],
  startsWith: ["string"],
  endsWith: ["string"],
  email: ["string"],
  url: ["string"],
};

const RULE_NAMES: Record<Rule["rule"], string> = {
  min: "Min", max: "Max", minLen: "MinLen", maxLen: "MaxLen", regexp: "MatchesRegexp", startsWith: "StartsWith", endsWith: "EndsWith", email: "IsEmail", url: "IsURL",
};

function leaves(e: RuleExpr, out: Rule[] = []): Rule[] {
  for (const i of e.items) if ("op" in i) leaves(i, out);
  else out.push(i);
  return out;
}

/** Attaches validation rules to a base type after checking that each rule applies to it. */
export function applyRules(conv: Converter, base: Ty, expr: RuleExpr, span: Span, ctx: Ctx): Ty {
  if (base.k === "error") return ERROR;
  const ks = new Set<Kind>();
  kinds(conv.reg, base, ctx.acc, ks);
  ks.delete("null");
  if (!ks.has("any")) {
    for (const r of leaves(expr)) {
      const ok = ks.size > 0 && [...ks].every((k) => SUPPORTS[r.rule].includes(k));
      if (ok) continue;
      const origin = ruleOrigin.get(r);
      const where = origin && origin.file === ctx.file ? origin.span : span;
      report(conv.reg, ctx, D.RuleNotApplicable, where, `${RULE_NAMES[r.rule]} cannot be applied to ${[...ks].join(" | ") || "this type"}; it applies to ${SUPPORTS[r.rule].join(", ")}.`);
      return ERROR;
    }
  }
  if (base.k === "rules") return { k: "rules", base: base.base, rules: { op: "and", items: [base.rules, expr] } };
  return { k: "rules", base, rules: expr };
}

/** String keys denoted by a type (`"a" | "b"`, an enum of strings, keyof …), or null when not statically known. */
export function keysOf(reg: Registry, t: Ty, acc: Acc): string[] | null {
  const s = structure(reg, t, acc);
  if (!s) return null;
  if (s.k === "never") return [];
  if (s.k === "lit") return [String(s.v)];
  if (s.k === "union") {
    const out: string[] = [];
    for (const m of s.types) {
      const ks = keysOf(reg, m, acc);
      if (!ks) return null;
      out.push(...ks);
    }
    return out;
  }
  return null;
}

const UNSUPPORTED_BUILTINS: Record<string, string> = {
  Map: "Use Record<string, V> for a map.",
  Set: "Use an array T[] for a set.",
  WeakMap: "Use Record<string, V> for a map.",
  WeakSet: "Use an array T[] for a set.",
  Function: "Functions cannot be sent as JSON.",
  Symbol: "Symbols cannot be sent as JSON.",
  RegExp: "Send the pattern as a string.",
  Error: "Send the error's fields as an object.",
  Object: "Use an interface, or Record<string, unknown>.",
  Uint8Array: "Send binary data as a base64 string.",
  ArrayBuffer: "Send binary data as a base64 string.",
  Buffer: "Send binary data as a base64 string.",
  Blob: "Send binary data as a base64 string.",
  Iterable: "Use an array T[].",
};

export function convertBuiltin(conv: Converter, name: string, args: TsType[], node: TsTypeReference, ctx: Ctx): Ty {
  const reg = conv.reg;
  const arity = (n: number): boolean => {
    if (args.length === n) return true;
    report(reg, ctx, D.GenericUnresolved, node.typeParams?.span ?? node.span, `'${name}' takes ${n} type argument${n === 1 ? "" : "s"}.`);
    return false;
  };
  const arg = (i: number): Ty => conv.convert(args[i], ctx);
  const objectArg = (i: number): Extract<Ty, { k: "object" }> | null => {
    const t = arg(i);
    if (t.k === "error") return null;
    const s = structure(reg, t, ctx.acc);
    if (s === null) {
      report(reg, ctx, D.CircularType, args[i].span, `'${textOf(reg, ctx, args[i].span)}' is still being defined here (a circular type).`);
      return null;
    }
    if (s.k !== "object") {
      report(reg, ctx, D.UtilityTypeArgument, args[i].span, `${name} needs an object type, but '${textOf(reg, ctx, args[i].span)}' is not one.`);
      return null;
    }
    return s;
  };
  const keyArg = (i: number): string[] | null => {
    const t = arg(i);
    if (t.k === "error") return null;
    const ks = keysOf(reg, t, ctx.acc);
    if (!ks) report(reg, ctx, D.UtilityTypeArgument, args[i].span, `${name} needs string-literal keys, e.g. "id" | "name".`);
    return ks;
  };
  switch (name) {
    case "Date":
      return { k: "date" };
    case "String":
      return prim("string");
    case "Number":
      return prim("number");
    case "Boolean":
      return prim("boolean");
    case "BigInt":
      return { k: "bigint" };
    case "Array":
    case "ReadonlyArray": {
      if (!arity(1)) return ERROR;
      const items = arg(0);
      return items.k === "error" ? ERROR : { k: "array", items: items.k === "wire" ? items.inner : items };
    }
    case "Promise":
      if (!arity(1)) return ERROR;
      return conv.convert(args[0], ctx, "loose");
    case "Record": {
      if (!arity(2)) return ERROR;
      const key = arg(0);
      if (key.k === "error") return ERROR;
      const value = arg(1);
      if (value.k === "error") return ERROR;
      const ks = structure(reg, key, ctx.acc);
      if (ks?.k === "prim" && (ks.t === "string" || ks.t === "number")) return { k: "object", props: [], index: { key: ks.t, value } };
      const keys = keysOf(reg, key, ctx.acc);
      if (!keys) {
        report(reg, ctx, D.UtilityTypeArgument, args[0].span, "Record keys must be string, number, or string literals.");
        return ERROR;
      }
      return { k: "object", props: keys.map((k) => ({ name: k, ty: value, optional: false, wire: null, doc: null, file: ctx.file, typeSpan: args[1].span })), index: null };
    }
    case "Partial":
    case "Required":
    case "Readonly": {
      if (!arity(1)) return ERROR;
      const o = objectArg(0);
      if (!o) return ERROR;
      if (name === "Readonly") return o;
      return { ...o, props: o.props.map((p): Prop => ({ ...p, optional: name === "Partial" })) };
    }
    case "Pick":
    case "Omit": {
      if (!arity(2)) return ERROR;
      const o = objectArg(0);
      if (!o) return ERROR;
      const keys = keyArg(1);
      if (!keys) return ERROR;
      if (name === "Pick") {
        const missing = keys.find((k) => !o.props.some((p) => p.name === k));
        if (missing !== undefined) {
          report(reg, ctx, D.UtilityTypeArgument, args[1].span, `Property '${missing}' does not exist on '${textOf(reg, ctx, args[0].span)}'.`);
          return ERROR;
        }
        return { k: "object", props: o.props.filter((p) => keys.includes(p.name)), index: null };
      }
      return { k: "object", props: o.props.filter((p) => !keys.includes(p.name)), index: o.index };
    }
    case "NonNullable": {
      if (!arity(1)) return ERROR;
      const t = arg(0);
      if (t.k === "error") return ERROR;
      const s = structure(reg, t, ctx.acc) ?? t;
      if (s.k === "prim" && s.t === "null") return { k: "never" };
      if (s.k !== "union") return t;
      const rest = s.types.filter((m) => !(m.k === "prim" && m.t === "null"));
      return rest.length === 1 ? rest[0] : { k: "union", types: rest };
    }
    case "Exclude":
    case "Extract": {
      if (!arity(2)) return ERROR;
      const t = arg(0);
      const u = arg(1);
      if (t.k === "error" || u.k === "error") return ERROR;
      const members = unionMembers(reg, t, ctx.acc);
      const filters = unionMembers(reg, u, ctx.acc);
      const matches = (m: Ty): boolean => filters.some((f) => tyKey(f) === tyKey(m) || f.k === "any" || (f.k === "prim" && m.k === "lit" && (typeof m.v === f.t || (f.t === "integer" && typeof m.v === "number"))));
      const kept = members.filter((m) => (name === "Exclude" ? !matches(m) : matches(m)));
      if (kept.length === 0) return { k: "never" };
      return kept.length === 1 ? kept[0] : { k: "union", types: kept };
    }
  }
  if (name in UNSUPPORTED_BUILTINS) {
    report(reg, ctx, D.TypeSyntaxUnsupported, node.span, `'${name}' cannot be sent as JSON. ${UNSUPPORTED_BUILTINS[name]}`);
    return ERROR;
  }
  report(reg, ctx, D.UnknownTypeName, node.span, `Cannot find type '${name}'. Declare it or import it.`);
  return ERROR;
}

function unionMembers(reg: Registry, t: Ty, acc: Acc): Ty[] {
  const s = structure(reg, t, acc) ?? t;
  if (s.k !== "union") return [s];
  return s.types.flatMap((m) => (m.k === "ref" ? unionMembers(reg, m, acc) : [m]));
}

