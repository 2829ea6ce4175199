/**
 * Endpoints in the app model: default paths, schemas (through the schema builder), path-parameter checks,
 * static directories, per-service name and route uniqueness, and cross-service route overlaps.
 */
import type { Diagnostic, Endpoint, JSONSchema, PathSegment, Range, Service } from "@reprise/protocol";
import { makeDiagnostic } from "../diagnostics/define.js";
import { D } from "../diagnostics/catalogue.js";
import type { EndpointDecl, FileFacts } from "../facts.js";
import { STREAMING } from "../facts.js";
import { parsePath, pathParams } from "../paths.js";
import { dirname, joinPath } from "../resolve.js";
import type { SchemaResultLike, SchemaRole, SchemaRequestContext } from "../schema-bridge.js";
import type { LinkContext } from "./context.js";
import { pathString, routeShape, sharedMethod } from "./routes.js";
import type { Node } from "../ast.js";

export interface SchemaSource {
  /** `ctx` is only evaluated when the schema is not cached. */
  get(file: string, key: string, type: Node, role: SchemaRole, ctx?: () => SchemaRequestContext): SchemaResultLike;
  /** Changes whenever the cached schemas of the file are dropped. */
  epoch(file: string): number;
  /** Re-reports the diagnostics of a cached result that the caller reuses without calling get. */
  replay(result: SchemaResultLike): void;
}

/** Folders a caller never passes (build output), so a static dir inside them cannot be checked. */
const UNCHECKED_DIRS = new Set(["node_modules", ".git", "dist", "build", ".reprise", "encore.gen", "out", "public-build"]);

export interface EndpointEntry {
  decl: EndpointDecl;
  file: string;
  /** Index of the declaration in its file's facts. */
  index: number;
  endpoint: Endpoint;
  segments: PathSegment[];
  /** The owning service's name. */
  service: string;
  shape: string;
  nameKey: string;
}

interface MemoEntry {
  service: string;
  epoch: number;
  shape: string;
  /** The schema results the endpoint was built from (identity changes when the cache was invalidated). */
  schemas: (SchemaResultLike | null)[];
  /** Whether the input paths were the same set (static dirs are checked against them). */
  paths: ReadonlySet<string>;
  endpoint: Endpoint | null;
  segments: PathSegment[];
  diagnostics: Diagnostic[];
  /** The link entry, reused while the memo holds. */
  entry: EndpointEntry | null;
}

/**
 * Per-declaration memo across links: an endpoint whose declaration (facts object), service and schema results
 * are unchanged reuses its model object and diagnostics, so a one-file edit does not rebuild every endpoint.
 */
const memo = new WeakMap<EndpointDecl, MemoEntry>();

/** One service's endpoint files as seen by this link: the facts objects and their schema epochs, in path order. */
interface ServiceGroup {
  name: string;
  files: FileFacts[];
  epochs: number[];
}

/** A service's linked endpoints, reused by the next link while its files' facts and schema epochs are unchanged. */
interface ServiceMemo {
  files: FileFacts[];
  epochs: number[];
  /** The input path set when the service has a static endpoint (its dir check reads it), else null. */
  paths: ReadonlySet<string> | null;
  endpoints: Endpoint[];
  entries: EndpointEntry[];
  /** Endpoint and same-service name diagnostics, and route conflicts of private endpoints. */
  diagnostics: Diagnostic[];
  /** Schema results the endpoints were built from, re-reported on reuse. */
  schemaResults: SchemaResultLike[];
  /** Exposed endpoints, for the cross-service route check. */
  exposed: EndpointEntry[];
  byDecl: Map<EndpointDecl, EndpointEntry>;
  /** Names of the endpoints a service client can call (all but static ones). */
  callable: Set<string>;
  /** Endpoints declaring `auth: true`. */
  auth: EndpointEntry[];
  /** Same-service route conflicts of exposed endpoints: an earlier cross-service overlap takes precedence. */
  pending: Map<EndpointEntry, { other: EndpointEntry; diagnostic: Diagnostic }>;
}

