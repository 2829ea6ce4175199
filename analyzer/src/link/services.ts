/**
 * Service discovery (surface doc §2.4): strong roots from service files, weak roots from folders of files that
 * declare endpoints, subscriptions, auth handlers or gateways; nesting and duplicate-name checks.
 */
import { D } from "../diagnostics/catalogue.js";
import type { FileFacts } from "../facts.js";
import { basename, dirname } from "../resolve.js";
import { type LinkContext, type ServiceRoot, ZERO_RANGE } from "./context.js";

/** Codes after which a service file's missing service is already explained (its name could not be read). */
const SERVICE_NAME_UNREADABLE: ReadonlySet<string> = new Set(
  [D.SyntaxError, D.ServiceOutsideServiceFile, D.MissingName, D.NameNotLiteral, D.MissingArguments].map((def) => def.code),
);

/** What discovery read from one file: a service file's declaration (name, range, emptiness), else whether it declares a weak root. */
const signatures = new WeakMap<FileFacts, string>();

function signature(f: FileFacts): string {
  let sig = signatures.get(f);
  if (sig === undefined) {
    const weak = f.endpoints.length || f.subscriptions.length || f.authHandlers.length || f.gateways.length ? "w" : "-";
    const s = f.isServiceFile && f.scanned ? f.services[0] : undefined;
    sig = f.isServiceFile && f.scanned
      ? `${weak}s${s ? `${s.name}\u0000${JSON.stringify(s.nameRange)}` : `!${f.diagnostics.some((d) => SERVICE_NAME_UNREADABLE.has(d.code))}`}`
      : weak;
    signatures.set(f, sig);
  }
  return sig;
}

/** The previous discovery: reused while every file's path and signature and the app id are unchanged. */
export interface DiscoveryMemo {
  appId: string;
  paths: string[];
  sigs: string[];
  roots: ServiceRoot[];
  diagnostics: import("@reprise/protocol").Diagnostic[];
  serviceCache: Map<string, ServiceRoot | null>;
}

export function discoverServicesMemo(lc: LinkContext, files: FileFacts[], memo: { discovery: DiscoveryMemo | null }): void {
  const prev = memo.discovery;
  let same = !!prev && prev.appId === lc.appId && prev.paths.length === files.length;
  const sigs: string[] = new Array(files.length);
  for (let i = 0; i < files.length; i++) {
    sigs[i] = signature(files[i]);
    if (same && (prev!.paths[i] !== files[i].path || prev!.sigs[i] !== sigs[i])) same = false;
  }
  if (same) {
    lc.roots = prev!.roots;
    lc.adoptServiceCache(prev!.serviceCache);
    for (const d of prev!.diagnostics) lc.diagnostics.push(d);
    return;
  }
  const start = lc.diagnostics.length;
  discoverServices(lc, files);
  memo.discovery = { appId: lc.appId, paths: files.map((f) => f.path), sigs, roots: lc.roots, diagnostics: lc.diagnostics.slice(start), serviceCache: lc.adoptServiceCache(null) };
}

export function discoverServices(lc: LinkContext, files: FileFacts[]): void {
  const strong: (ServiceRoot & { facts: FileFacts })[] = [];
  for (const f of files) {
    if (!f.isServiceFile || !f.scanned) continue;
    const s = f.services[0];
    if (!s) {
      if (lc.facts.get(f.path) && !f.diagnostics.some((d) => SERVICE_NAME_UNREADABLE.has(d.code))) {
        lc.report(D.ServiceFileEmpty, f.path, ZERO_RANGE, `${basename(f.path)} must declare its service: export default new Service("${basename(dirname(f.path)) || lc.appId}").`);
      }
      continue;
    }
    strong.push({ name: s.name, dir: dirname(f.path), file: f.path, strong: true, facts: f });
  }
  strong.sort((a, b) => a.dir.length - b.dir.length || (a.dir < b.dir ? -1 : 1));
  const roots: ServiceRoot[] = [];
  const byName = new Map<string, ServiceRoot & { facts?: FileFacts }>();
  for (const s of strong) {
    const decl = s.facts.services[0];
    const outer = roots.find((r) => r.dir === "" || s.dir.startsWith(r.dir + "/"));
    if (outer) {
      const o = strong.find((x) => x.file === outer.file)!;
      lc.report(D.NestedService, s.file!, decl.nameRange, `Service '${s.name}' cannot be inside service '${outer.name}' (${outer.dir || "the app root"}); services cannot be nested. Move this folder out, or merge the services.`, {
        related: [{ location: { file: outer.file!, range: o.facts.services[0].nameRange }, message: `service '${outer.name}' is declared here` }],
      });
      continue;
    }
    const dup = byName.get(s.name);
    if (dup) {
      lc.report(D.DuplicateService, s.file!, decl.nameRange, `Service '${s.name}' is defined twice; rename one of them.`, {
        related: [{ location: { file: dup.file!, range: dup.facts!.services[0].nameRange }, message: "first defined here" }],
      });
      continue;
    }
    const root: ServiceRoot = { name: s.name, dir: s.dir, file: s.file, strong: true };
    roots.push(root);
    byName.set(s.name, { ...root, facts: s.facts });
  }
  const weakDirs = new Set<string>();
  for (const f of files) {
    if (f.endpoints.length || f.subscriptions.length || f.authHandlers.length || f.gateways.length) weakDirs.add(dirname(f.path));
  }
  const sortedWeak = [...weakDirs].sort((a, b) => (a === "" ? -1 : b === "" ? 1 : a.split("/").length - b.split("/").length || (a < b ? -1 : 1)));
  for (const dir of sortedWeak) {
    if (roots.some((r) => r.dir === "" || r.dir === dir || dir.startsWith(r.dir + "/"))) continue;
    const name = dir === "" ? lc.appId : basename(dir);
    if (byName.has(name)) continue;
    const root: ServiceRoot = { name, dir, file: null, strong: false };
    roots.push(root);
    byName.set(name, root);
  }
  lc.roots = roots;
}
