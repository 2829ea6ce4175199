/**
 * Endpoints in the app model: default paths, schemas (through the schema builder), path-parameter checks,
 * static directories, per-service name and route uniqueness, and cross-service route overlaps.
 */
import type { Endpoint, JSONSchema, PathSegment, Service } from "@reprise/protocol";
import { D } from "../diagnostics/catalogue.js";
import type { EndpointDecl, FileFacts } from "../facts.js";
import { STREAMING } from "../facts.js";
import { parsePath, pathParams } from "../paths.js";
import { dirname, joinPath } from "../resolve.js";
import type { SchemaResultLike, SchemaRole, SchemaRequestContext } from "../schema-bridge.js";
import type { LinkContext } from "./context.js";
import { pathString, routesConflict, sharedMethod } from "./routes.js";
import type { Node } from "../ast.js";

export interface SchemaSource {
  get(file: string, key: string, type: Node, role: SchemaRole, ctx?: SchemaRequestContext): SchemaResultLike;
}

/** Folders a caller never passes (build output), so a static dir inside them cannot be checked. */
const UNCHECKED_DIRS = new Set(["node_modules", ".git", "dist", "build", ".reprise", "encore.gen", "out", "public-build"]);

export interface EndpointEntry {
  decl: EndpointDecl;
  file: string;
  endpoint: Endpoint;
  segments: PathSegment[];
  service: Service;
}

export function linkEndpoints(lc: LinkContext, files: FileFacts[], services: Map<string, Service>, schemas: SchemaSource): EndpointEntry[] {
  const entries: EndpointEntry[] = [];
  for (const f of files) {
    f.endpoints.forEach((d, i) => {
      const root = lc.serviceOf(f.path);
      if (!root) return;
      const svc = services.get(root.name)!;
      let segments = d.segments;
      let path = d.path;
      if (path === null) {
        path = `/${root.name}.${d.name}`;
        const parsed = parsePath(path);
        if (parsed.problems.length) {
          lc.report(D.DefaultPathInvalid, f.path, d.nameRange, `No path is given, so the endpoint defaults to "${path}", which is not a valid path (${parsed.problems[0].message}). Set 'path' explicitly.`);
          return;
        }
        segments = parsed.segments;
      }
      if (path === "<invalid>" || !segments) return;
      const params = pathParams(segments);
      const ctx: SchemaRequestContext = { methods: d.methods, pathParams: params };
      let request: JSONSchema | null = null;
      let response: JSONSchema | null = null;
      let handshake: JSONSchema | null = null;
      let fields: string[] | null = null;
      const run = (key: string, type: Node | null, role: SchemaRole, c?: SchemaRequestContext) => {
        if (!type) return null;
        const r = schemas.get(f.path, `ep${i}:${key}`, type, role, c);
        return r;
      };
      if (d.kind !== "raw" && d.kind !== "static") {
        const hs = run("handshake", d.handshakeType, "handshake", ctx);
        const rq = run("request", d.requestType, d.kind === "api" ? "request" : "message", d.kind === "api" ? ctx : undefined);
        const rs = run("response", d.responseType, d.kind === "api" ? "response" : "message");
        handshake = hs?.schema ?? null;
        request = rq?.schema ?? null;
        response = rs?.schema ?? null;
        fields = d.kind === "api" ? (rq ? rq.fields : d.hasRequest ? null : []) : hs ? hs.fields : rq ? rq.fields : d.hasRequest ? null : [];
        if (params.length && d.kind === "api" && !d.hasRequest) {
          lc.report(D.PathParamsNoRequest, f.path, d.pathRange ?? d.nameRange, `The path has parameter${params.length > 1 ? "s" : ""} ${params.map((p) => `'${p}'`).join(", ")} but the handler has no request type; add one, e.g. async ({ ${params.join(", ")} }: { ${params.map((p) => `${p}: string`).join("; ")} }) => ...`);
        } else if (params.length && fields) {
          const missing = params.filter((p) => !fields!.includes(p));
          if (missing.length) {
            lc.report(D.PathParamNotInRequest, f.path, d.pathRange ?? d.nameRange, `Path parameter${missing.length > 1 ? "s" : ""} ${missing.map((p) => `'${p}'`).join(", ")} ${missing.length > 1 ? "are" : "is"} missing from the ${d.kind === "api" ? "request" : "handshake"} type; add ${missing.map((p) => `'${p}: string'`).join(", ")} to it.`);
          }
        }
        if (request) for (const seg of segments) {
          if (seg.type !== "param") continue;
          const prop = (request.properties as Record<string, JSONSchema> | undefined)?.[seg.value];
          const t = prop?.type;
          if (t === "integer" || t === "number") seg.valueType = "int";
          else if (t === "boolean") seg.valueType = "boolean";
        }
      }
      let staticAssets: Endpoint["static"] = null;
      if (d.static) {
        const base = dirname(f.path);
        const dir = joinPath(base, d.static.dir);
        if (dir === null || d.static.dir.startsWith("/")) {
          lc.report(D.StaticPathOutside, f.path, d.static.dirRange, `'dir' must be a relative path inside the app (no absolute path, no '..' above the app root): '${d.static.dir}'.`);
        } else {
          const unchecked = dir.split("/").some((p) => UNCHECKED_DIRS.has(p));
          if (!unchecked && !hasUnder(lc, dir)) {
            lc.report(D.StaticDirMissing, f.path, d.static.dirRange, `No files found in '${dir || "."}'; create the folder or fix 'dir' (it is relative to ${f.path}).`);
          }
          let nf: string | null = null;
          if (d.static.notFound) {
            nf = joinPath(base, d.static.notFound);
            if (nf === null) lc.report(D.StaticPathOutside, f.path, d.static.notFoundRange!, `'notFound' must be a relative path inside the app: '${d.static.notFound}'.`);
            else if (!nf.split("/").some((p) => UNCHECKED_DIRS.has(p)) && !lc.paths.has(nf)) {
              lc.report(D.StaticNotFoundMissing, f.path, d.static.notFoundRange!, `The notFound file '${nf}' does not exist.`);
            }
          }
          staticAssets = { dir, notFound: nf, notFoundStatus: d.static.notFoundStatus };
        }
      }
      const endpoint: Endpoint = {
        name: d.name,
        service: root.name,
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
        response,
        handshake,
        location: d.location,
      };
      if (!d.exported && d.bindName) {
        lc.report(D.EndpointNotExported, f.path, d.nameRange, `Endpoint '${d.name}' must be exported so the runtime can load its handler: export const ${d.name} = ...`, {
          fixes: d.statementStart ? [{ title: "Add 'export'", edits: [{ file: f.path, range: { start: d.statementStart, end: d.statementStart }, newText: "export " }], isPreferred: true }] : [],
        });
      }
      svc.endpoints.push(endpoint);
      entries.push({ decl: d, file: f.path, endpoint, segments, service: svc });
    });
  }
  checkUniqueness(lc, entries);
  return entries;
}

