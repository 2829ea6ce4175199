/**
 * The API explorer's parameter fields: one per path parameter, query parameter and header of an endpoint, taken
 * from its request schema (`x-reprise-source` / `x-reprise-name`, Encore's default source rule) and its path
 * segments. Pure and shared: the host computes the fields, the page validates as the user types and keeps each
 * field in step with the raw request text (path, query lines, header lines), which stays the single truth that is
 * sent. Schemas come from user code and may be odd: unknown shapes give a free-text field, never an exception.
 */
import type { Endpoint, JSONSchema, PathSegment } from "@reprise/protocol";
import type { HeaderLine, RequestDraft } from "./messages.js";

export type ParamSource = "path" | "query" | "header";
export type ParamType = "string" | "integer" | "number" | "boolean" | "any";

/** One input field of the explorer, its schema constraints flattened so the page needs no JSON Schema logic. */
export interface ParamField {
  source: ParamSource;
  /** The name on the wire: the path parameter, the query key or the header name. */
  name: string;
  required: boolean;
  type: ParamType;
  /** Query parameters of array type: one value per comma-separated item, sent as repeated keys. */
  array?: boolean;
  /** Allowed values, as text. */
  enum?: string[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  description?: string;
}

const MAX_REF_HOPS = 8;

function resolve(schema: JSONSchema, root: JSONSchema | null): JSONSchema {
  let s = schema;
  for (let i = 0; i < MAX_REF_HOPS && typeof s.$ref === "string" && s.$ref.startsWith("#/") && root; i++) {
    let cur: unknown = root;
    for (const part of s.$ref.slice(2).split("/")) {
      if (typeof cur !== "object" || cur === null) return {};
      cur = (cur as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    }
    s = typeof cur === "object" && cur !== null ? (cur as JSONSchema) : {};
  }
  return s;
}

function properties(schema: JSONSchema | null, root: JSONSchema | null, depth = 0): [string, JSONSchema][] {
  if (!schema || depth > MAX_REF_HOPS) return [];
  const s = resolve(schema, root);
  const out: [string, JSONSchema][] = [];
  if (typeof s.properties === "object" && s.properties !== null) {
    for (const [k, v] of Object.entries(s.properties)) if (typeof v === "object" && v !== null) out.push([k, v as JSONSchema]);
  }
  if (Array.isArray(s.allOf)) for (const p of s.allOf) if (typeof p === "object" && p) out.push(...properties(p as JSONSchema, root, depth + 1));
  return out;
}

function requiredNames(schema: JSONSchema | null, root: JSONSchema | null): Set<string> {
  const out = new Set<string>();
  if (!schema) return out;
  const s = resolve(schema, root);
  if (Array.isArray(s.required)) for (const r of s.required) if (typeof r === "string") out.add(r);
  if (Array.isArray(s.allOf)) for (const p of s.allOf) if (typeof p === "object" && p) for (const r of requiredNames(p as JSONSchema, root)) out.add(r);
  return out;
}

/** The first non-null alternative of a nullable union (`T | null` is `anyOf: [T, {type: "null"}]`). */
function unwrapNullable(schema: JSONSchema, root: JSONSchema | null): JSONSchema {
  const s = resolve(schema, root);
  for (const key of ["anyOf", "oneOf"] as const) {
    const alts = s[key];
    if (!Array.isArray(alts)) continue;
    const nonNull = alts.filter((a) => typeof a === "object" && a && (a as JSONSchema).type !== "null") as JSONSchema[];
    // A union of literals is an enum; anything else stays free text.
    if (nonNull.length > 1 && nonNull.every((a) => "const" in resolve(a, root))) return { enum: nonNull.map((a) => resolve(a, root).const) };
    if (nonNull.length === 1) return resolve(nonNull[0], root);
  }
  return s;
}

const asText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

function constraints(schema: JSONSchema, root: JSONSchema | null): Omit<ParamField, "source" | "name" | "required"> {
  let s = unwrapNullable(schema, root);
  let array = false;
  const t0 = Array.isArray(s.type) ? (s.type as unknown[]).find((t) => t !== "null") : s.type;
  if (t0 === "array" && typeof s.items === "object" && s.items !== null) {
    array = true;
    s = unwrapNullable(s.items as JSONSchema, root);
  }
  const t = Array.isArray(s.type) ? (s.type as unknown[]).find((x) => x !== "null") : s.type;
  const out: Omit<ParamField, "source" | "name" | "required"> = {
    type: t === "string" || t === "integer" || t === "number" || t === "boolean" ? t : "any",
  };
  if (array) out.array = true;
  if ("const" in s) out.enum = [asText(s.const)];
  else if (Array.isArray(s.enum) && s.enum.length) out.enum = s.enum.filter((v) => v !== null).map(asText);
  if (typeof s.format === "string") out.format = s.format;
  if (typeof s.pattern === "string") out.pattern = s.pattern;
  const minimum = num(s.minimum), maximum = num(s.maximum), minLength = num(s.minLength), maxLength = num(s.maxLength);
  if (minimum !== undefined) out.minimum = minimum;
  if (maximum !== undefined) out.maximum = maximum;
  if (minLength !== undefined) out.minLength = minLength;
  if (maxLength !== undefined) out.maxLength = maxLength;
  if (typeof s.description === "string" && s.description) out.description = s.description;
  else if (typeof schema.description === "string" && schema.description) out.description = schema.description;
  return out;
}

/** The fields of an endpoint: path parameters in path order, then query parameters and headers in schema order. */
export function paramFields(endpoint: Endpoint): ParamField[] {
  const methods = endpoint.method.length === 0 || endpoint.method[0] === "*" ? "POST" : endpoint.method[0];
  const defaultSource = methods === "GET" || methods === "HEAD" || methods === "DELETE" ? "query" : "body";
  const schema = endpoint.request ?? null;
  const props = properties(schema, schema);
  const required = requiredNames(schema, schema);
  const byName = new Map(props);
  const pathParams = endpoint.pathSegments.filter((s) => s.type !== "literal");
  const out: ParamField[] = [];
  for (const seg of pathParams) {
    const prop = byName.get(seg.value);
    const fromSegment: ParamType = seg.valueType === "int" ? "integer" : seg.valueType === "boolean" ? "boolean" : "string";
    const c = prop ? constraints(prop, schema) : { type: fromSegment };
    // The route decodes the segment by its valueType, whatever the field's schema type says.
    out.push({ ...c, type: c.type === "any" ? fromSegment : c.type, source: "path", name: seg.value, required: seg.type !== "fallback" });
  }
  const pathNames = new Set(pathParams.map((s) => s.value));
  for (const [name, prop] of props) {
    if (pathNames.has(name)) continue;
    const explicit = typeof prop["x-reprise-source"] === "string" ? (prop["x-reprise-source"] as string) : null;
    const source = explicit ?? defaultSource;
    if (source !== "query" && source !== "header") continue;
    const wire = typeof prop["x-reprise-name"] === "string" ? (prop["x-reprise-name"] as string) : name;
    out.push({ ...constraints(prop, schema), source, name: wire, required: required.has(name) });
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Why `value` does not fit `field`, or null when it does (an empty optional field always fits). */
export function validateParam(field: ParamField, value: string): string | null {
  if (value === "") return field.required ? "required" : null;
  if (field.array) {
    for (const item of value.split(",")) {
      const why = validateOne(field, item.trim());
      if (why) return `"${item.trim()}": ${why}`;
    }
    return null;
  }
  return validateOne(field, value);
}

function validateOne(field: ParamField, value: string): string | null {
  if (value === "") return "empty item";
  if (field.enum && !field.enum.includes(value)) return `must be one of ${field.enum.join(", ")}`;
  switch (field.type) {
    case "integer":
      if (!/^[+-]?\d+$/.test(value)) return "must be an integer";
      break;
    case "number":
      if (value.trim() === "" || !Number.isFinite(Number(value))) return "must be a number";
      break;
    case "boolean":
      if (value !== "true" && value !== "false") return "must be true or false";
      break;
  }
  if (field.type === "integer" || field.type === "number") {
    const n = Number(value);
    if (field.minimum !== undefined && n < field.minimum) return `must be ≥ ${field.minimum}`;
    if (field.maximum !== undefined && n > field.maximum) return `must be ≤ ${field.maximum}`;
  }
  const length = [...value].length;
  if (field.minLength !== undefined && length < field.minLength) return `at least ${field.minLength} character${field.minLength === 1 ? "" : "s"}`;
  if (field.maxLength !== undefined && length > field.maxLength) return `at most ${field.maxLength} character${field.maxLength === 1 ? "" : "s"}`;
  if (field.pattern !== undefined) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(field.pattern, "u");
    } catch {
      // a pattern JavaScript cannot compile: not checked here (the runtime has the last word)
    }
    if (re && !re.test(value)) return `must match ${field.pattern}`;
  }
  switch (field.format) {
    case "uuid":
      if (!UUID.test(value)) return "must be a UUID";
      break;
    case "email":
      if (!EMAIL.test(value)) return "must be an email address";
      break;
    case "date":
      if (!DATE.test(value)) return "must be a date (YYYY-MM-DD)";
      break;
    case "date-time":
      if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) return "must be a date-time (RFC 3339)";
      break;
  }
  return null;
}

// ---------- keeping fields and the raw request in step ----------

/** Path parameter values read back from a path the user typed, or null when the path no longer fits the route. */
export function readPathParams(segments: readonly PathSegment[], path: string): Map<string, string> | null {
  const parts = path.replace(/^\//, "").split("?")[0].split("/");
  const out = new Map<string, string>();
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.type === "wildcard" || seg.type === "fallback") {
      out.set(seg.value, parts.slice(i).map(safeDecode).join("/"));
      return out;
    }
    if (i >= parts.length) return null;
    if (seg.type === "literal") {
      if (parts[i] !== seg.value) return null;
    } else out.set(seg.value, safeDecode(parts[i]));
  }
  return parts.length === segments.length ? out : null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The path with each parameter's value (encoded; a wildcard keeps its slashes). */
export function buildPath(segments: readonly PathSegment[], values: ReadonlyMap<string, string>): string {
  return "/" + segments.map((seg) => {
    if (seg.type === "literal") return seg.value;
    const v = values.get(seg.value) ?? "";
    return seg.type === "param" ? encodeURIComponent(v) : v.split("/").map(encodeURIComponent).join("/");
  }).join("/");
}

/** What a field shows for the current draft: the path segment, the query value(s) or the header value. */
export function fieldValue(field: ParamField, draft: RequestDraft, segments: readonly PathSegment[]): string {
  switch (field.source) {
    case "path":
      return readPathParams(segments, draft.path)?.get(field.name) ?? "";
    case "query":
      return draft.query.filter((q) => q.name === field.name).map((q) => q.value).join(",");
    case "header":
      return draft.headers.find((h) => h.name.toLowerCase() === field.name.toLowerCase())?.value ?? "";
  }
}

/** The draft with one field set (an empty optional query parameter or header is removed, not sent empty). */
export function withFieldValue(draft: RequestDraft, field: ParamField, value: string, segments: readonly PathSegment[]): RequestDraft {
  switch (field.source) {
    case "path": {
      const values = readPathParams(segments, draft.path) ?? new Map<string, string>();
      values.set(field.name, value);
      return { ...draft, path: buildPath(segments, values) };
    }
    case "query": {
      const items = value === "" && !field.required ? [] : field.array ? value.split(",").map((v) => v.trim()) : [value];
      return { ...draft, query: replaceLines(draft.query, (l) => l.name === field.name, items.map((v) => ({ name: field.name, value: v }))) };
    }
    case "header": {
      const lines = value === "" && !field.required ? [] : [{ name: field.name, value }];
      return { ...draft, headers: replaceLines(draft.headers, (l) => l.name.toLowerCase() === field.name.toLowerCase(), lines) };
    }
  }
}

/** Replaces the matching lines with `next`, at the place of the first match (appended when none matched). */
function replaceLines(lines: HeaderLine[], match: (l: HeaderLine) => boolean, next: HeaderLine[]): HeaderLine[] {
  const at = lines.findIndex(match);
  const rest = lines.filter((l) => !match(l));
  if (at < 0) return [...rest, ...next];
  const before = lines.slice(0, at).filter((l) => !match(l)).length;
  return [...rest.slice(0, before), ...next, ...rest.slice(before)];
}

// ---------- request history ----------

/** One sent request of an endpoint, as the host keeps it in workspace state. */
export interface HistoryEntry {
  /** Epoch milliseconds when it was sent. */
  at: number;
  draft: RequestDraft;
  status: number;
  error: string | null;
  timeMs: number;
}

export const HISTORY_LIMIT = 20;

/** The history with `entry` first; an identical earlier request moves up instead of being kept twice. */
export function pushHistory(entries: readonly HistoryEntry[], entry: HistoryEntry, limit = HISTORY_LIMIT): HistoryEntry[] {
  const same = (a: RequestDraft, b: RequestDraft) => JSON.stringify(a) === JSON.stringify(b);
  return [entry, ...entries.filter((e) => !same(e.draft, entry.draft))].slice(0, limit);
}

/** "12:03:04 PUT /users/7 → 200 · 3 ms" */
export function historyLabel(e: HistoryEntry): string {
  const t = new Date(e.at);
  const hh = [t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
  const q = e.draft.query.length ? `?${e.draft.query.map((x) => `${x.name}=${x.value}`).join("&")}` : "";
  const outcome = e.error ? `error: ${e.error}` : String(e.status);
  return `${hh} ${e.draft.method} ${e.draft.path}${q} → ${outcome} · ${e.timeMs.toFixed(0)} ms`;
}
