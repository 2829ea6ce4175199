/**
 * State shared by the link step's passes: all file facts, service membership, the module resolver and the
 * diagnostic sink. The link step is a cheap pure function of the facts (plus cached schemas), rerun after every
 * change.
 */
import type { Diagnostic, Fix, Range, RelatedInformation, Severity } from "@reprise/protocol";
import { makeDiagnostic, type DiagnosticDefinition } from "../diagnostics/define.js";
import type { FileFacts, LocalBinding, ResourceRef } from "../facts.js";
import type { ModuleResolver } from "../resolve.js";

export interface ServiceRoot {
  name: string;
  dir: string;
  file: string | null;
  /** Index into facts.services of the service file, for strong roots. */
  strong: boolean;
}

export class LinkContext {
  readonly diagnostics: Diagnostic[] = [];
  roots: ServiceRoot[] = [];
  private serviceCache = new Map<string, ServiceRoot | null>();

  constructor(
    readonly facts: ReadonlyMap<string, FileFacts>,
    readonly paths: ReadonlySet<string>,
    readonly resolver: ModuleResolver,
    readonly appId: string,
  ) {}

  report(def: DiagnosticDefinition, file: string, range: Range, message: string, extras: { related?: RelatedInformation[]; fixes?: Fix[]; severity?: Severity } = {}): void {
    this.diagnostics.push(makeDiagnostic(def, file, range, message, extras));
  }

  /**
   * Shares the folder → service cache with another link over the same roots (discovery memo); returns the cache
   * in use (a null argument keeps it).
   */
  adoptServiceCache(cache: Map<string, ServiceRoot | null> | null): Map<string, ServiceRoot | null> {
    if (cache) this.serviceCache = cache;
    return this.serviceCache;
  }

  /** The service whose root folder contains the file (the deepest one). */
  serviceOf(file: string): ServiceRoot | null {
    // Keyed by file path first (no slicing on the hot path), then by folder.
    let hit = this.serviceCache.get(file);
    if (hit !== undefined) return hit;
    const slash = file.lastIndexOf("/");
    const dir = slash >= 0 ? file.slice(0, slash) : "";
    hit = this.serviceCache.get(`${dir}/`);
    if (hit !== undefined) {
      this.serviceCache.set(file, hit);
      return hit;
    }
    hit = null;
    for (const r of this.roots) {
      if (r.dir === "" || dir === r.dir || dir.startsWith(r.dir + "/")) {
        if (!hit || r.dir.length > hit.dir.length) hit = r;
      }
    }
    this.serviceCache.set(`${dir}/`, hit);
    this.serviceCache.set(file, hit);
    return hit;
  }

  /** Resolves a local identifier (optionally `ns.member`) of a file to the resource it names. */
  resolveIdent(file: string, ident: string, member: string | null = null): ResourceRef | null {
    const f = this.facts.get(file);
    if (!f) return null;
    const b = f.bindings.get(ident);
    if (!b) return null;
    if (member !== null) {
      if (b.type !== "import" || b.imported !== "*") return null;
      const target = this.resolver.resolve(file, b.specifier);
      return target ? this.resolveExport(target, member, 0) : null;
    }
    return this.resolveBinding(file, b, 0);
  }

  private resolveBinding(file: string, b: LocalBinding, depth: number): ResourceRef | null {
    if (b.type === "resource") return b.ref;
    if (b.imported === "*") return null;
    const target = this.resolver.resolve(file, b.specifier);
    return target ? this.resolveExport(target, b.imported, depth + 1) : null;
  }

  resolveExport(file: string, name: string, depth: number): ResourceRef | null {
    if (depth > 16) return null;
    const f = this.facts.get(file);
    if (!f) return null;
    const e = f.exports.get(name);
    if (e) {
      if (e.from) {
        const target = this.resolver.resolve(file, e.from);
        return target && e.local !== "*" ? this.resolveExport(target, e.local, depth + 1) : null;
      }
      const b = f.bindings.get(e.local);
      return b ? this.resolveBinding(file, b, depth) : null;
    }
    for (const spec of f.starExports) {
      const target = this.resolver.resolve(file, spec);
      const hit = target ? this.resolveExport(target, name, depth + 1) : null;
      if (hit) return hit;
    }
    return null;
  }

  decl<T>(ref: ResourceRef): T | undefined {
    const f = this.facts.get(ref.file);
    if (!f) return undefined;
    const list: Record<string, unknown[]> = {
      endpoint: f.endpoints, service: f.services, database: f.databases, topic: f.topics, subscription: f.subscriptions,
      cron: f.cronJobs, secret: f.secrets, bucket: f.buckets, authHandler: f.authHandlers, gateway: f.gateways,
      middleware: f.middleware, namedRef: f.namedRefs,
    };
    return list[ref.kind]?.[ref.index] as T | undefined;
  }
}

export const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