/**
 * Link state kept by the Analyzer between links: per-service endpoint results and the cross-service route check.
 * A one-file edit rebuilds only the service that owns the file (and reruns the cross-service check over exposed
 * endpoints only when some service was rebuilt).
 */
export class EndpointLinkMemo {
  readonly services = new Map<string, ServiceMemo>();
  cross: { memos: ServiceMemo[]; diagnostics: Diagnostic[] } | null = null;
}

/** The endpoints of one link, looked up per service (no app-wide list is built on an edit). */
export interface LinkedEndpoints {
  /** The linked entry of a declaration of `file` (undefined when it did not make it into the model). */
  entryOf(decl: EndpointDecl, file: string): EndpointEntry | undefined;
  /** Endpoint names a client of the service can call. */
  callable(service: string): ReadonlySet<string>;
  /** Every endpoint declaring `auth: true`. */
  withAuth(): Iterable<EndpointEntry>;
}

const NONE: ReadonlySet<string> = new Set();

export function linkEndpoints(lc: LinkContext, files: FileFacts[], services: Map<string, Service>, schemas: SchemaSource, state: EndpointLinkMemo = new EndpointLinkMemo()): LinkedEndpoints {
  const groups = new Map<string, ServiceGroup>();
  for (const f of files) {
    if (!f.endpoints.length) continue;
    const root = lc.serviceOf(f.path);
    if (!root) continue;
    let g = groups.get(root.name);
    if (!g) groups.set(root.name, (g = { name: root.name, files: [], epochs: [] }));
    g.files.push(f);
    g.epochs.push(schemas.epoch(f.path));
  }
  const used: ServiceMemo[] = [];
  for (const g of groups.values()) {
    let m = state.services.get(g.name);
    if (m && sameGroup(m, g, lc.paths)) {
      for (const r of m.schemaResults) schemas.replay(r);
    } else {
      m = linkService(lc, g, schemas);
      state.services.set(g.name, m);
    }
    used.push(m);
    services.get(g.name)!.endpoints = m.endpoints;
    for (const d of m.diagnostics) lc.diagnostics.push(d);
  }
  for (const name of state.services.keys()) if (!groups.has(name)) state.services.delete(name);
  const prev = state.cross;
  if (!prev || prev.memos.length !== used.length || prev.memos.some((m, i) => m !== used[i])) state.cross = { memos: used, diagnostics: crossServiceRoutes(used) };
  for (const d of state.cross!.diagnostics) lc.diagnostics.push(d);
  const byService = new Map<string, ServiceMemo>();
  for (const g of groups.values()) byService.set(g.name, state.services.get(g.name)!);
  return {
    entryOf: (decl, file) => {
      const root = lc.serviceOf(file);
      return root ? byService.get(root.name)?.byDecl.get(decl) : undefined;
    },
    callable: (service) => byService.get(service)?.callable ?? NONE,
    *withAuth() {
      for (const m of byService.values()) yield* m.auth;
    },
  };
}

function sameGroup(m: ServiceMemo, g: ServiceGroup, paths: ReadonlySet<string>): boolean {
  if (m.files.length !== g.files.length || (m.paths !== null && m.paths !== paths)) return false;
  for (let i = 0; i < g.files.length; i++) if (m.files[i] !== g.files[i] || m.epochs[i] !== g.epochs[i]) return false;
  return true;
}

