/**
 * Endpoints: `api`, `api.raw`, `api.streamIn/Out/InOut` and `api.static` (surface doc §1.1–1.9). Extracts the
 * options with Encore's defaults, validates the explicit path, and picks the request/response type nodes the
 * schema builder converts later.
 */
import type { HttpMethod, Range } from "@reprise/protocol";
import type { Span } from "@swc/core";
import { type Node, isVoidType, stringValue, unwrapExpr, unwrapPromise } from "../ast.js";
import { FileContext } from "../context.js";
import { D } from "../diagnostics/catalogue.js";
import type { Extractor } from "../extract.js";
import type { EndpointDecl } from "../facts.js";
import { decodeOptions, type Options } from "../literal.js";
import { parsePath } from "../paths.js";
import { arg, base, bind } from "./common.js";
import type { CallSite, ResourceParser } from "./registry.js";
import { OPTION_SPECS, optionKeys } from "./options.js";

export const HTTP_METHODS: HttpMethod[] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT"];
const API_KEYS = optionKeys("api");
const STATIC_ONLY = API_KEYS.filter((k) => OPTION_SPECS.api[k].staticOnly);
export const DEFAULT_BODY_LIMIT = 2 * 1024 * 1024;

const KINDS: Record<string, EndpointDecl["kind"]> = {
  api: "api", "api.raw": "raw", "api.streamIn": "streamIn", "api.streamOut": "streamOut", "api.streamInOut": "streamInOut", "api.static": "static",
};

export const apiParser: ResourceParser = {
  kind: "endpoint",
  imports: { module: "api", forms: Object.keys(KINDS) },
  parse(x, site) {
    const kind = KINDS[site.symbol];
    const ctx = x.ctx;
    const label = kind === "api" ? "api" : `api.${kind === "raw" ? "raw" : kind}`;
    if (!site.bindName && !site.destructured) {
      ctx.report(D.EndpointNotBound, site.callee.span, `${label}(...) must be bound to an exported variable, which names the endpoint: export const myEndpoint = ${label}(...).`);
      return;
    }
    if (site.bindName === "default") {
      ctx.report(D.EndpointNotBound, site.callee.span, `An endpoint cannot be the default export; its variable name is the endpoint name. Write export const myEndpoint = ${label}(...).`);
      return;
    }
    const optsNode = arg(site, 0);
    if (!optsNode) {
      ctx.report(D.EndpointNoOptions, site.callee.span, `${label}(...) needs an options object as its first argument ({} for the defaults).`);
      return;
    }
    const opts = decodeOptions(ctx, optsNode, API_KEYS, "endpoint");
    const handler = kind === "static" ? undefined : arg(site, 1);
    if (kind !== "static" && !handler) {
      ctx.report(D.EndpointNoHandler, site.callee.span, `${label}(...) needs a handler function as its second argument.`);
    }
    const fn = handler ? unwrapExpr(handler) : undefined;
    const isFn = fn && (fn.type === "ArrowFunctionExpression" || fn.type === "FunctionExpression");
    if (isFn && fn.typeParameters) {
      ctx.report(D.HandlerTypeParams, fn.typeParameters.span, "Endpoint handlers cannot declare type parameters; use concrete request and response types.");
    }

    const methods = kind === "static" ? (["GET", "HEAD"] as HttpMethod[]) : kind.startsWith("stream") ? (["GET"] as HttpMethod[]) : decodeMethods(ctx, opts);
    const pathStr = opts.string("path");
    let segments = null;
    let pathOk = pathStr !== undefined;
    if (pathStr !== undefined) {
      const parsed = parsePath(pathStr);
      const lit = unwrapExpr(opts.get("path")!.value);
      for (const p of parsed.problems) {
        pathOk = false;
        ctx.report(p.def, p.start === 0 && p.end === pathStr.length ? lit.span : innerRange(ctx, lit.span, p.start, p.end), p.message, {
          fixes: p.fixed !== undefined ? [ctx.replaceFix(p.fixTitle ?? "Fix path", lit.span, JSON.stringify(p.fixed))] : [],
        });
      }
      segments = parsed.segments;
      if (kind === "static" && pathOk) pathOk = checkStaticPath(ctx, lit.span, pathStr, segments);
    }

    for (const k of kind === "static" ? ["method", "bodyLimit"] : kind.startsWith("stream") ? ["method", "bodyLimit", ...STATIC_ONLY] : STATIC_ONLY) {
      const e = opts.get(k);
      if (e) {
        ctx.report(D.OptionIgnored, e.keySpan, `'${k}' has no effect on ${label} endpoints; remove it.`, {
          fixes: [{ title: `Remove '${k}'`, edits: [ctx.edit(withComma(x, e.propSpan), "")], isPreferred: true }],
        });
      }
    }

    let bodyLimit: number | null = DEFAULT_BODY_LIMIT;
    const bl = opts.get("bodyLimit");
    if (bl) {
      const v = opts.integer("bodyLimit", { allowNull: true });
      if (v === null) bodyLimit = null;
      else if (typeof v === "number") {
        if (v < 0) ctx.report(D.BodyLimitInvalid, bl.value.span, `bodyLimit must be a non-negative number of bytes (or null for unlimited), got ${v}.`);
        else bodyLimit = v;
      }
    }

    const types = pickTypes(x, site, kind, fn, isFn);
    const staticInfo = kind === "static" ? decodeStatic(x, site, opts) : null;
    const auth = opts.boolean("auth") ?? false;
    const decl: EndpointDecl = {
      ...base(x, site, null),
      name: site.bindName!,
      nameRange: site.bindSpan ? ctx.range(site.bindSpan) : ctx.range(site.callee.span),
      kind,
      methods,
      path: pathOk ? pathStr! : null,
      segments: pathOk ? segments : null,
      pathRange: opts.get("path") ? ctx.range(opts.get("path")!.value.span) : null,
      expose: opts.boolean("expose") ?? false,
      auth,
      authRange: opts.get("auth") ? ctx.range(opts.get("auth")!.keySpan) : null,
      bodyLimit,
      tags: (opts.stringArray("tags") ?? []).map((t) => t.value),
      sensitive: opts.boolean("sensitive") ?? false,
      static: staticInfo,
      ...types,
    };
    if (pathStr !== undefined && !pathOk) decl.path = "<invalid>";
    x.facts.endpoints.push(decl);
    bind(x, site, "endpoint", x.facts.endpoints.length - 1);
  },
};

