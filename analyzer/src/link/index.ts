/**
 * The link step: from the cached facts of every file to the app model. Cheap and global by design (services,
 * name uniqueness, cross-file references), so it is simply rerun after each change; the expensive per-file work
 * (parsing, extraction, schemas) is cached by the Analyzer.
 */
import { APP_MODEL_VERSION, type AppModel, type Diagnostic, type Service } from "@reprise/protocol";
import { D } from "../diagnostics/catalogue.js";
import type { FileFacts } from "../facts.js";
import type { ModuleResolver } from "../resolve.js";
import { linkAuth, linkClients, linkMiddleware } from "./calls.js";
import { LinkContext } from "./context.js";
import { EndpointLinkMemo, linkEndpoints, type SchemaSource } from "./endpoints.js";
import { linkInfra, type SqlQuery } from "./infra.js";
import { collectNameSites } from "./names.js";
import { discoverServicesMemo, type DiscoveryMemo } from "./services.js";
import { docComment } from "../resources/common.js";

export interface LinkInput {
  appId: string;
  /** Scanned files' facts, sorted by path. */
  files: readonly FileFacts[];
  facts: ReadonlyMap<string, FileFacts>;
  paths: ReadonlySet<string>;
  resolver: ModuleResolver;
  schemas: SchemaSource;
  /** Results of the previous link of the same Analyzer, reused where their inputs are unchanged. */
  memo?: LinkMemo;
}

/** What one link leaves for the next one (owned by the Analyzer; a fresh one gives a full link). */
export class LinkMemo {
  readonly endpoints = new EndpointLinkMemo();
  discovery: DiscoveryMemo | null = null;
}

export function link(input: LinkInput): { model: AppModel; diagnostics: Diagnostic[]; sqlQueries: SqlQuery[] } {
  const lc = new LinkContext(input.facts, input.paths, input.resolver, input.appId);
  const files = input.files as FileFacts[];
  const memo = input.memo ?? new LinkMemo();
  discoverServicesMemo(lc, files, memo);
  const services = new Map<string, Service>();
  for (const r of lc.roots) {
    const decl = r.file ? input.facts.get(r.file)?.services[0] : undefined;
    services.set(r.name, {
      name: r.name, dir: r.dir, file: r.file, location: decl?.location ?? null, doc: decl?.doc ?? null,
      endpoints: [], databases: [], publishes: [], publishSites: [], calls: [], buckets: [], secrets: [], middleware: [],
    });
  }
  const endpoints = linkEndpoints(lc, files, services, input.schemas, memo.endpoints);
  const infra = linkInfra(lc, files, services, endpoints, input.schemas);
  const auth = linkAuth(lc, files, input.schemas);
  linkMiddleware(lc, files, services);
  linkClients(lc, files, services, endpoints, auth.authHandler !== null);
  if (!auth.authHandler) {
    for (const e of endpoints.withAuth()) {
      lc.report(D.AuthWithoutHandler, e.file, e.decl.authRange!, `Endpoint '${e.decl.name}' requires auth, but the app has no auth handler wired to a Gateway, so every call is rejected with 401. Add authHandler(...) and export const gateway = new Gateway({ authHandler }).`);
    }
  }
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const svcList = [...services.values()].sort(byName);
  for (const s of svcList) {
    s.databases.sort();
    s.publishes.sort();
    s.secrets.sort();
    s.buckets.sort((a, b) => (a.bucket < b.bucket ? -1 : 1));
    for (const b of s.buckets) b.operations.sort();
  }
  const model: AppModel = {
    version: APP_MODEL_VERSION,
    app: {
      id: input.appId,
      services: svcList,
      databases: infra.databases.sort(byName),
      topics: infra.topics.sort(byName),
      cronJobs: infra.cronJobs.sort(byName),
      buckets: infra.buckets.sort(byName),
      secrets: infra.secrets.sort((a, b) => byName(a, b) || ((a.service ?? "") < (b.service ?? "") ? -1 : 1)),
      authHandler: auth.authHandler,
      gateway: auth.gateway,
    },
    diagnostics: [],
  };
  model.app.names = collectNameSites(lc, files, model.app);
  return { model, diagnostics: lc.diagnostics, sqlQueries: infra.sqlQueries };
}

export { docComment };
