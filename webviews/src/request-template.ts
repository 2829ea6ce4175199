/**
 * Builds the API explorer's pre-filled request from an endpoint's request schema: path params substituted with
 * sample values of their type, query / header fields from `x-reprise-source`, and a JSON body skeleton with
 * every required property. Pure, so the host and tests use the same function. Schemas come from user code and
 * may be partial or odd: unknown shapes produce `null` samples, never an exception.
 */
import { sampleValue, schemaFields, topicPublishPath, type Endpoint, type Topic } from "@reprise/protocol";
import type { CallResult, HeaderLine, RequestDraft } from "./messages.js";

export function draftRequest(endpoint: Endpoint): RequestDraft {
  const method = pickMethod(endpoint.method);
  const schema = endpoint.request ?? null;
  const props = schemaFields(schema, schema);
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
    const value = sampleValue(prop, schema, { fields: "required" });
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
  const message = sampleMessage !== undefined && sampleMessage !== null ? sampleMessage : topic.message ? sampleValue(topic.message, topic.message, { fields: "required" }) : {};
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