/** Range of characters [start, end) inside a string literal (+1 skips the opening quote). */
export function innerRange(ctx: FileContext, lit: Span, start: number, end: number): Range {
  const o = ctx.file.offsetOf(lit.start) + 1;
  return { start: ctx.file.positionAt(o + start), end: ctx.file.positionAt(o + end) };
}

function withComma(x: Extractor, span: Span): Span {
  const text = x.file.text;
  const end = x.file.offsetOf(span.end);
  let extra = 0;
  while (end + extra < text.length && /[ \t]/.test(text[end + extra])) extra++;
  if (text[end + extra] === ",") {
    extra++;
    while (end + extra < text.length && text[end + extra] === " ") extra++;
    return { start: span.start, end: span.end + extra, ctxt: 0 } as Span;
  }
  return span;
}

function decodeMethods(ctx: FileContext, opts: Options): HttpMethod[] {
  const e = opts.get("method");
  if (!e) return ["POST"];
  const v = unwrapExpr(e.value);
  const items: { value: string; span: Span }[] = [];
  if (v?.type === "StringLiteral") items.push({ value: v.value, span: v.span });
  else if (v?.type === "ArrayExpression") {
    for (const el of v.elements) {
      const s = el && !el.spread ? stringValue(el.expression) : null;
      if (s === null) {
        ctx.report(D.ExpectedString, el?.expression?.span ?? v.span, "Each method must be a string literal such as \"GET\".");
        continue;
      }
      items.push({ value: s, span: unwrapExpr(el!.expression).span });
    }
  } else {
    ctx.report(D.MethodType, e.value.span, "'method' must be a string literal (\"GET\", \"*\") or an array of them.");
    return ["POST"];
  }
  const out = new Set<HttpMethod>();
  let star = false;
  for (const it of items) {
    if (it.value === "*") {
      star = true;
      continue;
    }
    if (!(HTTP_METHODS as string[]).includes(it.value)) {
      const upper = it.value.toUpperCase();
      const known = (HTTP_METHODS as string[]).includes(upper);
      ctx.report(D.InvalidMethod, it.span, `'${it.value}' is not an HTTP method${known ? `; methods are upper-case: "${upper}"` : "; use GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, TRACE, CONNECT or \"*\""}.`, {
        fixes: known ? [ctx.replaceFix(`Change to "${upper}"`, it.span, JSON.stringify(upper))] : [],
      });
      continue;
    }
    if (out.has(it.value as HttpMethod)) {
      ctx.report(D.DuplicateMethod, it.span, `Method ${it.value} is listed twice.`);
      continue;
    }
    out.add(it.value as HttpMethod);
  }
  if (star) {
    if (items.length > 1) {
      ctx.report(D.MethodStarMixed, e.value.span, "\"*\" already means every method and cannot be combined with others; use \"*\" alone.", {
        fixes: [ctx.replaceFix("Use \"*\"", e.value.span, "\"*\"")],
      });
    }
    return ["*"];
  }
  if (out.size === 0) return ["POST"];
  return [...out].sort();
}

function checkStaticPath(ctx: FileContext, span: Span, path: string, segments: { type: string; value: string }[]): boolean {
  const dyn = segments.filter((s) => s.type !== "literal");
  if (dyn.length > 1) {
    ctx.report(D.StaticMultipleDynamic, span, `A static endpoint's path may have at most one dynamic segment; '${path}' has ${dyn.length}.`);
    return false;
  }
  const idx = segments.findIndex((s) => s.type !== "literal");
  if (idx >= 0 && (segments[idx].type === "param" || idx !== segments.length - 1)) {
    ctx.report(D.StaticSegmentAfterDynamic, span, `Static assets are served under one trailing '*name' or '!name' segment; '${path}' does not end with one.`);
    return false;
  }
  return true;
}

