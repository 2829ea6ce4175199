/**
 * Wire placement of a top-level schema: which part of the HTTP request (or response, or pub/sub message) each
 * top-level field travels in, written as `x-reprise-source` / `x-reprise-name` on the property. Also checks
 * that path, query, header, cookie and attribute fields have types their string-valued wire form can carry,
 * and writes path parameters declared `number` as `integer` (how the path is decoded).
 */
import type { HttpMethod, JSONSchema } from "@reprise/protocol";
import { makeDiagnostic } from "../diagnostics/define.js";
import type { DiagnosticDefinition } from "../diagnostics/define.js";
import type { Acc, Registry } from "./context.js";
import { SCHEMA as D } from "../diagnostics/schema.js";
import type { Emitter } from "./emit.js";
import type { Prop, Ty } from "./ir.js";
import { structure } from "./structure.js";

export type SchemaRole = "request" | "response" | "message" | "authParams" | "authData" | "handshake";
export type WireSource = "path" | "query" | "header" | "cookie" | "body" | "httpStatus" | "attribute";

const BODY_METHODS = new Set<HttpMethod>(["POST", "PUT", "PATCH", "CONNECT", "*"]);

export interface PlacementInput {
  props: Prop[];
  role: SchemaRole;
  methods: HttpMethod[] | null;
  pathParams: string[];
}

export function place(reg: Registry, acc: Acc, emitter: Emitter, input: PlacementInput): JSONSchema {
  const { props, role } = input;
  const hasBody = input.methods === null || input.methods.length === 0 || input.methods.some((m) => BODY_METHODS.has(m));
  const properties: Record<string, JSONSchema> = {};
  const required: string[] = [];
  let status: Prop | null = null;
  const diag = (def: DiagnosticDefinition, p: Prop, message: string, related?: Prop): void => {
    const pf = reg.getFile(p.file);
    if (!pf || !p.typeSpan) return;
    const rel = related?.typeSpan ? reg.getFile(related.file) : undefined;
    acc.diags.push(
      makeDiagnostic(def, p.file, pf.rangeOf(p.typeSpan), message, {
        related: rel && related?.typeSpan ? [{ location: { file: related.file, range: rel.rangeOf(related.typeSpan) }, message: "first HttpStatus field" }] : [],
      }),
    );
  };

  for (const p of props) {
    let source: WireSource | null = null;
    const wire = p.wire?.kind ?? null;
    if (role === "request" || role === "handshake" || role === "authParams") {
      if (wire === "header" || wire === "query" || wire === "cookie") source = wire;
      else {
        if (wire === "httpStatus") diag(D.WireMarkerIgnored, p, `HttpStatus only sets a response's status code; in a ${role === "authParams" ? "auth handler's parameters" : "request"} '${p.name}' is a plain field.`);
        else if (role === "authParams") diag(D.AuthParamsPlainField, p, `Auth handler parameter '${p.name}' must be read from the request: declare it as Header<"X-Name">, Query<...> or Cookie<"name"> (an auth handler has no body or path).`);
        if (input.pathParams.includes(p.name) && role !== "authParams") source = "path";
        else if (role === "handshake" || role === "authParams") source = "query";
        else source = hasBody ? "body" : "query";
      }
    } else if (role === "response") {
      if (wire === "header" || wire === "cookie") source = wire;
      else if (wire === "httpStatus") {
        if (status) diag(D.HttpStatusTwice, p, `'${p.name}' is a second HttpStatus field; a response has one status code ('${status.name}' already sets it).`, status);
        else status = p;
        source = "httpStatus";
      } else {
        if (wire === "query") diag(D.WireMarkerIgnored, p, `Query has no meaning in a response; '${p.name}' is sent in the JSON body.`);
        source = "body";
      }
    } else if (role === "message") {
      if (wire === "attribute") source = "attribute";
      else if (wire && wire !== "httpStatus") diag(D.WireMarkerIgnored, p, `${wire[0].toUpperCase()}${wire.slice(1)} has no meaning in a pub/sub message; '${p.name}' is part of the message body.`);
    }

    let schema: JSONSchema;
    if (source === "path") {
      const s = pathParamSchema(reg, acc, emitter, p.ty);
      if (!s) {
        diag(D.PathParamType, p, `Path parameter '${p.name}' must be a string, number, bigint or boolean (or a literal/enum of those).`);
        schema = {};
      } else schema = s;
    } else {
      schema = emitter.emit(p.ty);
      if (source === "query" && !isQueryType(reg, acc, p.ty, true)) {
        diag(D.QueryParamType, p, `Query parameter '${p.name}' must be a primitive, literal, enum or an array of those${wire === "query" ? "" : "; plain fields of a GET/DELETE/HEAD request are read from the query string, so use POST to send structured data in the body"}.`);
      } else if ((source === "header" || source === "cookie") && !isQueryType(reg, acc, p.ty, false)) {
        diag(D.HeaderCookieType, p, `${source === "header" ? "Header" : "Cookie"} '${p.name}' must be a string, number, boolean, Date, literal or enum.`);
      } else if (source === "attribute" && !isAttributeType(reg, acc, p.ty)) {
        diag(D.AttributeType, p, `Attribute '${p.name}' must be a string, number or boolean (or a literal/enum of those).`);
      }
    }
    if (p.doc) schema = { description: p.doc, ...schema };
    if (source) {
      schema = { ...schema, "x-reprise-source": source };
      const wireName = p.wire?.name ?? null;
      if (wireName !== null && wireName !== p.name && (source === "header" || source === "query" || source === "cookie")) schema["x-reprise-name"] = wireName;
    }
    properties[p.name] = schema;
    if (!p.optional && source !== "httpStatus") required.push(p.name);
  }
  const out: JSONSchema = { type: "object", properties };
  if (required.length) out.required = required;
  return out;
}

