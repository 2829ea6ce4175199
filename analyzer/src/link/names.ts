/**
 * Name sites: every place an infrastructure name is spelled in the app's code, with the exact range of the
 * literal or identifier (`App.names`). Rename and find-references in the language server are built on this list,
 * so the editor never has to guess where a name is written. Pure: reads the facts and the linked model only.
 */
import type { App, Location, NameSite, Range } from "@reprise/protocol";
import type { FileFacts } from "../facts.js";
import { clientIdent } from "../sdk.js";
import type { LinkContext } from "./context.js";

const key = (l: Location) => `${l.file}:${l.range.start.line}:${l.range.start.character}`;

export function collectNameSites(lc: LinkContext, files: readonly FileFacts[], app: App): NameSite[] {
  const out: NameSite[] = [];
  const add = (site: Omit<NameSite, "location">, file: string, range: Range) => out.push({ ...site, location: { file, range } });
  const serviceByClient = new Map<string, string>();
  for (const s of app.services) serviceByClient.set(clientIdent(s.name), s.name);
  const topicOfSubscription = new Map<string, string>();
  for (const t of app.topics) for (const s of t.subscriptions) topicOfSubscription.set(key(s.location), t.name);

  for (const f of files) {
    const svc = lc.serviceOf(f.path);
    if (f.isServiceFile) for (const s of f.services) add({ kind: "service", name: s.name, scope: null, role: "declaration", form: "string" }, f.path, s.nameRange);
    for (const e of f.endpoints) {
      if (e.bindRange && svc) add({ kind: "endpoint", name: e.name, scope: svc.name, role: "declaration", form: "identifier" }, f.path, e.bindRange);
    }
    for (const t of f.topics) add({ kind: "topic", name: t.name, scope: null, role: "declaration", form: "string" }, f.path, t.nameRange);
    for (const s of f.subscriptions) {
      add({ kind: "subscription", name: s.name, scope: topicOfSubscription.get(key(s.location)) ?? null, role: "declaration", form: "string" }, f.path, s.nameRange);
    }
    for (const d of f.databases) add({ kind: "database", name: d.name, scope: null, role: "declaration", form: "string" }, f.path, d.nameRange);
    for (const b of f.buckets) add({ kind: "bucket", name: b.name, scope: null, role: "declaration", form: "string" }, f.path, b.nameRange);
    for (const c of f.cronJobs) add({ kind: "cron", name: c.name, scope: null, role: "declaration", form: "string" }, f.path, c.nameRange);
    for (const s of f.secrets) add({ kind: "secret", name: s.name, scope: null, role: "declaration", form: "string" }, f.path, s.nameRange);
    for (const n of f.namedRefs) add({ kind: n.kind, name: n.name, scope: null, role: "reference", form: "string" }, f.path, n.range);
    for (const imp of f.clientImports) {
      const service = serviceByClient.get(imp.name);
      if (service) add({ kind: "service", name: service, scope: null, role: "reference", form: "client" }, f.path, imp.range);
    }
    for (const c of f.clientCalls) {
      const service = serviceByClient.get(c.client);
      if (!service) continue;
      if (c.clientSpelled) add({ kind: "service", name: service, scope: null, role: "reference", form: "client" }, f.path, c.clientRange);
      if (c.form === "call" && c.endpoint && c.endpointRange) {
        add({ kind: "endpoint", name: c.endpoint, scope: service, role: "reference", form: "identifier" }, f.path, c.endpointRange);
      }
    }
    for (const c of f.cronJobs) {
      if (!c.endpointIdent || !c.endpointRange) continue;
      const ref = lc.resolveIdent(f.path, c.endpointIdent, c.endpointMember);
      if (ref?.kind !== "endpoint") continue;
      const target = lc.facts.get(ref.file)?.endpoints[ref.index];
      const owner = lc.serviceOf(ref.file);
      if (!target || !owner) continue;
      const site = { kind: "endpoint" as const, name: target.name, scope: owner.name, role: "reference" as const };
      const r = c.endpointRange;
      if (c.endpointMember !== null) {
        // `ns.name`: the member is the last thing in the range (a plain identifier on one line).
        if (c.endpointMember === target.name && r.start.line === r.end.line) {
          add({ ...site, form: "identifier" }, f.path, { start: { line: r.end.line, character: r.end.character - target.name.length }, end: r.end });
        }
      } else if (ref.file === f.path) {
        if (c.endpointIdent === target.name) add({ ...site, form: "identifier" }, f.path, r);
      } else {
        // Imported by name: the import names the endpoint; renaming it there (with an alias) keeps the local name.
        const imp = f.namedImports.get(c.endpointIdent);
        if (imp && imp.imported === target.name) add({ ...site, form: imp.aliased ? "identifier" : "import-alias" }, f.path, imp.range);
      }
    }
  }
  out.sort((a, b) => (a.location.file < b.location.file ? -1 : a.location.file > b.location.file ? 1 : a.location.range.start.line - b.location.range.start.line || a.location.range.start.character - b.location.range.start.character));
  return out;
}
