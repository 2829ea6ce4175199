/**
 * Builds the API explorer's pre-filled request from an endpoint's request schema: path params substituted with
 * sample values of their type, query / header fields from `x-reprise-source`, and a JSON body skeleton with
 * every required property. Pure, so the host and tests use the same function. Schemas come from user code and
 * may be partial or odd: unknown shapes produce `null` samples, never an exception.
 */
import { topicPublishPath, type Endpoint, type JSONSchema, type Topic } from "@reprise/protocol";
import type { CallResult, HeaderLine, RequestDraft } from "./messages.js";

const MAX_DEPTH = 6;

export function draftRequest(endpoint: Endpoint): RequestDraft {
  const method = pickMethod(endpoint.method);
  const schema = endpoint.request ?? null;
  const props = objectProperties(schema, schema);
  const query: HeaderLine[] = [];
  const headers: HeaderLine[] = [];
  const body: Record<string, unknown> = {};
  const pathValues = new Map<string, string>();
  // Encore's rule: without an explicit source, fields go to the query string for GET/HEAD/DELETE, else the body.
  const defaultSource = method === "GET" || method === "HEAD" || method === "DELETE" ? "query" : "body";
  const pathParams = new Set(endpoint.pathSegments.filter((s) => s.type !== "literal").map((s) => s.value));
  const required = new Set(Array.isArray(schema?.required) ? (schema!.required as string[]) : []);

  for (const [name, prop] of props) {
    const source = typeof prop["x-reprise-source"] === "string" ? (prop["x-reprise-source"] as string) : pathParams.has(name) ? "path" : defaultSource;
    const wire = typeof prop["x-reprise-name"] === "string" ? (prop["x-reprise-name"] as string) : name;
    const value = sample(prop, schema, 0);
    switch (source) {
      case "path":
        pathValues.set(name, scalarText(value) || name); // an empty segment would change the route
        break;
      case "query":
        if (required.has(name) || value !== null) query.push({ name: wire, value: scalarText(value) });
        break;
      case "header":
        headers.push({ name: wire, value: scalarText(value) });
        break;
      case "cookie":
        headers.push({ name: "Cookie", value: `${wire}=${scalarText(value)}` });
        break;
      case "httpStatus":
        break;
      default:
        body[name] = value;
    }
  }
  const hasBody = method !== "GET" && method !== "HEAD" && (Object.keys(body).length > 0 || (schema !== null && defaultSource === "body"));
  if (hasBody && !headers.some((h) => h.name.toLowerCase() === "content-type")) headers.push({ name: "Content-Type", value: "application/json" });
  return {
    method,
    path: fillPath(endpoint, pathValues),
    query,
    headers,
    body: hasBody ? JSON.stringify(body, null, 2) : "",
  };
}

function pickMethod(methods: readonly string[]): string {
  if (methods.length === 0 || methods[0] === "*") return "POST";
  return methods[0];
}

