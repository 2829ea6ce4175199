/**
 * App model v1 → a dependency-free TypeScript client of the app's exposed endpoints (`reprise gen client`). Pure (no
 * IO): one module text built from the endpoints' JSON Schemas and their `x-reprise-source` placement marks.
 *
 * The module has a `Client` with one namespace (and one `ServiceClient`) per service, one method per exposed
 * endpoint; named types (`$defs`, generic instances already concrete, recursion by name) become top-level type
 * aliases, shared across services the way `reprise openapi` shares components. It runs on `fetch` and `WebSocket`
 * only (browsers, Node 20, Deno): `Date` fields are revived from their RFC 3339 strings by a small table of where
 * dates sit in each response, so the types the client declares are the values it returns.
 */
import type { AppModel, Endpoint, JSONSchema } from "@reprise/protocol";
import { ComponentRegistry } from "../openapi/document.js";

export interface TypeScriptClientOptions {
  /** The default base URL of `new Client()` (default `http://localhost:4000`, `reprise run`'s port). */
  baseUrl?: string;
}

/** Names the module's own declarations use; a type of the app with one of these names is renamed `Name_2`. */
const RUNTIME_NAMES = [
  "Client",
  "ClientOptions",
  "BaseClient",
  "APIError",
  "ErrCode",
  "AuthParams",
  "StreamIn",
  "StreamOut",
  "StreamInOut",
  "WebSocketLike",
  "WebSocketConstructor",
  "BASE_URL",
  "DATES",
  "DateShape",
  "CallParts",
  "StreamSocket",
];

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "CONNECT"]);

const RESERVED_WORDS = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
    "instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private " +
    "protected public static yield any boolean number string symbol type from of namespace module declare abstract async await never " +
    "object unknown undefined bigint constructor"
  ).split(" "),
);

/** A valid, non-reserved identifier for a service name (`kebab-case` → `kebab_case`, as `~encore/clients` spells it). */
export function serviceIdentifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_$]/g, "_");
  if (!id || /^[0-9]/.test(id)) id = `_${id}`;
  if (RESERVED_WORDS.has(id)) id = `${id}_`;
  return id;
}

function pascal(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const id = parts.map((p) => p[0].toUpperCase() + p.slice(1)).join("") || "Endpoint";
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

function methodIdentifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_$]/g, "_");
  if (!id || /^[0-9]/.test(id)) id = `_${id}`;
  return id;
}

function propKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

function access(obj: string, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${obj}.${name}` : `${obj}[${JSON.stringify(name)}]`;
}

function docComment(text: unknown, indent: string): string {
  if (typeof text !== "string" || !text.trim()) return "";
  const lines = text.trim().replace(/\*\//g, "*\\/").split(/\r?\n/);
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join("\n")}\n${indent} */\n`;
}

const REF_PREFIX = "#/components/schemas/";

/** Date positions inside a value: 1 = a date string; p = fields, i = array items, m = map values, r = named type, u = union. */
type DateShape = 1 | { p: Record<string, DateShape> } | { i: DateShape } | { m: DateShape } | { r: string } | { u: DateShape[] };

class Generator {
  private readonly registry: ComponentRegistry;
  private readonly defsWithDates = new Set<string>();
  private readonly datesTable = new Map<string, DateShape>();

  constructor(
    private readonly model: AppModel,
    reserved: Set<string>,
  ) {
    this.registry = new ComponentRegistry(reserved);
  }

  adopt(schema: JSONSchema | null): JSONSchema | null {
    return schema ? this.registry.adopt(schema) : null;
  }

  get defs(): Record<string, JSONSchema> {
    return this.registry.schemas;
  }

