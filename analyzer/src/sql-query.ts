/**
 * SQL queries written against a database binding (`db.query\`...\``, `db.queryRow<T>\`...\``, `db.queryAll`,
 * `db.exec`, and the string forms `db.rawQuery*(sql, ...)` / `db.rawExec(sql, ...)` with a literal string):
 * their text with each `${expr}` turned into `$n`, the placeholders, the row type argument and the ranges needed
 * to map a position in the SQL text back into the file. Pure: the checking itself lives in @reprise/sqlcheck.
 */
import type { Position, Range } from "@reprise/protocol";
import type { Node } from "./ast.js";
import type { ParsedFile } from "./parsed-file.js";

export const SQL_TAGGED_METHODS = new Set(["query", "queryRow", "queryAll", "exec"]);
export const SQL_RAW_METHODS = new Set(["rawQuery", "rawQueryRow", "rawQueryAll", "rawExec"]);

/** A piece of the SQL text that comes verbatim from the file. */
export interface SqlSegment {
  /** Offset of the piece in the SQL text. */
  sqlOffset: number;
  /** Length of the piece in the SQL text. */
  length: number;
  /** File position of the piece's first character. */
  start: Position;
  /** The piece as written in the file (raw; equal to the SQL piece unless it has escapes). */
  raw: string;
}

export interface SqlRowField {
  name: string;
  optional: boolean;
  /** Type families the field accepts ("string", "number", "boolean", "bigint", "date", "json", "null", "unknown"). */
  families: string[];
  /** The field's name in an inline object type; the type argument when the row type is named (declared elsewhere). */
  range: Range;
}

export interface SqlQueryFacts {
  method: string;
  /** The statement as sent to Postgres. */
  text: string;
  /** `${expr}` n (1-based) → the expression's range. */
  params: Range[];
  segments: SqlSegment[];
  /**
   * The row type argument; fields is null unless it is an inline object type or the name of an interface (without
   * `extends`) or object type alias declared at the top of the same file. Imported names are not followed.
   */
  rowType: { range: Range; text: string; fields: SqlRowField[] | null } | null;
  /** The whole call (tag + template, or callee + arguments). */
  range: Range;
  /** The template or string literal. */
  textRange: Range;
  /** A `// reprise-sql-ignore` comment is on the line before. */
  ignored: boolean;
}

/** The query of a tagged template `recv.method\`...\`` (null when the method is not a query method). */
export function taggedSqlQuery(file: ParsedFile, node: Node, method: string): SqlQueryFacts | null {
  if (!SQL_TAGGED_METHODS.has(method)) return null;
  const tpl = node.template;
  if (!tpl || !Array.isArray(tpl.quasis)) return null;
  let text = "";
  const segments: SqlSegment[] = [];
  const params: Range[] = [];
  tpl.quasis.forEach((q: Node, i: number) => {
    const cooked: string = typeof q.cooked === "string" ? q.cooked : q.raw ?? "";
    const raw: string = q.raw ?? cooked;
    const startOffset = quasiStart(file, q, raw);
    segments.push({ sqlOffset: text.length, length: cooked.length, start: file.positionAt(startOffset), raw });
    text += cooked;
    if (i < tpl.expressions.length) {
      params.push(file.rangeOf(tpl.expressions[i].span));
      text += `$${i + 1}`;
    }
  });
  return finish(file, node, method, text, params, segments, node.typeParameters ?? node.typeArguments, tpl.span);
}

/** The query of `recv.rawQuery*(literal, ...)`; null unless the first argument is a string literal. */
export function rawSqlQuery(file: ParsedFile, call: Node, method: string): SqlQueryFacts | null {
  if (!SQL_RAW_METHODS.has(method)) return null;
  const first = call.arguments?.[0];
  if (!first || first.spread) return null;
  let e = first.expression;
  while (e && (e.type === "ParenthesisExpression" || e.type === "TsAsExpression" || e.type === "TsConstAssertion")) e = e.expression;
  let text: string;
  let raw: string;
  let startOffset: number;
  if (e?.type === "StringLiteral") {
    text = e.value;
    startOffset = file.offsetOf(e.span.start) + 1;
    raw = file.text.slice(startOffset, file.offsetOf(e.span.end) - 1);
  } else if (e?.type === "TemplateLiteral" && e.expressions.length === 0 && e.quasis.length === 1) {
    const q = e.quasis[0];
    text = typeof q.cooked === "string" ? q.cooked : q.raw;
    raw = q.raw;
    startOffset = file.offsetOf(e.span.start) + 1;
  } else return null;
  const segments: SqlSegment[] = [{ sqlOffset: 0, length: text.length, start: file.positionAt(startOffset), raw }];
  const params = (call.arguments as Node[]).slice(1).map((a) => file.rangeOf(a.expression.span));
  return finish(file, call, method, text, params, segments, call.typeArguments, e.span);
}