function linkService(lc: LinkContext, g: ServiceGroup, schemas: SchemaSource): ServiceMemo {
  const out: ServiceMemo = { files: g.files, epochs: g.epochs, paths: null, endpoints: [], entries: [], diagnostics: [], schemaResults: [], exposed: [], byDecl: new Map(), callable: new Set(), auth: [], pending: new Map() };
  for (let k = 0; k < g.files.length; k++) {
    const f = g.files[k];
    const epoch = g.epochs[k];
    for (let i = 0; i < f.endpoints.length; i++) {
      const d = f.endpoints[i];
      if (d.static) out.paths = lc.paths;
      let m = memo.get(d);
      if (m && m.service === g.name && m.epoch === epoch && (!d.static || m.paths === lc.paths)) {
        for (const r of m.schemas) if (r) schemas.replay(r);
      } else {
        const wantsSchemas = d.kind !== "raw" && d.kind !== "static";
        const got = wantsSchemas ? schemaResults(schemas, f.path, i, d) : [null, null, null];
        m = buildEndpoint(lc, f.path, d, g.name, got);
        m.epoch = epoch;
        memo.set(d, m);
      }
      for (const r of m.schemas) if (r) out.schemaResults.push(r);
      for (const x of m.diagnostics) out.diagnostics.push(x);
      if (!m.endpoint) continue;
      out.endpoints.push(m.endpoint);
      const e = (m.entry ??= { decl: d, file: f.path, index: i, endpoint: m.endpoint, segments: m.segments, service: g.name, shape: m.shape, nameKey: `${g.name}\u0000${d.name}` });
      out.entries.push(e);
      out.byDecl.set(d, e);
      if (!m.endpoint.static) out.callable.add(m.endpoint.name);
      if (d.auth && d.authRange) out.auth.push(e);
    }
  }
  checkServiceUniqueness(out);
  return out;
}

/** Whether endpoint a comes before b in path-then-source order (the order the conflict checks report in). */
function before(a: EndpointEntry, b: EndpointEntry): boolean {
  return a.file < b.file || (a.file === b.file && a.index < b.index);
}

const KEYS: string[][] = [];
const keysFor = (i: number) => (KEYS[i] ??= [`ep${i}:handshake`, `ep${i}:request`, `ep${i}:response`]);

function schemaResults(schemas: SchemaSource, file: string, i: number, d: EndpointDecl): (SchemaResultLike | null)[] {
  const ctx = (): SchemaRequestContext => ({ methods: d.methods, pathParams: d.segments ? pathParams(d.segments) : [] });
  const [kh, kq, kr] = keysFor(i);
  const hs = d.handshakeType ? schemas.get(file, kh, d.handshakeType, "handshake", ctx) : null;
  const rq = d.requestType ? schemas.get(file, kq, d.requestType, d.kind === "api" ? "request" : "message", d.kind === "api" ? ctx : undefined) : null;
  const rs = d.responseType ? schemas.get(file, kr, d.responseType, d.kind === "api" ? "response" : "message") : null;
  return [hs, rq, rs];
}