  /** TypeScript type of a schema the analyser wrote (docs/schemas.md lists every keyword it can contain). */
  type(s: JSONSchema | undefined, indent = ""): string {
    if (!s || typeof s !== "object") return "unknown";
    if (typeof s.$ref === "string") return s.$ref.startsWith(REF_PREFIX) ? decodeURIComponent(s.$ref.slice(REF_PREFIX.length)) : "unknown";
    if ("const" in s) return literal(s.const);
    if (Array.isArray(s.enum)) return s.enum.map(literal).join(" | ") || "never";
    if (Array.isArray(s.anyOf)) return s.anyOf.map((x) => wrapUnionMember(this.type(x as JSONSchema, indent))).join(" | ") || "never";
    if (Array.isArray(s.allOf)) return s.allOf.map((x) => wrapUnionMember(this.type(x as JSONSchema, indent))).join(" & ") || "unknown";
    if (s.not && typeof s.not === "object" && Object.keys(s.not).length === 0) return "never";
    const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === "string" ? [s.type] : null;
    if (!types) return "unknown";
    const special = s["x-reprise-type"];
    if (special === "bigint" || special === "Decimal") {
      // Sent and received as a JSON string of digits (or a number); JSON has no bigint.
      return ["string", ...(types.includes("null") ? ["null"] : [])].join(" | ");
    }
    const parts = types.map((t) => {
      switch (t) {
        case "string":
          return s.format === "date-time" ? "Date" : "string";
        case "number":
        case "integer":
          return "number";
        case "boolean":
          return "boolean";
        case "null":
          return "null";
        case "array":
          return `${wrapArrayItem(this.type(s.items as JSONSchema | undefined, indent))}[]`;
        case "object":
          return this.objectType(s, indent);
        default:
          return "unknown";
      }
    });
    return [...new Set(parts)].join(" | ");
  }

  objectType(s: JSONSchema, indent: string, omit: ReadonlySet<string> = new Set()): string {
    const props = (s.properties ?? {}) as Record<string, JSONSchema>;
    const required = new Set((s.required as string[] | undefined) ?? []);
    const names = Object.keys(props).filter((n) => !omit.has(n));
    const additional = s.additionalProperties as JSONSchema | undefined;
    const inner = indent + "  ";
    const fields = names.map((n) => `${docComment(props[n].description, inner)}${inner}${propKey(n)}${required.has(n) ? "" : "?"}: ${this.type(props[n], inner)};`);
    if (additional !== undefined && typeof additional === "object") {
      const value = this.type(additional, inner);
      if (!fields.length) return `Record<string, ${value}>`;
      return `{\n${fields.join("\n")}\n${indent}} & Record<string, ${value}>`;
    }
    if (!fields.length) return s.properties ? "{}" : "Record<string, unknown>";
    return `{\n${fields.join("\n")}\n${indent}}`;
  }

  /** Where dates sit in a value of this schema, or null when none can. Named types go through `DATES`. */
  dateShape(s: JSONSchema | undefined): DateShape | null {
    if (!s || typeof s !== "object") return null;
    if (typeof s.$ref === "string" && s.$ref.startsWith(REF_PREFIX)) {
      const name = decodeURIComponent(s.$ref.slice(REF_PREFIX.length));
      return this.defsWithDates.has(name) ? { r: name } : null;
    }
    const branches = [...((s.anyOf as JSONSchema[] | undefined) ?? []), ...((s.allOf as JSONSchema[] | undefined) ?? [])];
    if (branches.length) {
      const u = branches.map((b) => this.dateShape(b)).filter((x): x is DateShape => x !== null);
      return u.length ? (u.length === 1 ? u[0] : { u }) : null;
    }
    if (s["x-reprise-type"]) return null;
    const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === "string" ? [s.type] : [];
    const out: DateShape[] = [];
    if (types.includes("string") && s.format === "date-time") out.push(1);
    if (types.includes("array")) {
      const i = this.dateShape(s.items as JSONSchema | undefined);
      if (i) out.push({ i });
    }
    if (types.includes("object")) {
      const p: Record<string, DateShape> = {};
      for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, JSONSchema>)) {
        const d = this.dateShape(v);
        if (d) p[k] = d;
      }
      if (Object.keys(p).length) out.push({ p });
      if (s.additionalProperties && typeof s.additionalProperties === "object") {
        const m = this.dateShape(s.additionalProperties as JSONSchema);
        if (m) out.push({ m });
      }
    }
    return out.length ? (out.length === 1 ? out[0] : { u: out }) : null;
  }

  /** Once every schema is adopted: which named types hold dates (a fixpoint, so recursive types terminate). */
  computeDates(): void {
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, def] of Object.entries(this.defs)) {
        if (this.defsWithDates.has(name)) continue;
        if (this.dateShape(def)) {
          this.defsWithDates.add(name);
          changed = true;
        }
      }
    }
    for (const name of [...this.defsWithDates].sort()) this.datesTable.set(name, this.dateShape(this.defs[name])!);
  }

  get dates(): Map<string, DateShape> {
    return this.datesTable;
  }

  get app(): AppModel["app"] {
    return this.model.app;
  }
}