function fillPath(endpoint: Endpoint, values: Map<string, string>): string {
  if (endpoint.pathSegments.length === 0) return endpoint.path;
  return (
    "/" +
    endpoint.pathSegments
      .map((seg) => {
        if (seg.type === "literal") return seg.value;
        const v = values.get(seg.value) ?? (seg.valueType === "int" ? "1" : seg.valueType === "boolean" ? "true" : seg.value);
        return encodeURIComponent(v);
      })
      .join("/")
  );
}

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function resolveRef(schema: JSONSchema, root: JSONSchema | null): JSONSchema {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/") || !root) return schema;
  let cur: unknown = root;
  for (const part of ref.slice(2).split("/")) {
    if (typeof cur !== "object" || cur === null) return {};
    cur = (cur as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return typeof cur === "object" && cur !== null ? (cur as JSONSchema) : {};
}

function objectProperties(schema: JSONSchema | null, root: JSONSchema | null): [string, JSONSchema][] {
  if (!schema) return [];
  const s = resolveRef(schema, root);
  const out: [string, JSONSchema][] = [];
  const props = s.properties;
  if (typeof props === "object" && props !== null) {
    for (const [k, v] of Object.entries(props)) if (typeof v === "object" && v !== null) out.push([k, v as JSONSchema]);
  }
  for (const key of ["allOf"] as const) {
    const parts = s[key];
    if (Array.isArray(parts)) for (const p of parts) if (typeof p === "object" && p) out.push(...objectProperties(p as JSONSchema, root));
  }
  return out;
}

/** A sample value for a schema: its example/default/const/first enum value, else a neutral value of its type. */
export function sample(schema: JSONSchema, root: JSONSchema | null, depth: number): unknown {
  if (depth > MAX_DEPTH) return null;
  const s = resolveRef(schema, root);
  if ("const" in s) return s.const;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if ("default" in s) return s.default;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  for (const key of ["oneOf", "anyOf"] as const) {
    const alts = s[key];
    if (Array.isArray(alts)) {
      const first = alts.find((a) => typeof a === "object" && a && (a as JSONSchema).type !== "null");
      if (first) return sample(first as JSONSchema, root, depth + 1);
    }
  }
  const type = Array.isArray(s.type) ? (s.type as unknown[]).find((t) => t !== "null") : s.type;
  switch (type) {
    case "string":
      if (s.format === "date-time") return "2026-01-01T00:00:00Z";
      if (s.format === "date") return "2026-01-01";
      if (s.format === "email") return "user@example.com";
      if (s.format === "uuid") return "00000000-0000-0000-0000-000000000000";
      return "";
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
      return Array.from({ length: min }, () => sample(items as JSONSchema, root, depth + 1));
    }
    case "object":
    default: {
      const props = objectProperties(s, root);
      if (props.length === 0) return type === "object" ? {} : null;
      const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : props.map(([k]) => k));
      const obj: Record<string, unknown> = {};
      for (const [k, v] of props) if (required.has(k)) obj[k] = sample(v, root, depth + 1);
      return obj;
    }
  }
}

/** The URL the host sends a draft to. */
export function draftUrl(baseUrl: string, draft: RequestDraft): string {
  const url = new URL(draft.path.startsWith("/") ? draft.path : `/${draft.path}`, baseUrl);
  for (const q of draft.query) if (q.name) url.searchParams.append(q.name, q.value);
  return url.toString();
}

/**
 * The API explorer's publish-mode draft (to the runtime's loopback-only admin route): a POST of a sample message (from the topic's message schema, unless the
 * caller already has one, e.g. from the language server's lens) to the admin publish route.
 */
export function publishDraft(topic: Pick<Topic, "name" | "message">, sampleMessage?: unknown): RequestDraft {
  const message = sampleMessage !== undefined && sampleMessage !== null ? sampleMessage : topic.message ? sample(topic.message, topic.message, 0) : {};
  return {
    method: "POST",
    path: topicPublishPath(topic.name),
    query: [],
    headers: [{ name: "Content-Type", value: "application/json" }],
    body: JSON.stringify(message ?? {}, null, 2),
  };
}

export type PublishOutcome = { ok: true; messageId: string } | { ok: false; reason: string };

/** What a publish answer means: the message id (200 `{ messageId }`), or why it was not published. */
export function publishOutcome(r: CallResult): PublishOutcome {
  if (r.error) return { ok: false, reason: r.error };
  let json: unknown = null;
  try {
    json = JSON.parse(r.body);
  } catch {
    // not JSON: summarised from the status alone
  }
  const o = (typeof json === "object" && json !== null ? json : {}) as { messageId?: unknown; code?: unknown; message?: unknown };
  if (r.ok && (typeof o.messageId === "string" || typeof o.messageId === "number")) return { ok: true, messageId: String(o.messageId) };
  if (typeof o.code === "string") return { ok: false, reason: `${r.status} ${o.code}${typeof o.message === "string" && o.message ? `: ${o.message}` : ""}` };
  return { ok: false, reason: `${r.status} ${r.statusText}`.trim() };
}