function buildEndpoint(lc: LinkContext, file: string, d: EndpointDecl, service: string, [hs, rq, rs]: (SchemaResultLike | null)[]): MemoEntry {
  const diagnostics: Diagnostic[] = [];
  const report = (def: Parameters<LinkContext["report"]>[0], range: Range, message: string, extras: Parameters<LinkContext["report"]>[4] = {}) =>
    diagnostics.push(makeDiagnostic(def, file, range, message, extras));
  const entry: MemoEntry = { service, epoch: -1, shape: "", entry: null, schemas: [hs, rq, rs], paths: lc.paths, endpoint: null, segments: [], diagnostics };
  let segments = d.segments;
  let path = d.path;
  if (path === null) {
    path = `/${service}.${d.name}`;
    const parsed = parsePath(path);
    if (parsed.problems.length) {
      report(D.DefaultPathInvalid, d.nameRange, `No path is given, so the endpoint defaults to "${path}", which is not a valid path (${parsed.problems[0].message}). Set 'path' explicitly.`);
      return entry;
    }
    segments = parsed.segments;
  }
  if (path === "<invalid>" || !segments) return entry;
  segments = segments.map((s) => ({ ...s }));
  const params = pathParams(segments);
  const request = rq?.schema ?? null;
  if (d.kind !== "raw" && d.kind !== "static") {
    const fields = d.kind === "api" ? (rq ? rq.fields : d.hasRequest ? null : []) : hs ? hs.fields : rq ? rq.fields : d.hasRequest ? null : [];
    if (params.length && d.kind === "api" && !d.hasRequest) {
      report(D.PathParamsNoRequest, d.pathRange ?? d.nameRange, `The path has parameter${params.length > 1 ? "s" : ""} ${params.map((p) => `'${p}'`).join(", ")} but the handler has no request type; add one, e.g. async ({ ${params.join(", ")} }: { ${params.map((p) => `${p}: string`).join("; ")} }) => ...`);
    } else if (params.length && fields) {
      const missing = params.filter((p) => !fields.includes(p));
      if (missing.length) {
        report(D.PathParamNotInRequest, d.pathRange ?? d.nameRange, `Path parameter${missing.length > 1 ? "s" : ""} ${missing.map((p) => `'${p}'`).join(", ")} ${missing.length > 1 ? "are" : "is"} missing from the ${d.kind === "api" ? "request" : "handshake"} type; add ${missing.map((p) => `'${p}: string'`).join(", ")} to it.`);
      }
    }
    const typed = request ?? hs?.schema ?? null;
    if (typed) for (const seg of segments) {
      if (seg.type !== "param") continue;
      const t = (typed.properties as Record<string, JSONSchema> | undefined)?.[seg.value]?.type;
      if (t === "integer" || t === "number") seg.valueType = "int";
      else if (t === "boolean") seg.valueType = "boolean";
    }
  }
  let staticAssets: Endpoint["static"] = null;
  if (d.static) {
    const base = dirname(file);
    const dir = joinPath(base, d.static.dir);
    if (dir === null || d.static.dir.startsWith("/")) {
      report(D.StaticPathOutside, d.static.dirRange, `'dir' must be a relative path inside the app (no absolute path, no '..' above the app root): '${d.static.dir}'.`);
    } else {
      const unchecked = dir.split("/").some((p) => UNCHECKED_DIRS.has(p));
      if (!unchecked && !hasUnder(lc, dir)) {
        report(D.StaticDirMissing, d.static.dirRange, `No files found in '${dir || "."}'; create the folder or fix 'dir' (it is relative to ${file}).`);
      }
      let nf: string | null = null;
      if (d.static.notFound) {
        nf = joinPath(base, d.static.notFound);
        if (nf === null) report(D.StaticPathOutside, d.static.notFoundRange!, `'notFound' must be a relative path inside the app: '${d.static.notFound}'.`);
        else if (!nf.split("/").some((p) => UNCHECKED_DIRS.has(p)) && !lc.paths.has(nf)) {
          report(D.StaticNotFoundMissing, d.static.notFoundRange!, `The notFound file '${nf}' does not exist.`);
        }
      }
      staticAssets = { dir, notFound: nf, notFoundStatus: d.static.notFoundStatus };
    }
  }
  if (!d.exported && d.bindName) {
    report(D.EndpointNotExported, d.nameRange, `Endpoint '${d.name}' must be exported so the runtime can load its handler: export const ${d.name} = ...`, {
      fixes: d.statementStart ? [{ title: "Add 'export'", edits: [{ file, range: { start: d.statementStart, end: d.statementStart }, newText: "export " }], isPreferred: true }] : [],
    });
  }
  entry.segments = segments;
  entry.shape = routeShape(segments);
  entry.endpoint = {
    name: d.name,
    service,
    method: [...d.methods],
    path,
    pathSegments: segments,
    expose: d.expose,
    auth: d.auth,
    raw: d.kind === "raw",
    streaming: STREAMING[d.kind],
    static: staticAssets,
    bodyLimit: d.bodyLimit,
    tags: d.tags,
    sensitive: d.sensitive,
    doc: d.doc,
    exported: d.exported,
    request,
    response: rs?.schema ?? null,
    handshake: hs?.schema ?? null,
    location: d.location,
  };
  return entry;
}

function hasUnder(lc: LinkContext, dir: string): boolean {
  if (dir === "") return lc.paths.size > 0;
  const prefix = dir + "/";
  for (const p of lc.paths) if (p.startsWith(prefix)) return true;
  return false;
}