/** \`export interface Name {…}\` when the body is a plain object literal, else \`export type Name = …;\`. */
function declaration(name: string, body: string, indent: string): string {
  // Conservative: a body with an intersection anywhere is written as an alias (always valid).
  const plain = body.startsWith("{") && !body.includes("} & Record<");
  return plain ? `${indent}export interface ${name} ${body}` : `${indent}export type ${name} = ${body};`;
}

function literal(v: unknown): string {
  return v === null ? "null" : JSON.stringify(v);
}

function wrapUnionMember(t: string): string {
  return /^[\w.$<>[\]"' ,]*$/.test(t) && !t.includes(" | ") ? t : `(${t})`;
}

function wrapArrayItem(t: string): string {
  return /^[\w.$]+(\[\])*$/.test(t) ? t : `(${t})`;
}

function httpMethod(ep: Endpoint): string {
  if (ep.method.includes("*")) return "POST";
  return ep.method[0] ?? "POST";
}

interface Placement {
  name: string;
  wire: string;
  source: "path" | "query" | "header" | "cookie" | "body";
  required: boolean;
  schema: JSONSchema;
}

function placements(request: JSONSchema | null, method: string, streaming: boolean): Placement[] {
  if (!request) return [];
  const props = (request.properties ?? {}) as Record<string, JSONSchema>;
  const required = new Set((request.required as string[] | undefined) ?? []);
  const bodyAllowed = BODY_METHODS.has(method) && !streaming;
  return Object.entries(props).map(([name, schema]) => {
    let source = (schema["x-reprise-source"] as Placement["source"] | "httpStatus" | undefined) ?? "body";
    if (source === "httpStatus") source = "body";
    if (source === "body" && !bodyAllowed) source = "query";
    return { name, wire: (schema["x-reprise-name"] as string | undefined) ?? name, source, required: required.has(name), schema };
  });
}

function pathExpression(ep: Endpoint, params: string): string {
  if (!ep.pathSegments.length) return JSON.stringify(ep.path || "/");
  const parts = ep.pathSegments.map((seg) => {
    if (seg.type === "literal") return seg.value.replace(/[`\\$]/g, (c) => `\\${c}`);
    const value = access(params, seg.value);
    return seg.type === "param" ? `\${encodeURIComponent(String(${value}))}` : `\${encodeWildcard(${value})}`;
  });
  return "`/" + parts.join("/") + "`";
}

function record(entries: [string, string][]): string {
  return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(", ")} }`;
}

function endpointMethod(gen: Generator, ep: Endpoint, ns: string): { types: string[]; method: string } {
  const name = pascal(ep.name);
  const id = methodIdentifier(ep.name);
  const method = httpMethod(ep);
  const doc = docComment(ep.doc, "    ");
  const types: string[] = [];
  const requestSchema = gen.adopt(ep.streaming ? ep.handshake : ep.request);
  const fields = placements(requestSchema, method, ep.streaming !== null);
  const hasRequired = fields.some((f) => f.required) || ep.pathSegments.some((s) => s.type !== "literal");
  let paramsDecl = "";
  let paramsType = "";
  if (requestSchema && fields.length) {
    paramsType = `${ns}.${name}Request`;
    types.push(docComment(requestSchema.description, "  ") + declaration(`${name}Request`, gen.objectType(requestSchema, "  "), "  "));
    paramsDecl = hasRequired ? `params: ${paramsType}` : `params: ${paramsType} = {}`;
  } else if (ep.pathSegments.some((s) => s.type !== "literal")) {
    // Raw endpoints have no request type: their path parameters are strings.
    const segs = ep.pathSegments.filter((s) => s.type !== "literal");
    paramsType = `{ ${segs.map((s) => `${propKey(s.value)}: ${s.type === "param" ? "string | number" : "string | string[]"}`).join("; ")} }`;
    paramsDecl = `params: ${paramsType}`;
  }
  const path = pathExpression(ep, "params");
  const group = (source: Placement["source"]) => fields.filter((f) => f.source === source).map((f): [string, string] => [f.wire, access("params", f.name)]);
  const parts: string[] = [];
  for (const source of ["query", "header", "cookie"] as const) {
    const g = group(source);
    if (g.length) parts.push(`${source === "header" ? "headers" : source === "cookie" ? "cookies" : "query"}: ${record(g)}`);
  }
  const body = fields.filter((f) => f.source === "body");
  if (body.length) parts.push(`body: ${record(body.map((f) => [f.name, access("params", f.name)]))}`);
  const call = parts.length ? `{ ${parts.join(", ")} }` : "{}";

  if (ep.raw) {
    const sig = [paramsDecl, "init: RequestInit & { query?: Record<string, unknown> } = {}"].filter(Boolean).join(", ");
    const m = `${doc}    /** Raw endpoint: the handler writes the response itself, returned as is (a status >= 400 included). */\n    ${id}(${sig}): Promise<Response> {\n      return this.base.raw(${JSON.stringify(method)}, ${path}, init);\n    }`;
    return { types, method: m };
  }

  const responseSchema = gen.adopt(ep.response);
  const outType = responseSchema ? `${ns}.${name}Response` : "void";
  if (responseSchema) {
    // Response cookies (Set-Cookie) are not readable by a browser's fetch: they are left out of the client's type.
    const cookies = new Set(Object.entries((responseSchema.properties ?? {}) as Record<string, JSONSchema>).filter(([, p]) => p["x-reprise-source"] === "cookie").map(([n]) => n));
    types.push(docComment(responseSchema.description, "  ") + declaration(`${name}Response`, gen.objectType(responseSchema, "  ", cookies), "  "));
  }

  if (ep.streaming) {
    const inSchema = gen.adopt(ep.request);
    const inType = inSchema ? `${ns}.${name}Message` : "never";
    if (inSchema) types.push(docComment(inSchema.description, "  ") + declaration(`${name}Message`, gen.objectType(inSchema, "  "), "  "));
    const shape = responseSchema ? gen.dateShape(responseSchema) : null;
    const cls = ep.streaming === "in" ? `StreamIn<${inType}, ${outType}>` : ep.streaming === "out" ? `StreamOut<${outType}>` : `StreamInOut<${inType}, ${outType}>`;
    const ctor = ep.streaming === "in" ? "StreamIn" : ep.streaming === "out" ? "StreamOut" : "StreamInOut";
    const m = `${doc}    /** Streaming endpoint (WebSocket); resolves once the connection is open. */\n    async ${id}(${paramsDecl}): Promise<${cls}> {\n      const socket = await this.base.connect(${path}, ${call}, ${JSON.stringify(shape)});\n      return new ${ctor}(socket);\n    }`;
    return { types, method: m };
  }

  // Response fields read from headers and the status code; the rest is the JSON body.
  const respProps = (responseSchema?.properties ?? {}) as Record<string, JSONSchema>;
  const fromHeaders: [string, string][] = [];
  let statusField: string | null = null;
  for (const [n, p] of Object.entries(respProps)) {
    if (p["x-reprise-source"] === "header") {
      const t = Array.isArray(p.type) ? p.type : [p.type];
      const kind = t.includes("number") || t.includes("integer") ? "number" : t.includes("boolean") ? "boolean" : p.format === "date-time" ? "date" : "string";
      fromHeaders.push([n, JSON.stringify([(p["x-reprise-name"] as string | undefined) ?? n, kind])]);
    } else if (p["x-reprise-source"] === "httpStatus") statusField = n;
  }
  const bodyShape = responseSchema ? gen.dateShape({ ...responseSchema, properties: Object.fromEntries(Object.entries(respProps).filter(([, p]) => !p["x-reprise-source"] || p["x-reprise-source"] === "body")) }) : null;
  const decodeOpts: string[] = [];
  if (bodyShape) decodeOpts.push(`dates: ${JSON.stringify(bodyShape)}`);
  if (fromHeaders.length) decodeOpts.push(`headers: ${record(fromHeaders)}`);
  if (statusField) decodeOpts.push(`status: ${JSON.stringify(statusField)}`);
  const ret = responseSchema
    ? `return (await this.base.decode(resp, ${decodeOpts.length ? `{ ${decodeOpts.join(", ")} }` : "{}"})) as ${outType};`
    : `await resp.body?.cancel();`;
  const m = `${doc}    async ${id}(${paramsDecl}): Promise<${outType}> {\n      const resp = await this.base.call(${JSON.stringify(method)}, ${path}, ${call});\n      ${ret}\n    }`;
  return { types, method: m };
}

/** The generated module's text. Deterministic for a given model. */
export function generateTypeScriptClient(model: AppModel, options: TypeScriptClientOptions = {}): string {
  const services = [...model.app.services]
    .map((s) => ({ s, eps: [...s.endpoints].filter((e) => e.expose && !e.static).sort((a, b) => a.name.localeCompare(b.name)) }))
    .filter((x) => x.eps.length)
    .sort((a, b) => a.s.name.localeCompare(b.s.name));
  const reserved = new Set(RUNTIME_NAMES);
  const nsNames = new Map<string, string>();
  for (const { s } of services) {
    let id = serviceIdentifier(s.name);
    while ([...nsNames.values()].includes(id) || reserved.has(id)) id = `${id}_`;
    nsNames.set(s.name, id);
    reserved.add(id);
  }
  // Names declared inside service namespaces would shadow top-level types of the same name there.
  for (const { eps } of services) for (const e of eps) for (const suffix of ["Request", "Response", "Message"]) reserved.add(pascal(e.name) + suffix);
  reserved.add("ServiceClient");
  const gen = new Generator(model, reserved);

  const ah = model.app.authHandler;
  const authSchema = gen.adopt(ah?.params ?? null);
  const authFields = authSchema ? placements(authSchema, "GET", true).filter((f) => f.source !== "path") : [];

  // Every schema adopted first (adopting again later gives the same names), so the named types holding dates are
  // known before any response's date table is written.
  for (const { eps } of services) for (const e of eps) for (const sc of [e.request, e.response, e.handshake]) gen.adopt(sc);
  gen.computeDates();

  const namespaces: string[] = [];
  for (const { s, eps } of services) {
    const ns = nsNames.get(s.name)!;
    const types: string[] = [];
    const methods: string[] = [];
    for (const e of eps) {
      const out = endpointMethod(gen, e, ns);
      types.push(...out.types);
      methods.push(out.method);
    }
    namespaces.push(
      `${docComment(s.doc ?? `The ${s.name} service.`, "")}export namespace ${ns} {\n${types.map((t) => t + "\n").join("\n")}\n  export class ServiceClient {\n    constructor(private readonly base: BaseClient) {}\n\n${methods.join("\n\n")}\n  }\n}`,
    );
  }

  const defs = Object.entries(gen.defs)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => {
      const plainObject = s.type === "object" && !s.anyOf && !s.allOf && !s.$ref;
      return docComment(s.description, "") + (plainObject ? declaration(name, gen.objectType(s, ""), "") : `export type ${name} = ${gen.type(s)};`);
    });

  const authType = authSchema ? declaration("AuthParams", gen.objectType(authSchema, ""), "") : `/** The app has no auth handler. */\nexport type AuthParams = never;`;
  const authTable = JSON.stringify(authFields.map((f) => [f.name, f.source === "body" ? "query" : f.source, f.wire]));
  const dates = `const DATES: Record<string, DateShape> = ${JSON.stringify(Object.fromEntries(gen.dates))};`;
  const clientMembers = services.map(({ s }) => `  readonly ${nsNames.get(s.name)}: ${nsNames.get(s.name)}.ServiceClient;`);
  const clientInit = services.map(({ s }) => `    this.${nsNames.get(s.name)} = new ${nsNames.get(s.name)}.ServiceClient(base);`);
  const appName = model.app.id || "app";
  const wildcards = services.some(({ eps }) => eps.some((e) => e.pathSegments.some((s) => s.type === "wildcard" || s.type === "fallback")));
  const wildcardHelper = wildcards
    ? `function encodeWildcard(v: string | string[]): string {\n  return (Array.isArray(v) ? v : String(v).split("/")).map((s) => encodeURIComponent(s)).join("/");\n}\n`
    : "";

  return `// Client for the Reprise app '${appName}'. Generated by \`reprise gen client\`; do not edit, regenerate instead.
// No dependencies: fetch and WebSocket only (browsers, Node 20+, Deno).
/* eslint-disable */

/** Default base URL of \`new Client()\`. */
export const BASE_URL = ${JSON.stringify(options.baseUrl ?? "http://localhost:4000")};

${authType}

export interface ClientOptions {
  /** Auth data sent with every request the way the app's auth handler reads it; a function is called per request. */
  auth?: AuthParams | (() => AuthParams | undefined | Promise<AuthParams | undefined>);
  /** Headers added to every request. */
  headers?: Record<string, string>;
  /** The fetch to use (default: globalThis.fetch). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** The WebSocket constructor for streaming endpoints (default: globalThis.WebSocket; in Node 20 pass undici's). */
  WebSocket?: WebSocketConstructor;
  /** Passed to fetch: "include" to send the browser's cookies to another origin. */
  credentials?: "omit" | "same-origin" | "include";
}

/** Client of the app's exposed endpoints: \`new Client(BASE_URL, { auth })\`, then \`client.<service>.<endpoint>(params)\`. */
export class Client {
${clientMembers.join("\n")}

  constructor(baseUrl: string = BASE_URL, options: ClientOptions = {}) {
    const base = new BaseClient(baseUrl, options);
${clientInit.join("\n")}
  }
}

${defs.join("\n\n")}

${namespaces.join("\n\n")}

/** Error codes of a failed call (the HTTP status follows from the code). */
export type ErrCode =
  | "ok"
  | "canceled"
  | "unknown"
  | "invalid_argument"
  | "deadline_exceeded"
  | "not_found"
  | "already_exists"
  | "permission_denied"
  | "resource_exhausted"
  | "failed_precondition"
  | "aborted"
  | "out_of_range"
  | "unimplemented"
  | "internal"
  | "unavailable"
  | "data_loss"
  | "unauthenticated";

const STATUS_CODES: Record<number, ErrCode> = { 400: "invalid_argument", 401: "unauthenticated", 403: "permission_denied", 404: "not_found", 409: "already_exists", 412: "failed_precondition", 429: "resource_exhausted", 499: "canceled", 500: "internal", 501: "unimplemented", 503: "unavailable", 504: "deadline_exceeded" };

/** A failed call: the app's error code, message and details, and the HTTP status. */
export class APIError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrCode,
    message: string,
    readonly details?: Record<string, unknown> | null,
  ) {
    super(message);
    this.name = "APIError";
  }
}

async function errorOf(resp: Response): Promise<APIError> {
  const text = await resp.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown; details?: unknown };
    if (body && typeof body.code === "string") {
      return new APIError(resp.status, body.code as ErrCode, typeof body.message === "string" ? body.message : "", (body.details as Record<string, unknown> | null | undefined) ?? null);
    }
  } catch {
    // not JSON: described from the status below
  }
  return new APIError(resp.status, STATUS_CODES[resp.status] ?? "unknown", text || resp.statusText || \`HTTP \${resp.status}\`);
}

/** Where dates sit in a value: 1 = a date string; p = fields, i = array items, m = map values, r = named type, u = union. */
type DateShape = 1 | { p: Record<string, DateShape> } | { i: DateShape } | { m: DateShape } | { r: string } | { u: DateShape[] };

${dates}

function revive(v: unknown, s: DateShape | undefined): unknown {
  if (s === undefined || v === null || v === undefined) return v;
  if (s === 1) return typeof v === "string" ? new Date(v) : v;
  if ("r" in s) return revive(v, DATES[s.r]);
  if ("u" in s) {
    for (const b of s.u) v = revive(v, b);
    return v;
  }
  if ("i" in s) return Array.isArray(v) ? v.map((x) => revive(x, s.i)) : v;
  if (typeof v !== "object" || Array.isArray(v) || v instanceof Date) return v;
  const o = v as Record<string, unknown>;
  if ("m" in s) for (const k of Object.keys(o)) o[k] = revive(o[k], s.m);
  else for (const k of Object.keys(s.p)) if (k in o) o[k] = revive(o[k], s.p[k]);
  return o;
}

function wireValue(v: unknown): string {
  return v instanceof Date ? v.toISOString() : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
}

${wildcardHelper}
type Values = Record<string, unknown>;

interface CallParts {
  query?: Values;
  headers?: Values;
  cookies?: Values;
  body?: Values;
}

/** The parts of a WebSocket the streams use (the browser's, Deno's and undici's all have them). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: any) => void) | null;
  onmessage: ((ev: { data: any }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: any) => void) | null;
}

export type WebSocketConstructor = new (url: string, options?: any) => WebSocketLike;

const AUTH_FIELDS: [string, "query" | "header" | "cookie", string][] = ${authTable};

/** Shared by the service clients: URLs, auth, headers, errors and decoding. */
export class BaseClient {
  private readonly baseUrl: string;
  private readonly fetcher: (input: string, init: RequestInit) => Promise<Response>;

  constructor(
    baseUrl: string,
    private readonly options: ClientOptions,
  ) {
    this.baseUrl = baseUrl.replace(/\\/+$/, "");
    this.fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  private async parts(p: CallParts): Promise<{ query: URLSearchParams; headers: Record<string, string> }> {
    const query = new URLSearchParams();
    const headers: Record<string, string> = { ...this.options.headers };
    const cookies: string[] = [];
    const add = (where: "query" | "header" | "cookie", name: string, v: unknown) => {
      if (v === undefined || v === null) return;
      if (where === "query") for (const x of Array.isArray(v) ? v : [v]) query.append(name, wireValue(x));
      else if (where === "header") headers[name] = wireValue(v);
      else cookies.push(\`\${name}=\${encodeURIComponent(wireValue(v))}\`);
    };
    const auth = typeof this.options.auth === "function" ? await this.options.auth() : this.options.auth;
    if (auth) for (const [field, where, wire] of AUTH_FIELDS) add(where, wire, (auth as unknown as Values)[field]);
    for (const [k, v] of Object.entries(p.query ?? {})) add("query", k, v);
    for (const [k, v] of Object.entries(p.headers ?? {})) add("header", k, v);
    for (const [k, v] of Object.entries(p.cookies ?? {})) add("cookie", k, v);
    // Browsers do not let a page set Cookie; there the browser's own cookies travel instead (see \`credentials\`).
    if (cookies.length) headers["Cookie"] = cookies.join("; ");
    return { query, headers };
  }

  async call(method: string, path: string, p: CallParts): Promise<Response> {
    const { query, headers } = await this.parts(p);
    const init: RequestInit = { method, headers };
    if (this.options.credentials) init.credentials = this.options.credentials;
    if (p.body && Object.values(p.body).some((v) => v !== undefined)) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(p.body);
    }
    const qs = query.toString();
    const resp = await this.fetcher(this.baseUrl + path + (qs ? \`?\${qs}\` : ""), init);
    if (!resp.ok) throw await errorOf(resp);
    return resp;
  }

  async raw(method: string, path: string, init: RequestInit & { query?: Values }): Promise<Response> {
    const { query: extra, ...rest } = init;
    const { query, headers } = await this.parts({ query: extra });
    const merged = new Headers(headers);
    new Headers(rest.headers).forEach((v, k) => merged.set(k, v));
    const qs = query.toString();
    return this.fetcher(this.baseUrl + path + (qs ? \`?\${qs}\` : ""), { method, ...rest, headers: merged });
  }

  async decode(resp: Response, how: { dates?: DateShape; headers?: Record<string, [string, "string" | "number" | "boolean" | "date"]>; status?: string }): Promise<unknown> {
    const text = await resp.text();
    const body = (text ? JSON.parse(text) : {}) as Values;
    const out = revive(body, how.dates) as Values;
    for (const [field, [wire, kind]] of Object.entries(how.headers ?? {})) {
      const v = resp.headers.get(wire);
      if (v === null) continue;
      out[field] = kind === "number" ? Number(v) : kind === "boolean" ? v === "true" : kind === "date" ? new Date(v) : v;
    }
    if (how.status) out[how.status] = resp.status;
    return out;
  }

  async connect(path: string, p: CallParts, dates: DateShape | null): Promise<StreamSocket> {
    const WS = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new APIError(0, "unimplemented", "no WebSocket available: pass ClientOptions.WebSocket (in Node 20: undici's WebSocket)");
    const { query, headers } = await this.parts(p);
    const qs = query.toString();
    const url = this.baseUrl.replace(/^http/, "ws") + path + (qs ? \`?\${qs}\` : "");
    // Browsers cannot set headers on a WebSocket; undici and Deno take them as an option.
    const ws = Object.keys(headers).length ? new WS(url, { headers }) : new WS(url);
    const socket = new StreamSocket(ws, dates);
    await socket.opened;
    return socket;
  }
}

/** A WebSocket with a queue of received (revived) messages. */
export class StreamSocket {
  readonly opened: Promise<void>;
  private readonly queue: unknown[] = [];
  private readonly waiting: { resolve: (v: IteratorResult<unknown>) => void; reject: (e: unknown) => void }[] = [];
  private closed: APIError | null = null;

  constructor(
    readonly ws: WebSocketLike,
    private readonly dates: DateShape | null,
  ) {
    this.opened = new Promise((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new APIError(0, "unavailable", "the WebSocket connection failed (the handshake was refused or the server is unreachable)"));
    });
    this.opened.catch(() => undefined);
    ws.onmessage = (ev) => {
      let value: unknown;
      try {
        value = revive(JSON.parse(String(ev.data)), this.dates ?? undefined);
      } catch {
        return;
      }
      const w = this.waiting.shift();
      if (w) w.resolve({ value, done: false });
      else this.queue.push(value);
    };
    ws.onclose = (ev) => {
      this.closed = new APIError(0, ev.code === 1000 ? "canceled" : "unavailable", \`the stream closed (code \${ev.code}\${ev.reason ? \`: \${ev.reason}\` : ""})\`);
      for (const w of this.waiting.splice(0)) w.resolve({ value: undefined, done: true });
    };
  }

  send(msg: unknown): void {
    if (this.closed) throw this.closed;
    this.ws.send(JSON.stringify(msg));
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift(), done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async recv(): Promise<unknown> {
    const r = await this.next();
    if (r.done) throw this.closed;
    return r.value;
  }

  close(): void {
    this.ws.close(1000);
  }
}

/** A stream the client sends messages on; the endpoint answers once (\`response()\`). */
export class StreamIn<Request, Response> {
  constructor(private readonly socket: StreamSocket) {}
  send(msg: Request): void {
    this.socket.send(msg);
  }
  /** The endpoint's single answer; rejects with an APIError when the stream closes without one. */
  async response(): Promise<Response> {
    return (await this.socket.recv()) as Response;
  }
  close(): void {
    this.socket.close();
  }
}

/** A stream the endpoint sends messages on: \`for await (const msg of stream)\` or \`recv()\`. */
export class StreamOut<Response> {
  constructor(private readonly socket: StreamSocket) {}
  /** The next message; rejects with an APIError once the stream is closed. */
  async recv(): Promise<Response> {
    return (await this.socket.recv()) as Response;
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<Response, void, undefined> {
    for (;;) {
      const r = await this.socket.next();
      if (r.done) return;
      yield r.value as Response;
    }
  }
  close(): void {
    this.socket.close();
  }
}

/** A stream both ways: \`send()\` messages, read with \`for await\` or \`recv()\`. */
export class StreamInOut<Request, Response> extends StreamOut<Response> {
  constructor(private readonly sock: StreamSocket) {
    super(sock);
  }
  send(msg: Request): void {
    this.sock.send(msg);
  }
}
`;
}
