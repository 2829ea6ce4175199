/**
 * `typeof x` in a schema: the type of a top-level variable of the app, from its annotation or inferred from a
 * literal initializer the way TypeScript widens it (`as const` keeps literals). `keyof typeof obj` reads only the
 * object's keys, so objects of functions (client maps, handler tables) still give their key union.
 */
import type { Expression, Span, TsType } from "@swc/core";
import { ANY, ERROR, prim, type Prop, type Ty } from "./ir.js";
import type { ValueDecl } from "./scope.js";
import { textOf, type Ctx } from "./context.js";
import { dedupe, propertyName, pushFlat, type Converter } from "./convert.js";

/** The variable a `typeof x` names (reported and null when it is not a variable of the app). */
export function queriedValue(conv: Converter, node: Extract<TsType, { type: "TsTypeQuery" }>, ctx: Ctx): { file: string; value: ValueDecl } | null {
  if (node.exprName.type !== "Identifier" && node.exprName.type !== "TsQualifiedName") {
    conv.unsupported(ctx, node.span, "'typeof import(…)' is not supported in schemas.");
    return null;
  }
  const sym = conv.reg.resolver(ctx.acc).lookupEntity(ctx.file, node.exprName);
  if (sym.kind === "broken") return null;
  if (sym.kind !== "value") {
    conv.unsupported(ctx, node.span, `'${textOf(conv.reg, ctx, node.span)}' does not name a variable of the app. Declare the shape as an interface or type alias.`);
    return null;
  }
  return { file: sym.file, value: sym.value };
}

export function typeofQuery(conv: Converter, node: Extract<TsType, { type: "TsTypeQuery" }>, ctx: Ctx): Ty {
  const v = queriedValue(conv, node, ctx);
  if (!v) return ERROR;
  const vctx: Ctx = { file: v.file, env: new Map(), acc: ctx.acc };
  if (v.value.annotation) return conv.convert(v.value.annotation, vctx);
  if (v.value.init) return infer(conv, v.value.init, vctx, false, 0);
  return conv.unsupported(ctx, node.span, "This variable has neither a type annotation nor a value to infer its type from.");
}

/** The type TypeScript infers for a (literal) initializer; `asConst` keeps literal types. */
function infer(conv: Converter, e: Expression, ctx: Ctx, asConst: boolean, depth: number): Ty {
  const x = e as unknown as { type: string; span: Span; value?: unknown; [k: string]: unknown };
  const lit = (v: string | number | boolean, p: "string" | "number" | "boolean"): Ty => (asConst ? { k: "lit", v } : prim(p));
  if (depth > 20) return conv.unsupported(ctx, x.span, "This value is too deeply nested to infer its type; annotate the variable.");
  switch (x.type) {
    case "StringLiteral":
      return lit(x.value as string, "string");
    case "NumericLiteral":
      return lit(x.value as number, "number");
    case "BooleanLiteral":
      return lit(x.value as boolean, "boolean");
    case "NullLiteral":
      return prim("null");
    case "UnaryExpression":
      if (x.operator === "-" && (x.argument as { type: string }).type === "NumericLiteral") return lit(-((x.argument as { value: number }).value), "number");
      break;
    case "TemplateLiteral":
      if ((x.expressions as unknown[]).length === 0) return lit((x.quasis as { cooked?: string; raw: string }[]).map((q) => q.cooked ?? q.raw).join(""), "string");
      return prim("string");
    case "ParenthesisExpression":
    case "TsSatisfiesExpression":
    case "TsNonNullExpression":
      return infer(conv, x.expression as Expression, ctx, asConst, depth + 1);
    case "TsConstAssertion":
      return infer(conv, x.expression as Expression, ctx, true, depth + 1);
    case "TsAsExpression":
      return conv.convert(x.typeAnnotation as TsType, ctx);
    case "NewExpression":
      if ((x.callee as { type: string; value?: string }).type === "Identifier" && (x.callee as { value: string }).value === "Date") return { k: "date" };
      break;
    case "ArrayExpression": {
      const items: Ty[] = [];
      for (const el of x.elements as ({ spread?: unknown; expression: Expression } | null)[]) {
        if (!el || el.spread) return conv.unsupported(ctx, x.span, "Cannot infer the type of an array with holes or spreads; annotate the variable.");
        const t = infer(conv, el.expression, ctx, asConst, depth + 1);
        if (t.k === "error") return ERROR;
        pushFlat(items, t);
      }
      const d = dedupe(items);
      return { k: "array", items: d.length === 0 ? ANY : d.length === 1 ? d[0] : { k: "union", types: d } };
    }
    case "ObjectExpression": {
      const props: Prop[] = [];
      for (const p of x.properties as { type: string; key?: unknown; value?: Expression; span?: Span }[]) {
        const key = p.type === "KeyValueProperty" ? propertyName(p.key, false) : null;
        if (key === null || !p.value) return conv.unsupported(ctx, (p.span ?? x.span) as Span, "Cannot infer the type of this property (only 'key: value' properties are inferred); annotate the variable.");
        const t = infer(conv, p.value, ctx, asConst, depth + 1);
        if (t.k === "error") return ERROR;
        props.push({ name: key, ty: t, optional: false, wire: null, doc: null, file: ctx.file, typeSpan: null });
      }
      return { k: "object", props, index: null };
    }
    case "Identifier": {
      const sym = conv.reg.resolver(ctx.acc).lookupLocal(ctx.file, x.value as string, 0);
      if (sym.kind === "value") {
        const vctx: Ctx = { file: sym.file, env: new Map(), acc: ctx.acc };
        if (sym.value.annotation) return conv.convert(sym.value.annotation, vctx);
        if (sym.value.init) return infer(conv, sym.value.init, vctx, asConst, depth + 1);
      }
      break;
    }
  }
  return conv.unsupported(ctx, x.span, "Cannot infer a schema from this expression; give the variable a type annotation.");
}

/** Keys of an object literal (looking through `as`, `satisfies`, parentheses), or null when not all are plain. */
export function keysOfExpression(e: Expression): string[] | null {
  const x = e as unknown as { type: string; expression?: Expression; properties?: { type: string; key?: unknown; value?: unknown }[] };
  if (x.type === "TsAsExpression" || x.type === "TsSatisfiesExpression" || x.type === "TsConstAssertion" || x.type === "ParenthesisExpression") return keysOfExpression(x.expression!);
  if (x.type !== "ObjectExpression") return null;
  const keys: string[] = [];
  for (const p of x.properties!) {
    if (p.type === "Identifier") keys.push((p as unknown as { value: string }).value);
    else if (p.type === "KeyValueProperty" || p.type === "MethodProperty" || p.type === "GetterProperty" || p.type === "AssignmentProperty") {
      const k = propertyName(p.key, false);
      if (k === null) return null;
      keys.push(k);
    } else return null;
  }
  return keys;
}
