/**
 * Static decoding of resource options: Encore reads them from literal object expressions only (surface doc
 * §2.10). Each problem is reported at the offending node; decoding continues so one bad key does not hide the
 * others.
 */
import type { Span } from "@swc/core";
import { type Node, propKeyName, stringValue, unwrapExpr } from "./ast.js";
import type { FileContext } from "./context.js";
import { D } from "./diagnostics/catalogue.js";
import { closest } from "./names.js";

export interface OptionEntry {
  key: string;
  keySpan: Span;
  /** The whole `key: value` property, for removal fixes. */
  propSpan: Span;
  value: Node;
}

export class Options {
  readonly entries = new Map<string, OptionEntry>();
  constructor(
    private readonly ctx: FileContext,
    readonly node: Node | null,
  ) {}

  has(key: string): boolean {
    return this.entries.has(key);
  }
  get(key: string): OptionEntry | undefined {
    return this.entries.get(key);
  }

  string(key: string): string | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const v = stringValue(e.value);
    if (v === null) {
      this.ctx.report(D.ExpectedString, e.value.span, `'${key}' must be a string literal, found ${describe(e.value)}. Write the value inline, e.g. ${key}: "..."`);
      return undefined;
    }
    return v;
  }

  boolean(key: string): boolean | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const v = unwrapExpr(e.value);
    if (v?.type === "BooleanLiteral") return v.value;
    this.ctx.report(D.ExpectedBoolean, e.value.span, `'${key}' must be the literal true or false, found ${describe(e.value)}.`);
    return undefined;
  }

  /** Integer constant expression; `unsigned` rejects negatives. Returns null for a literal `null` when allowed. */
  integer(key: string, opts: { unsigned?: boolean; allowNull?: boolean } = {}): number | null | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const v = unwrapExpr(e.value);
    if (opts.allowNull && v?.type === "NullLiteral") return null;
    const n = evalInteger(v);
    if (n === undefined) {
      this.ctx.report(D.ExpectedInteger, e.value.span, `'${key}' must be an integer literal or integer arithmetic on literals${opts.allowNull ? " (or null)" : ""}, found ${describe(e.value)}.`);
      return undefined;
    }
    if (opts.unsigned && n < 0) {
      this.ctx.report(D.NegativeNumber, e.value.span, `'${key}' must not be negative (got ${n}).`);
      return undefined;
    }
    return n;
  }

  /** Duration in milliseconds. */
  duration(key: string): { ms: number; text: string } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const s = stringValue(e.value);
    if (s === null) {
      this.ctx.report(D.InvalidDuration, e.value.span, `'${key}' must be a duration string literal such as "30s" or "10m", found ${describe(e.value)}.`);
      return undefined;
    }
    const ms = parseDuration(s);
    if (ms === null) {
      this.ctx.report(D.InvalidDuration, e.value.span, `'${s}' is not a duration: write one number and one unit (ns, us, ms, s, m, h, d, w, y), e.g. "30s"${/\d[a-z]+\d/.test(s) ? "; compound durations like \"1h30m\" are not accepted, convert to a single unit (\"90m\")" : ""}.`);
      return undefined;
    }
    return { ms, text: s };
  }

  stringArray(key: string): { value: string; span: Span }[] | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const v = unwrapExpr(e.value);
    if (v?.type !== "ArrayExpression") {
      this.ctx.report(D.ExpectedArray, e.value.span, `'${key}' must be an array literal of strings, found ${describe(e.value)}.`);
      return undefined;
    }
    const out: { value: string; span: Span }[] = [];
    for (const el of v.elements) {
      if (!el || el.spread) {
        this.ctx.report(D.ExpectedArray, el?.spread ?? v.span, `'${key}' must be an array literal without holes or spreads.`);
        continue;
      }
      const s = stringValue(el.expression);
      if (s === null) this.ctx.report(D.ExpectedString, el.expression.span, `Elements of '${key}' must be string literals, found ${describe(el.expression)}.`);
      else out.push({ value: s, span: el.expression.span });
    }
    return out;
  }
}

/**
 * Decodes an options argument. `known` lists the accepted keys; `node` null/undefined means the argument was
 * absent (not an error here: callers decide whether options are required).
 */
