/**
 * Small helpers over swc's JSON AST. The analyser walks raw swc nodes (plain objects); these helpers keep the
 * shape checks in one place so resource parsers read like the rules they implement.
 */
import type { Span } from "@swc/core";

/** A swc AST node. Parsers inspect `type` before touching fields, so a loose type keeps them short. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Node = any;

/** Strips wrappers that do not change what an expression denotes: parens, `as`, `satisfies`, `!`, `as const`. */
export function unwrapExpr(e: Node): Node {
  while (e) {
    switch (e.type) {
      case "ParenthesisExpression":
      case "TsAsExpression":
      case "TsSatisfiesExpression":
      case "TsNonNullExpression":
      case "TsConstAssertion":
      case "TsTypeAssertion":
        e = e.expression;
        continue;
      default:
        return e;
    }
  }
  return e;
}

export function isIdent(e: Node, name?: string): boolean {
  return e?.type === "Identifier" && (name === undefined || e.value === name);
}

/** `a.b` with a plain identifier property: returns [objectExpr, "b"]. */
export function memberParts(e: Node): { object: Node; property: string; propertySpan: Span } | null {
  if (e?.type !== "MemberExpression") return null;
  const p = e.property;
  if (p?.type === "Identifier") return { object: e.object, property: p.value, propertySpan: p.span };
  if (p?.type === "Computed" && p.expression?.type === "StringLiteral") {
    return { object: e.object, property: p.expression.value, propertySpan: p.expression.span };
  }
  return null;
}

/** The literal string of a plain string literal or a template literal without placeholders. */
export function stringValue(e: Node): string | null {
  e = unwrapExpr(e);
  if (e?.type === "StringLiteral") return e.value;
  if (e?.type === "TemplateLiteral" && e.expressions.length === 0 && e.quasis.length === 1) {
    return e.quasis[0].cooked ?? e.quasis[0].raw;
  }
  return null;
}

export function propKeyName(key: Node): string | null {
  if (key?.type === "Identifier") return key.value;
  if (key?.type === "StringLiteral") return key.value;
  return null;
}

export const FUNCTION_TYPES = new Set([
  "ArrowFunctionExpression",
  "FunctionExpression",
  "FunctionDeclaration",
  "ClassMethod",
  "PrivateMethod",
  "MethodProperty",
  "GetterProperty",
  "SetterProperty",
  "Constructor",
]);

/** A type node's `Promise<T>` argument, or the node itself. */
export function unwrapPromise(t: Node): Node {
  if (t?.type === "TsTypeReference" && isIdent(t.typeName, "Promise") && t.typeParams?.params?.length === 1) {
    return t.typeParams.params[0];
  }
  return t;
}

export function isVoidType(t: Node): boolean {
  return t?.type === "TsKeywordType" && (t.kind === "void" || t.kind === "undefined");
}