function routeConflict(a: EndpointEntry, b: EndpointEntry, m: string): Diagnostic {
  return makeDiagnostic(D.RouteConflict, b.file, b.decl.pathRange ?? b.decl.nameRange, `${m} ${pathString(b.segments)} conflicts with endpoint '${a.decl.name}' (${m} ${a.endpoint.path}) in service '${b.service}'; change the path or method of one of them.`, {
    related: [{ location: { file: a.file, range: a.decl.pathRange ?? a.decl.nameRange }, message: `'${a.decl.name}' is declared here` }],
  });
}

/**
 * Names, then routes, within one service. Two routes conflict exactly when their shapes are equal (routes.ts), so
 * grouping by shape keeps this linear in the number of endpoints. Each endpoint reports its first conflict only.
 */
function checkServiceUniqueness(out: ServiceMemo): void {
  const names = new Map<string, EndpointEntry>();
  const shapes = new Map<string, EndpointEntry[]>();
  for (const e of out.entries) {
    if (e.endpoint.expose) out.exposed.push(e);
    const prev = names.get(e.nameKey);
    if (prev) {
      out.diagnostics.push(makeDiagnostic(D.DuplicateEndpoint, e.file, e.decl.nameRange, `Endpoint name '${e.decl.name}' is already used in service '${e.service}'; rename one of them.`, {
        related: [{ location: { file: prev.file, range: prev.decl.nameRange }, message: "first defined here" }],
      }));
    } else names.set(e.nameKey, e);
    const list = shapes.get(e.shape);
    if (list) list.push(e);
    else shapes.set(e.shape, [e]);
  }
  for (const list of shapes.values()) {
    for (let i = 1; i < list.length; i++) {
      const b = list[i];
      for (let j = 0; j < i; j++) {
        const a = list[j];
        const m = sharedMethod(a.endpoint.method, b.endpoint.method);
        if (!m) continue;
        const diagnostic = routeConflict(a, b, m);
        // An exposed endpoint may overlap an earlier exposed endpoint of another service first (crossServiceRoutes).
        if (b.endpoint.expose) out.pending.set(b, { other: a, diagnostic });
        else out.diagnostics.push(diagnostic);
        break;
      }
    }
  }
}

/**
 * Across services only exposed endpoints share the gateway's router. For each exposed endpoint this reports its
 * first conflict in path-then-source order: an overlap with another service's exposed endpoint, or the
 * same-service conflict found by checkServiceUniqueness when that one comes first.
 */
function crossServiceRoutes(memos: ServiceMemo[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const shapes = new Map<string, EndpointEntry[]>();
  for (const m of memos) for (const e of m.exposed) {
    const list = shapes.get(e.shape);
    if (list) list.push(e);
    else shapes.set(e.shape, [e]);
  }
  const cross = new Map<EndpointEntry, { other: EndpointEntry; diagnostic: Diagnostic }>();
  for (const list of shapes.values()) {
    if (list.length < 2 || list.every((e) => e.service === list[0].service)) continue;
    list.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    for (let i = 1; i < list.length; i++) {
      const b = list[i];
      for (let j = 0; j < i; j++) {
        const a = list[j];
        if (a.service === b.service) continue;
        const m = sharedMethod(a.endpoint.method, b.endpoint.method);
        if (!m) continue;
        cross.set(b, {
          other: a,
          diagnostic: makeDiagnostic(D.CrossServiceRouteConflict, b.file, b.decl.pathRange ?? b.decl.nameRange, `${m} ${b.endpoint.path} overlaps exposed endpoint '${a.service}.${a.decl.name}' (${a.endpoint.path}); both are served by the same gateway. Give one a distinct path.`, {
            related: [{ location: { file: a.file, range: a.decl.pathRange ?? a.decl.nameRange }, message: `'${a.service}.${a.decl.name}' is declared here` }],
          }),
        });
        break;
      }
    }
  }
  const settled = new Set<EndpointEntry>();
  for (const m of memos) for (const [b, local] of m.pending) {
    const c = cross.get(b);
    out.push(c && before(c.other, local.other) ? c.diagnostic : local.diagnostic);
    settled.add(b);
  }
  for (const [b, c] of cross) if (!settled.has(b)) out.push(c.diagnostic);
  return out;
}