export function decodeOptions(ctx: FileContext, node: Node | undefined, known: readonly string[], what: string): Options {
  if (!node) return new Options(ctx, null);
  const obj = unwrapExpr(node);
  if (obj?.type !== "ObjectExpression") {
    ctx.report(D.ConfigNotObject, node.span, `The ${what} options must be an object literal written inline, found ${describe(node)}.`);
    return new Options(ctx, null);
  }
  const opts = new Options(ctx, obj);
  for (const prop of obj.properties) {
    if (prop.type === "SpreadElement") {
      ctx.report(D.ConfigSpread, prop.arguments?.span ?? obj.span, `Spread is not supported in ${what} options: they are read statically. Write each option out.`);
      continue;
    }
    if (prop.type === "Identifier") {
      ctx.report(D.ConfigPropertyForm, prop.span, `Shorthand property '${prop.value}' is not supported in ${what} options; write '${prop.value}: ${prop.value}'.`, {
        fixes: [ctx.replaceFix(`Expand to '${prop.value}: ${prop.value}'`, prop.span, `${prop.value}: ${prop.value}`)],
      });
      continue;
    }
    if (prop.type !== "KeyValueProperty") {
      const keySpan = prop.key?.span ?? prop.span ?? obj.span;
      ctx.report(D.ConfigPropertyForm, keySpan, `Methods, getters and setters are not supported in ${what} options; write 'key: value'.`);
      continue;
    }
    const key = propKeyName(prop.key);
    if (key === null) {
      ctx.report(D.ConfigKeyForm, prop.key.span, `Option keys must be identifiers or string literals; computed and numeric keys are not supported.`);
      continue;
    }
    const propSpan = { start: prop.key.span.start, end: prop.value.span.end, ctxt: 0 } as Span;
    if (!known.includes(key)) {
      const near = closest(key, known);
      ctx.report(D.ConfigUnknownKey, prop.key.span, `Unknown ${what} option '${key}'${near ? `; did you mean '${near}'?` : ""}. Known options: ${known.join(", ")}.`, {
        fixes: near ? [ctx.replaceFix(`Rename to '${near}'`, prop.key.span, near)] : [],
      });
      continue;
    }
    const prev = opts.entries.get(key);
    if (prev) {
      ctx.report(D.ConfigDuplicateKey, prop.key.span, `Option '${key}' is set twice; remove one.`, {
        related: [{ location: { file: ctx.path, range: ctx.range(prev.keySpan) }, message: "first set here" }],
      });
      continue;
    }
    opts.entries.set(key, { key, keySpan: prop.key.span, propSpan, value: prop.value });
  }
  return opts;
}

/** Integer constant expressions: literals combined with + - * % and exact /, unary ±. */
export function evalInteger(e: Node): number | undefined {
  e = unwrapExpr(e);
  if (!e) return undefined;
  if (e.type === "NumericLiteral") return Number.isInteger(e.value) ? e.value : undefined;
  if (e.type === "UnaryExpression" && (e.operator === "-" || e.operator === "+")) {
    const v = evalInteger(e.argument);
    return v === undefined ? undefined : e.operator === "-" ? -v : v;
  }
  if (e.type === "BinaryExpression") {
    const a = evalInteger(e.left);
    const b = evalInteger(e.right);
    if (a === undefined || b === undefined) return undefined;
    switch (e.operator) {
      case "+": return a + b;
      case "-": return a - b;
      case "*": return a * b;
      case "%": return b === 0 ? undefined : a % b;
      case "/": return b !== 0 && a % b === 0 ? a / b : undefined;
      default: return undefined;
    }
  }
  return undefined;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** One number and one unit, as Encore's parser accepts (no compound durations). Milliseconds, or null. */
export function parseDuration(s: string): number | null {
  const m = /^(\d+)(ns|us|ms|s|m|h|d|w|y)$/.exec(s.trim());
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[m[2]];
}

export function describe(e: Node): string {
  const v = unwrapExpr(e);
  switch (v?.type) {
    case "Identifier": return `the variable '${v.value}'`;
    case "StringLiteral": return "a string";
    case "NumericLiteral": return "a number";
    case "BooleanLiteral": return "a boolean";
    case "NullLiteral": return "null";
    case "TemplateLiteral": return "a template literal with placeholders";
    case "CallExpression": return "a call";
    case "ObjectExpression": return "an object";
    case "ArrayExpression": return "an array";
    case "MemberExpression": return "a property access";
    case "ArrowFunctionExpression":
    case "FunctionExpression": return "a function";
    default: return "an expression";
  }
}
