/**
 * JSON Schema (as the analyzer writes request / response / message schemas) turned into what a TypeScript
 * developer reads at a glance — `{ id: number; tags?: string[] }`. Follows `$ref`s into `$defs` / `definitions`
 * and stops at cycles and at a fixed depth, so a recursive or huge schema still renders in bounded time. (Sample
 * values of a schema, for the ▶ Call lens, are protocol's `sampleValue`, shared with the API explorer.)
 */
import { resolveSchemaRef as resolveRef, type JSONSchema } from "@reprise/protocol";

const MAX_DEPTH = 6;
const INDENT = "  ";

type Schema = JSONSchema;

const refName = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);
const isIdent = (s: string) => /^[A-Za-z_$][\w$]*$/.test(s);

function literal(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** TS-like rendering of a schema; multi-line for objects with properties. */
export function schemaToText(schema: Schema | null | undefined, root: Schema | null | undefined = schema): string {
  if (!schema) return "void";
  return render(schema, root ?? schema, 0, new Set());
}

function render(s: Schema, root: Schema, depth: number, seen: Set<string>): string {
  if (typeof s !== "object" || s === null) return "unknown";
  const ref = s["$ref"];
  if (typeof ref === "string") {
    const target = resolveRef(root, ref);
    if (!target || seen.has(ref) || depth >= MAX_DEPTH) return refName(ref);
    const next = new Set(seen).add(ref);
    return render(target, root, depth, next);
  }
  if ("const" in s) return literal(s.const);
  if (Array.isArray(s.enum)) return s.enum.map(literal).join(" | ") || "never";
  const union = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (Array.isArray(union)) return union.map((m) => render(m, root, depth + 1, seen)).join(" | ") || "never";
  if (Array.isArray(s.allOf)) return (s.allOf as Schema[]).map((m) => render(m, root, depth + 1, seen)).join(" & ");
  const type = s.type;
  if (Array.isArray(type)) return type.map((t) => render({ ...s, type: t }, root, depth, seen)).join(" | ");
  switch (type) {
    case "string":
      return s.format === "date-time" ? "Date" : "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array": {
      if (Array.isArray(s.prefixItems)) return `[${(s.prefixItems as Schema[]).map((m) => render(m, root, depth + 1, seen)).join(", ")}]`;
      const item = s.items && typeof s.items === "object" ? render(s.items as Schema, root, depth + 1, seen) : "unknown";
      return /[|&]/.test(item) ? `(${item})[]` : `${item}[]`;
    }
    case "object":
    case undefined: {
      const props = s.properties as Record<string, Schema> | undefined;
      if (!props || typeof props !== "object") {
        const extra = s.additionalProperties;
        if (extra && typeof extra === "object") return `Record<string, ${render(extra as Schema, root, depth + 1, seen)}>`;
        return type === "object" ? "Record<string, unknown>" : "unknown";
      }
      const keys = Object.keys(props);
      if (!keys.length) return "{}";
      if (depth >= MAX_DEPTH) return "{ … }";
      const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
      const pad = INDENT.repeat(depth + 1);
      const lines = keys.map((k) => {
        const p = props[k];
        const name = isIdent(k) ? k : JSON.stringify(k);
        const src = typeof p?.["x-reprise-source"] === "string" && p["x-reprise-source"] !== "body" ? `  // ${p["x-reprise-source"]}` : "";
        return `${pad}${name}${required.has(k) ? "" : "?"}: ${render(p, root, depth + 1, seen)};${src}`;
      });
      return `{\n${lines.join("\n")}\n${INDENT.repeat(depth)}}`;
    }
    default:
      return "unknown";
  }
}