function hasUnder(lc: LinkContext, dir: string): boolean {
  if (dir === "") return lc.paths.size > 0;
  const prefix = dir + "/";
  for (const p of lc.paths) if (p.startsWith(prefix)) return true;
  return false;
}

function checkUniqueness(lc: LinkContext, entries: EndpointEntry[]): void {
  const byService = new Map<string, EndpointEntry[]>();
  for (const e of entries) {
    const list = byService.get(e.service.name) ?? [];
    list.push(e);
    byService.set(e.service.name, list);
  }
  for (const list of byService.values()) {
    const names = new Map<string, EndpointEntry>();
    for (const e of list) {
      const prev = names.get(e.decl.name);
      if (prev) {
        lc.report(D.DuplicateEndpoint, e.file, e.decl.nameRange, `Endpoint name '${e.decl.name}' is already used in service '${e.service.name}'; rename one of them.`, {
          related: [{ location: { file: prev.file, range: prev.decl.nameRange }, message: "first defined here" }],
        });
      } else names.set(e.decl.name, e);
    }
    for (let i = 0; i < list.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = list[j];
        const b = list[i];
        const m = sharedMethod(a.endpoint.method, b.endpoint.method);
        if (!m || !routesConflict(a.segments, b.segments)) continue;
        lc.report(D.RouteConflict, b.file, b.decl.pathRange ?? b.decl.nameRange, `${m} ${pathString(b.segments)} conflicts with endpoint '${a.decl.name}' (${m} ${a.endpoint.path}) in service '${b.service.name}'; change the path or method of one of them.`, {
          related: [{ location: { file: a.file, range: a.decl.pathRange ?? a.decl.nameRange }, message: `'${a.decl.name}' is declared here` }],
        });
        break;
      }
    }
  }
  // Cross-service: exposed endpoints share the gateway's router. Bucket by (segment count, first literal) so the
  // pairwise check stays cheap for large apps.
  const exposed = entries.filter((e) => e.endpoint.expose);
  const order = new Map(exposed.map((e, i) => [e, i]));
  const buckets = new Map<string, EndpointEntry[]>();
  const keyOf = (e: EndpointEntry) => e.segments.length + ":" + (e.segments[0]?.type === "literal" ? e.segments[0].value : "*");
  for (const e of exposed) {
    const list = buckets.get(keyOf(e)) ?? [];
    list.push(e);
    buckets.set(keyOf(e), list);
  }
  for (const b of exposed) {
    const k = keyOf(b);
    const candidates = k.endsWith(":*")
      ? exposed.filter((e) => e.segments.length === b.segments.length)
      : [...(buckets.get(k) ?? []), ...(buckets.get(b.segments.length + ":*") ?? [])];
    for (const a of candidates) {
      if (a.service === b.service || order.get(a)! >= order.get(b)!) continue;
      const m = sharedMethod(a.endpoint.method, b.endpoint.method);
      if (!m || !routesConflict(a.segments, b.segments)) continue;
      lc.report(D.CrossServiceRouteConflict, b.file, b.decl.pathRange ?? b.decl.nameRange, `${m} ${b.endpoint.path} overlaps exposed endpoint '${a.service.name}.${a.decl.name}' (${a.endpoint.path}); both are served by the same gateway. Give one a distinct path.`, {
        related: [{ location: { file: a.file, range: a.decl.pathRange ?? a.decl.nameRange }, message: `'${a.service.name}.${a.decl.name}' is declared here` }],
      });
      break;
    }
  }
}