/** Scalar types a single string on the wire can carry. */
function isScalar(reg: Registry, acc: Acc, t: Ty, depth = 0): boolean {
  if (depth > 20) return false;
  switch (t.k) {
    case "prim":
    case "lit":
    case "date":
    case "bigint":
    case "decimal":
    case "any":
    case "error":
      return true;
    case "rules":
      return isScalar(reg, acc, t.base, depth + 1);
    case "union":
      return t.types.every((m) => isScalar(reg, acc, m, depth + 1));
    case "ref": {
      const s = structure(reg, t, acc);
      return s !== null && isScalar(reg, acc, s, depth + 1);
    }
    default:
      return false;
  }
}

function isQueryType(reg: Registry, acc: Acc, t: Ty, allowArrays: boolean): boolean {
  if (isScalar(reg, acc, t)) return true;
  if (!allowArrays) return false;
  const s = structure(reg, t, acc);
  if (!s) return false;
  if (s.k === "rules") return isQueryType(reg, acc, s.base, allowArrays);
  if (s.k === "array") return isScalar(reg, acc, s.items);
  if (s.k === "union") return s.types.every((m) => isQueryType(reg, acc, m, allowArrays));
  return false;
}

function isAttributeType(reg: Registry, acc: Acc, t: Ty, depth = 0): boolean {
  const s = structure(reg, t, acc);
  if (!s || depth > 20) return false;
  if (s.k === "prim") return s.t !== "null";
  if (s.k === "lit" || s.k === "any" || s.k === "error") return true;
  if (s.k === "rules") return isAttributeType(reg, acc, s.base, depth + 1);
  if (s.k === "union") return s.types.every((m) => isAttributeType(reg, acc, m, depth + 1));
  return false;
}

/** A path parameter's schema, written inline with `number` as `integer`; null when the type cannot be a param. */
function pathParamSchema(reg: Registry, acc: Acc, emitter: Emitter, t: Ty, depth = 0): JSONSchema | null {
  if (depth > 20) return null;
  const s = structure(reg, t, acc);
  if (!s) return null;
  switch (s.k) {
    case "prim":
      if (s.t === "null") return null;
      return { type: s.t === "number" ? "integer" : s.t };
    case "lit":
      return emitter.emit(s);
    case "bigint":
      return emitter.emit(s);
    case "any":
    case "error":
      return {};
    case "union":
      if (!s.types.every((m) => m.k === "lit")) return null;
      return emitter.emit(s);
    case "rules": {
      const base = pathParamSchema(reg, acc, emitter, s.base, depth + 1);
      if (!base) return null;
      const full = emitter.emit(s);
      // Keep the rule keywords but the param's decoded type.
      return { ...full, ...("type" in base ? { type: base.type } : {}) };
    }
    default:
      return null;
  }
}
