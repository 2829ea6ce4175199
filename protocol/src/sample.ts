/**
 * A sample value of a JSON Schema as the analyser writes them (request, response and message schemas): the one
 * generator behind the ▶ Call lens's placeholder request, the topic lenses' sample message and the API explorer's
 * draft request. Follows `$ref`s into `$defs` / `definitions`, stops at cycles and at a fixed depth, so a recursive or
 * huge schema still answers in bounded time. Pure: safe in a webview.
 */
import type { JSONSchema } from "./app-model.js";

const MAX_DEPTH = 6;

export interface SampleOptions {
  /** Which object fields get a value: all of them (default), or only the required ones. */
  fields?: "all" | "required";
}

/** What `$ref` points at inside `root`, or undefined when it is not a local reference that resolves. */
export function resolveSchemaRef(root: JSONSchema, ref: string): JSONSchema | undefined {
  if (!ref.startsWith("#/")) return undefined;
  let cur: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!cur || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur && typeof cur === "object" ? (cur as JSONSchema) : undefined;
}

/**
 * A placeholder value of the schema's shape: its `const`, first example, `default` or first enum member, else a
 * neutral value of its type ("" for strings — a format's example for date-time, date, email, uri and uuid, `x`
 * repeated to minLength —, `minimum` or 0 for numbers, false, null, `minItems` (at most 3) sample items for arrays,
 * and the object's fields).
 */
export function sampleValue(schema: JSONSchema | null | undefined, root: JSONSchema | null | undefined = schema, options: SampleOptions = {}): unknown {
  if (!schema) return null;
  return sample(schema, root ?? schema, 0, new Set(), options.fields ?? "all");
}

function sample(s: JSONSchema, root: JSONSchema, depth: number, seen: Set<string>, fields: "all" | "required"): unknown {
  if (typeof s !== "object" || s === null || depth > MAX_DEPTH) return null;
  const ref = s["$ref"];
  if (typeof ref === "string") {
    const target = resolveSchemaRef(root, ref);
    if (!target || seen.has(ref)) return null;
    return sample(target, root, depth, new Set(seen).add(ref), fields);
  }
  if ("const" in s) return s.const;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if ("default" in s) return s.default;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const union = (s.anyOf ?? s.oneOf) as unknown;
  if (Array.isArray(union) && union.length) {
    const member = union.find((m) => typeof m === "object" && m !== null && (m as JSONSchema).type !== "null") ?? union[0];
    return sample(member as JSONSchema, root, depth + 1, seen, fields);
  }
  const type = Array.isArray(s.type) ? (s.type as unknown[]).find((t) => t !== "null") : s.type;
  switch (type) {
    case "string":
      if (s.format === "date-time") return "2026-01-01T00:00:00Z";
      if (s.format === "date") return "2026-01-01";
      if (s.format === "email") return "user@example.com";
      if (s.format === "uri") return "https://example.com";
      if (s.format === "uuid") return "00000000-0000-0000-0000-000000000000";
      return typeof s.minLength === "number" && s.minLength > 0 ? "x".repeat(Math.min(s.minLength, 16)) : "";
    case "integer":
    case "number":
      return typeof s.minimum === "number" ? s.minimum : 0;
    case "boolean":
      return false;
    case "null":
      return null;
    case "array": {
      const items = s.items;
      const min = typeof s.minItems === "number" ? Math.min(s.minItems, 3) : 0;
      if (typeof items !== "object" || items === null) return [];
      return Array.from({ length: min }, () => sample(items as JSONSchema, root, depth + 1, seen, fields));
    }
    default: {
      const props = objectProperties(s, root, seen);
      if (props.length === 0) return type === "object" || type === undefined ? {} : null;
      const required = fields === "required" ? requiredOf(s, root, seen) : null;
      const out: Record<string, unknown> = {};
      for (const [k, p] of props) if (!required || required.has(k)) out[k] = sample(p, root, depth + 1, seen, fields);
      return out;
    }
  }
}

/** The fields of an object schema (itself possibly a `$ref`), with those of its `allOf` parts. */
export function schemaFields(schema: JSONSchema | null | undefined, root: JSONSchema | null | undefined = schema): [string, JSONSchema][] {
  if (!schema) return [];
  const r = root ?? schema;
  const p = partOf(schema, r, new Set());
  return p ? objectProperties(p.schema, r, p.seen) : [];
}

/** The fields of an object schema, with those of its `allOf` parts (through `$ref`s). */
function objectProperties(s: JSONSchema, root: JSONSchema, seen: Set<string>): [string, JSONSchema][] {
  const out: [string, JSONSchema][] = [];
  const props = s.properties;
  if (typeof props === "object" && props !== null) {
    for (const [k, v] of Object.entries(props)) if (typeof v === "object" && v !== null) out.push([k, v as JSONSchema]);
  }
  if (Array.isArray(s.allOf)) {
    for (const part of s.allOf as unknown[]) {
      const p = partOf(part, root, seen);
      if (p) out.push(...objectProperties(p.schema, root, p.seen));
    }
  }
  return out;
}

/** The required field names of an object schema and its `allOf` parts; every field when it lists none. */
function requiredOf(s: JSONSchema, root: JSONSchema, seen: Set<string>): Set<string> {
  const names = new Set<string>();
  let listed = false;
  const visit = (x: JSONSchema, seenHere: Set<string>) => {
    if (Array.isArray(x.required)) {
      listed = true;
      for (const n of x.required as unknown[]) if (typeof n === "string") names.add(n);
    }
    if (Array.isArray(x.allOf)) for (const part of x.allOf as unknown[]) {
      const p = partOf(part, root, seenHere);
      if (p) visit(p.schema, p.seen);
    }
  };
  visit(s, seen);
  return listed ? names : new Set(objectProperties(s, root, seen).map(([k]) => k));
}

function partOf(part: unknown, root: JSONSchema, seen: Set<string>): { schema: JSONSchema; seen: Set<string> } | null {
  if (typeof part !== "object" || part === null) return null;
  const ref = (part as JSONSchema)["$ref"];
  if (typeof ref !== "string") return { schema: part as JSONSchema, seen };
  const target = resolveSchemaRef(root, ref);
  return target && !seen.has(ref) ? { schema: target, seen: new Set(seen).add(ref) } : null;
}