function finish(file: ParsedFile, node: Node, method: string, text: string, params: Range[], segments: SqlSegment[], typeArgs: Node | undefined, textSpan: Node): SqlQueryFacts {
  const range = file.rangeOf(node.span);
  const t = typeArgs?.params?.[0];
  const rowType = t ? { range: file.rangeOf(t.span), text: file.textOf(t.span), fields: rowFields(file, t) } : null;
  const line = range.start.line;
  const prev = line > 0 ? lineText(file, line - 1) : "";
  return { method, text, params, segments, rowType, range, textRange: file.rangeOf(textSpan as never), ignored: /\/\/\s*reprise-sql-ignore\b/.test(prev) };
}

function lineText(file: ParsedFile, line: number): string {
  const start = file.offsetAt({ line, character: 0 });
  const end = file.offsetAt({ line: line + 1, character: 0 });
  return file.text.slice(start, end);
}

/** swc's quasi spans differ across versions (with or without the delimiters): find the raw text near the span. */
function quasiStart(file: ParsedFile, q: Node, raw: string): number {
  const at = file.offsetOf(q.span.start);
  if (file.text.startsWith(raw, at) && (raw.length > 0 || file.text[at - 1] === "`" || file.text[at - 1] === "}")) return at;
  for (const d of [1, 2]) if (file.text.startsWith(raw, at + d)) return at + d;
  return at;
}

function rowFields(file: ParsedFile, t: Node): SqlRowField[] | null {
  if (t.type === "TsParenthesizedType") return rowFields(file, t.typeAnnotation);
  if (t.type === "TsTypeReference" && t.typeName?.type === "Identifier" && !t.typeParams) {
    // A named row type declared in this file (interface without `extends`, or an alias of an object type): its
    // fields are compared too, reported on the type argument (the declaration may serve many queries).
    const members = localObjectType(file, t.typeName.value as string);
    return members ? membersToFields(file, members, file.rangeOf(t.span)) : null;
  }
  if (t.type !== "TsTypeLiteral") return null;
  return membersToFields(file, t.members ?? [], null);
}

/** The members of a top-level `interface Name { … }` or `type Name = { … }` of the file (exported or not). */
function localObjectType(file: ParsedFile, name: string): Node[] | null {
  for (const item of (file.module?.body ?? []) as Node[]) {
    const d = item.type === "ExportDeclaration" ? item.declaration : item;
    if (d?.type === "TsInterfaceDeclaration" && d.id?.value === name) {
      if ((d.extends ?? []).length > 0 || d.typeParams) return null;
      return d.body?.body ?? [];
    }
    if (d?.type === "TsTypeAliasDeclaration" && d.id?.value === name) {
      if (d.typeParams) return null;
      let a = d.typeAnnotation;
      while (a?.type === "TsParenthesizedType") a = a.typeAnnotation;
      return a?.type === "TsTypeLiteral" ? (a.members ?? []) : null;
    }
  }
  return null;
}

function membersToFields(file: ParsedFile, members: Node[], at: Range | null): SqlRowField[] | null {
  const out: SqlRowField[] = [];
  for (const m of members) {
    if (m.type !== "TsPropertySignature") return null;
    const k = m.key;
    const name = k?.type === "Identifier" ? k.value : k?.type === "StringLiteral" ? k.value : null;
    if (name === null) return null;
    out.push({ name, optional: m.optional === true, families: families(m.typeAnnotation?.typeAnnotation), range: at ?? file.rangeOf(k.span) });
  }
  return out;
}

function families(t: Node | undefined): string[] {
  if (!t) return ["unknown"];
  switch (t.type) {
    case "TsParenthesizedType":
      return families(t.typeAnnotation);
    case "TsUnionType":
      return [...new Set((t.types as Node[]).flatMap(families))];
    case "TsKeywordType":
      if (t.kind === "string" || t.kind === "number" || t.kind === "boolean" || t.kind === "bigint") return [t.kind];
      if (t.kind === "null" || t.kind === "undefined") return ["null"];
      return ["unknown"];
    case "TsLiteralType":
      if (t.literal?.type === "StringLiteral" || t.literal?.type === "TemplateLiteral") return ["string"];
      if (t.literal?.type === "NumericLiteral") return ["number"];
      if (t.literal?.type === "BooleanLiteral") return ["boolean"];
      return ["unknown"];
    case "TsTypeReference": {
      const n = t.typeName?.type === "Identifier" ? t.typeName.value : null;
      if (n === "Date") return ["date"];
      if (n === "Record" || n === "JSONValue" || n === "JsonValue") return ["json"];
      return ["unknown"];
    }
    case "TsTypeLiteral":
      return ["json"];
    case "TsArrayType":
    case "TsTupleType":
      return ["array"];
    default:
      return ["unknown"];
  }
}