function decodeStatic(x: Extractor, site: CallSite, opts: Options): EndpointDecl["static"] {
  const ctx = x.ctx;
  const dir = opts.string("dir");
  if (!opts.has("dir")) {
    ctx.report(D.StaticNoDir, site.callee.span, "api.static needs 'dir', the folder to serve relative to this file, e.g. dir: \"./assets\".");
    return null;
  }
  if (dir === undefined) return null;
  const notFound = opts.string("notFound") ?? null;
  const status = opts.integer("notFoundStatus", { unsigned: true });
  const headers = opts.get("headers");
  if (headers) {
    const h = unwrapExpr(headers.value);
    if (h?.type !== "ObjectExpression") ctx.report(D.StaticHeadersInvalid, headers.value.span, "'headers' must be an object literal of header names to string (or string array) values.");
    else for (const p of h.properties) {
      const v = p.type === "KeyValueProperty" ? unwrapExpr(p.value) : null;
      const ok = v && (stringValue(v) !== null || (v.type === "ArrayExpression" && v.elements.every((e: Node) => e && !e.spread && stringValue(e.expression) !== null)));
      if (!ok) ctx.report(D.StaticHeadersInvalid, (p.value ?? p).span, "Header values must be string literals or arrays of string literals.");
    }
  }
  return {
    dir,
    dirRange: ctx.range(opts.get("dir")!.value.span),
    notFound,
    notFoundRange: opts.get("notFound") ? ctx.range(opts.get("notFound")!.value.span) : null,
    notFoundStatus: typeof status === "number" ? status : 404,
  };
}

function paramInfo(fn: Node, i: number): { type: Node | null; present: boolean } {
  const p = fn.params?.[i];
  if (!p) return { type: null, present: false };
  const pat = p.type === "Parameter" ? p.pat : p;
  const ann = pat.typeAnnotation ?? (pat.type === "AssignmentPattern" ? pat.left?.typeAnnotation : undefined);
  return { type: ann?.typeAnnotation ?? null, present: true };
}

function pickTypes(x: Extractor, site: CallSite, kind: EndpointDecl["kind"], fn: Node, isFn: boolean): Pick<EndpointDecl, "requestType" | "responseType" | "handshakeType" | "hasRequest"> {
  const ta = site.typeArgs;
  const ret = isFn && fn.returnType ? unwrapPromise(fn.returnType.typeAnnotation) : null;
  const none = { requestType: null, responseType: null, handshakeType: null, hasRequest: false };
  if (kind === "static" || kind === "raw" || (isFn && fn.typeParameters)) return none;
  const clean = (t: Node | null) => (t && !isVoidType(t) ? t : null);
  if (kind === "api") {
    const p0 = isFn ? paramInfo(fn, 0) : { type: null, present: false };
    const req = clean(p0.type ?? ta[0] ?? null);
    const resp = clean(ret ?? ta[1] ?? null);
    return { requestType: req, responseType: resp, handshakeType: null, hasRequest: req !== null };
  }
  // Streaming: type args are mandatory; a two-parameter handler has a handshake.
  const arity = isFn ? (fn.params?.length ?? 0) : -1;
  const expected: Record<string, [number[], number[]]> = {
    streamIn: [[1, 2], [2, 3]],
    streamOut: [[1], [2]],
    streamInOut: [[2], [3]],
  };
  const [noHs, withHs] = expected[kind];
  if (ta.length === 0) {
    x.ctx.report(D.StreamNoTypeArgs, site.callee.span, `api.${kind} needs explicit type arguments, e.g. api.${kind}<${kind === "streamOut" ? "Out" : kind === "streamIn" ? "In, Out" : "In, Out"}>(...)` + " (with a handshake type first when the handler takes two parameters).");
    return none;
  }
  const hasHs = arity === 2 || (arity < 0 && withHs.includes(ta.length) && !noHs.includes(ta.length));
  const allowed = hasHs ? withHs : noHs;
  if (!allowed.includes(ta.length)) {
    x.ctx.report(D.StreamTypeArgCount, site.node.typeArguments.span, `api.${kind} ${hasHs ? "with a handshake (two-parameter handler)" : "without a handshake"} takes ${allowed.join(" or ")} type argument${allowed.length === 1 && allowed[0] === 1 ? "" : "s"}, found ${ta.length}.`);
    return none;
  }
  const rest = hasHs ? ta.slice(1) : ta;
  const hs = hasHs ? clean(ta[0]) : null;
  if (kind === "streamOut") return { requestType: null, responseType: clean(rest[0]), handshakeType: hs, hasRequest: hs !== null };
  const inT = clean(rest[0]);
  const outT = clean(rest[1] ?? (kind === "streamIn" ? ret : null) ?? null);
  return { requestType: inT, responseType: outT, handshakeType: hs, hasRequest: hs !== null || inT !== null };
}
