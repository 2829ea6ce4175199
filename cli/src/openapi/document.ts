/**
 * App model v1 → OpenAPI 3.1 document of the exposed endpoints. Pure (no IO): the schemas come straight from the
 * analyzer (JSON Schema 2020-12 is OpenAPI 3.1's schema dialect), split by their `x-reprise-source` marks into
 * parameters, request body, response headers and response body; every `$defs` entry becomes one
 * `components/schemas` entry (renamed `Name_2`, … when two different types share a name).
 */
import type { AppModel, Endpoint, JSONSchema, Service } from "@reprise/protocol";

export type OpenApiDocument = { openapi: "3.1.0"; [key: string]: unknown };

const OPERATION_METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;
const STAR_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE"];
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

export interface OpenApiOptions {
  title?: string;
  version?: string;
}

/** The error body Reprise (like Encore) returns for a failed call. */
const API_ERROR: JSONSchema = {
  type: "object",
  description: "Error returned by a failed call (HTTP status matches the code).",
  properties: {
    code: { type: "string", description: "Error code, e.g. not_found, invalid_argument, unauthenticated." },
    message: { type: "string" },
    details: { description: "Additional details, if any." },
  },
  required: ["code", "message"],
};

export function buildOpenApi(model: AppModel, options: OpenApiOptions = {}): OpenApiDocument {
  const components = new ComponentRegistry();
  const paths: Record<string, Record<string, unknown>> = {};
  const security = securityFor(model);
  for (const svc of [...model.app.services].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const ep of [...svc.endpoints].sort((a, b) => a.name.localeCompare(b.name))) {
      if (!ep.expose || ep.static) continue;
      const path = openApiPath(ep);
      const methods = (ep.method.includes("*") ? STAR_METHODS : ep.method).filter((m): m is (typeof OPERATION_METHODS)[number] => (OPERATION_METHODS as readonly string[]).includes(m));
      const item = (paths[path] ??= {});
      for (const m of methods) {
        const op = operation(svc, ep, m, methods.length > 1, components, security);
        item[m.toLowerCase()] = op;
      }
    }
  }
  const doc: OpenApiDocument = {
    openapi: "3.1.0",
    info: { title: options.title ?? model.app.id ?? "app", version: options.version ?? "0.0.0" },
    paths,
    components: {
      schemas: { ...components.schemas, APIError: API_ERROR },
      ...(security ? { securitySchemes: security.schemes } : {}),
    },
  };
  const tags = model.app.services
    .filter((s) => s.endpoints.some((e) => e.expose && !e.static))
    .map((s) => ({ name: s.name, ...(s.doc ? { description: s.doc } : {}) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (tags.length) doc.tags = tags;
  return doc;
}

function openApiPath(ep: Endpoint): string {
  if (!ep.pathSegments.length) return ep.path || "/";
  return "/" + ep.pathSegments.map((s) => (s.type === "literal" ? s.value : `{${s.value}}`)).join("/");
}

function operation(svc: Service, ep: Endpoint, method: string, several: boolean, components: ComponentRegistry, security: Security | null): Record<string, unknown> {
  const op: Record<string, unknown> = {
    operationId: several ? `${svc.name}.${ep.name}.${method.toLowerCase()}` : `${svc.name}.${ep.name}`,
    tags: [svc.name],
  };
  if (ep.doc) {
    const [first, ...rest] = ep.doc.trim().split(/\r?\n/);
    op.summary = first.trim();
    if (rest.join("\n").trim()) op.description = ep.doc.trim();
  }
  const parameters: Record<string, unknown>[] = [];
  const request = ep.streaming ? ep.handshake : ep.request;
  const req = request ? components.adopt(request) : null;
  const reqProps = (req?.properties ?? {}) as Record<string, JSONSchema>;
  const required = new Set((req?.required as string[] | undefined) ?? []);
  const hasBody = BODY_METHODS.has(method) && !ep.streaming;
  const body: { properties: Record<string, JSONSchema>; required: string[] } = { properties: {}, required: [] };
  // Path params first, in path order, even when the request type is absent (raw endpoints: strings).
  for (const seg of ep.pathSegments) {
    if (seg.type === "literal") continue;
    const schema = reqProps[seg.value] ? clean(reqProps[seg.value]) : { type: seg.valueType === "int" ? "integer" : seg.valueType === "boolean" ? "boolean" : "string" };
    parameters.push({ name: seg.value, in: "path", required: true, schema: withoutDescription(schema), ...descriptionOf(reqProps[seg.value]) });
  }
  for (const [name, prop] of Object.entries(reqProps)) {
    const source = prop["x-reprise-source"];
    const wireName = (prop["x-reprise-name"] as string | undefined) ?? name;
    if (source === "path") continue;
    if (source === "query" || source === "header" || source === "cookie" || (source === "body" && !hasBody)) {
      const schema = clean(prop);
      parameters.push({ name: wireName, in: source === "body" ? "query" : source, required: required.has(name), schema: withoutDescription(schema), ...descriptionOf(prop), ...(Array.isArray(schema.type) ? {} : schema.type === "array" ? { explode: true } : {}) });
    } else if (source === "body") {
      body.properties[name] = clean(prop);
      if (required.has(name)) body.required.push(name);
    }
  }
  if (parameters.length) op.parameters = parameters;
  if (hasBody && Object.keys(body.properties).length) {
    op.requestBody = {
      required: body.required.length > 0,
      content: { "application/json": { schema: objectSchema(body, req?.description as string | undefined) } },
    };
  }
  op.responses = responses(ep, components);
  if (ep.auth && security) op.security = [security.requirement];
  if (ep.streaming) op["x-reprise-streaming"] = ep.streaming;
  if (ep.raw) op["x-reprise-raw"] = true;
  return op;
}

function responses(ep: Endpoint, components: ComponentRegistry): Record<string, unknown> {
  const error = { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/APIError" } } } };
  if (ep.raw) return { default: { description: "Raw response written by the handler" } };
  const resp = ep.response ? components.adopt(ep.response) : null;
  if (!resp) return { "200": { description: "Success (no body)" }, default: error };
  const props = (resp.properties ?? {}) as Record<string, JSONSchema>;
  const required = new Set((resp.required as string[] | undefined) ?? []);
  const body: { properties: Record<string, JSONSchema>; required: string[] } = { properties: {}, required: [] };
  const headers: Record<string, unknown> = {};
  let dynamicStatus = false;
  for (const [name, prop] of Object.entries(props)) {
    const source = prop["x-reprise-source"];
    if (source === "header") headers[(prop["x-reprise-name"] as string | undefined) ?? name] = { schema: withoutDescription(clean(prop)), required: required.has(name), ...descriptionOf(prop) };
    else if (source === "httpStatus") dynamicStatus = true;
    else if (source === "cookie") headers["Set-Cookie"] = { schema: { type: "string" }, description: `Sets the cookie '${(prop["x-reprise-name"] as string | undefined) ?? name}'.` };
    else {
      body.properties[name] = clean(prop);
      if (required.has(name)) body.required.push(name);
    }
  }
  const ok: Record<string, unknown> = {
    description: dynamicStatus ? "Success (the handler may set another status code)" : "Success",
    content: { "application/json": { schema: objectSchema(body, resp.description as string | undefined) } },
  };
  if (Object.keys(headers).length) ok.headers = headers;
  return { "200": ok, default: error };
}

function objectSchema(body: { properties: Record<string, JSONSchema>; required: string[] }, description?: string): JSONSchema {
  const s: JSONSchema = { type: "object", properties: body.properties };
  if (body.required.length) s.required = body.required;
  if (description) s.description = description;
  return s;
}

/** A top-level property without Reprise's placement marks (they are expressed by the OpenAPI structure). */
function clean(prop: JSONSchema): JSONSchema {
  const { ["x-reprise-source"]: _s, ["x-reprise-name"]: _n, ...rest } = prop;
  return rest;
}

function withoutDescription(s: JSONSchema): JSONSchema {
  const { description: _d, ...rest } = s;
  return rest;
}

function descriptionOf(s: JSONSchema | undefined): { description?: string } {
  return s && typeof s.description === "string" ? { description: s.description } : {};
}

interface Security {
  schemes: Record<string, unknown>;
  requirement: Record<string, string[]>;
}

/** One apiKey scheme per auth-handler parameter (header, query or cookie), required together. */
function securityFor(model: AppModel): Security | null {
  const params = model.app.authHandler?.params;
  if (!params) return null;
  const props = (params.properties ?? {}) as Record<string, JSONSchema>;
  const required = new Set((params.required as string[] | undefined) ?? []);
  const schemes: Record<string, unknown> = {};
  const requirement: Record<string, string[]> = {};
  for (const [name, prop] of Object.entries(props)) {
    const source = prop["x-reprise-source"];
    const wire = (prop["x-reprise-name"] as string | undefined) ?? name;
    const where = source === "header" || source === "cookie" ? source : "query";
    const key = `${model.app.authHandler!.name}.${name}`;
    if (where === "header" && wire.toLowerCase() === "authorization") schemes[key] = { type: "http", scheme: "bearer", description: "Authorization header read by the auth handler" };
    else schemes[key] = { type: "apiKey", in: where, name: wire, description: `Read by the auth handler '${model.app.authHandler!.name}'` };
    if (required.has(name) || Object.keys(props).length === 1) requirement[key] = [];
  }
  if (!Object.keys(schemes).length) return null;
  if (!Object.keys(requirement).length) requirement[Object.keys(schemes)[0]] = [];
  return { schemes, requirement };
}

/**
 * Moves each schema's `$defs` into components/schemas, sharing identical definitions and renaming clashes (and
 * names in `reserved`, which the caller uses for something else). Also used by the TypeScript client generator.
 */
export class ComponentRegistry {
  readonly schemas: Record<string, JSONSchema> = {};
  private readonly byContent = new Map<string, string>();

  constructor(private readonly reserved: ReadonlySet<string> = new Set(["APIError"])) {}

  adopt(schema: JSONSchema): JSONSchema {
    const defs = (schema.$defs ?? {}) as Record<string, JSONSchema>;
    const rename = new Map<string, string>();
    for (const [name, def] of Object.entries(defs)) {
      const key = `${name}\0${JSON.stringify(def)}`;
      let global = this.byContent.get(key);
      if (!global) {
        global = name;
        for (let i = 2; global in this.schemas || this.reserved.has(global); i++) global = `${name}_${i}`;
        this.byContent.set(key, global);
        this.schemas[global] = {}; // reserved; filled below once refs are rewritten
      }
      rename.set(name, global);
    }
    for (const [name, def] of Object.entries(defs)) {
      const global = rename.get(name)!;
      if (Object.keys(this.schemas[global]).length === 0) this.schemas[global] = rewrite(def, rename) as JSONSchema;
    }
    const { $defs: _d, ...rest } = schema;
    return rewrite(rest, rename) as JSONSchema;
  }
}

function rewrite(v: unknown, rename: Map<string, string>): unknown {
  if (Array.isArray(v)) return v.map((x) => rewrite(x, rename));
  if (!v || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === "$ref" && typeof x === "string" && x.startsWith("#/$defs/")) {
      const name = decodeURIComponent(x.slice("#/$defs/".length));
      out[k] = `#/components/schemas/${rename.get(name) ?? name}`;
    } else out[k] = rewrite(x, rename);
  }
  return out;
}
