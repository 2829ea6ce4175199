/**
 * Auth handler + gateway wiring, middleware registration, and service-to-service calls through the generated
 * clients module.
 */
import type { AuthHandler, Gateway, Service } from "@reprise/protocol";
import { D } from "../diagnostics/catalogue.js";
import type { AuthHandlerDecl, FileFacts, GatewayDecl, MiddlewareDecl } from "../facts.js";
import { closest } from "../names.js";
import { clientIdent } from "../sdk.js";
import type { LinkContext } from "./context.js";
import type { LinkedEndpoints, SchemaSource } from "./endpoints.js";

export function linkAuth(lc: LinkContext, files: FileFacts[], schemas: SchemaSource): { authHandler: AuthHandler | null; gateway: Gateway | null; authDecl: AuthHandlerDecl | null } {
  let first: { decl: AuthHandlerDecl; file: string } | null = null;
  for (const f of files) for (const a of f.authHandlers) {
    if (first) {
      lc.report(D.DuplicateAuthHandler, f.path, a.nameRange, "An app can have only one auth handler; remove this one or merge it into the first.", {
        related: [{ location: { file: first.file, range: first.decl.nameRange }, message: "the auth handler is declared here" }],
      });
    } else first = { decl: a, file: f.path };
  }
  let gw: { decl: GatewayDecl; file: string } | null = null;
  for (const f of files) for (const g of f.gateways) {
    if (gw) {
      lc.report(D.DuplicateGateway, f.path, g.location.range, "An app has one gateway; remove this one.", {
        related: [{ location: gw.decl.location, message: "the gateway is declared here" }],
      });
    } else gw = { decl: g, file: f.path };
  }
  let authHandler: AuthHandler | null = null;
  let gateway: Gateway | null = null;
  let wired: AuthHandlerDecl | null = null;
  if (gw) {
    const g = gw.decl;
    if (g.authIdent && g.authRange) {
      const ref = lc.resolveIdent(gw.file, g.authIdent, g.authMember);
      const d = ref?.kind === "authHandler" ? lc.decl<AuthHandlerDecl>(ref) : undefined;
      if (!d) {
        lc.report(D.GatewayAuthUnresolved, gw.file, g.authRange, `'${g.authMember ?? g.authIdent}' is not an auth handler; pass a variable bound to authHandler(...), declared here or imported.`);
      } else {
        wired = d;
        const svc = lc.serviceOf(ref!.file);
        const params = d.paramsType ? schemas.get(ref!.file, "auth:params", d.paramsType, "authParams").schema : null;
        const data = d.authDataType ? schemas.get(ref!.file, "auth:data", d.authDataType, "authData").schema : null;
        authHandler = { service: svc?.name ?? lc.appId, name: d.name, params, authData: data, location: d.location };
      }
    }
    gateway = { name: g.name, service: lc.serviceOf(gw.file)?.name ?? null, authHandler: authHandler?.name ?? null, location: g.location };
  }
  if (first && !wired && !(gw && gw.decl.authIdent)) {
    lc.report(D.AuthHandlerNoGateway, first.file, first.decl.nameRange, `Auth handler '${first.decl.name}' is not used by a gateway, so it never runs; add: export const gateway = new Gateway({ authHandler: ${first.decl.name} }).`);
  }
  return { authHandler, gateway, authDecl: wired };
}

export function linkMiddleware(lc: LinkContext, files: FileFacts[], services: Map<string, Service>): void {
  const registered = new Set<MiddlewareDecl>();
  for (const f of files) {
    const s = f.services[0];
    if (!s || !f.isServiceFile) continue;
    const root = lc.serviceOf(f.path);
    const svc = root && root.file === f.path ? services.get(root.name) : undefined;
    for (const m of s.middlewares) {
      if (m.inline !== null) {
        const d = f.middleware.find((x) => within(x.location.range, m.range));
        if (d) {
          registered.add(d);
          svc?.middleware.push({ name: null, target: d.target, location: d.location });
        }
        continue;
      }
      if (!m.name) {
        lc.report(D.MiddlewareUnresolved, f.path, m.range, "Each entry of 'middlewares' must reference a middleware(...) value.");
        continue;
      }
      const ref = lc.resolveIdent(f.path, m.name);
      const d = ref?.kind === "middleware" ? lc.decl<MiddlewareDecl>(ref) : undefined;
      if (!d) {
        // Middleware built by a factory in a package cannot be followed; only flag names bound in the app.
        if (ref || !isExternal(lc, f.path, m.name)) lc.report(D.MiddlewareUnresolved, f.path, m.range, `'${m.name}' is not a middleware(...) value of this app; define it with middleware(...) from the api module.`);
        continue;
      }
      registered.add(d);
      svc?.middleware.push({ name: d.name, target: d.target, location: d.location });
    }
  }
  for (const f of files) for (const d of f.middleware) {
    if (!registered.has(d)) {
      lc.report(D.MiddlewareUnused, f.path, d.nameRange, `Middleware${d.name ? ` '${d.name}'` : ""} is not listed in any service's middlewares, so it never runs; add it to new Service("...", { middlewares: [${d.name ?? "..."}] }).`);
    }
  }
}

/** True when the identifier comes from a package import (not resolvable inside the app). */
function isExternal(lc: LinkContext, file: string, ident: string): boolean {
  const b = lc.facts.get(file)?.bindings.get(ident);
  return b?.type === "import" && !lc.resolver.resolve(file, b.specifier);
}

function within(inner: import("@reprise/protocol").Range, outer: import("@reprise/protocol").Range): boolean {
  const le = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return le(outer.start, inner.start) && le(inner.end, outer.end);
}

export function linkClients(lc: LinkContext, files: FileFacts[], services: Map<string, Service>, endpoints: LinkedEndpoints, authWired: boolean): void {
  const byIdent = new Map<string, Service>();
  for (const s of services.values()) byIdent.set(clientIdent(s.name), s);
  for (const f of files) {
    for (const imp of f.clientImports) {
      if (byIdent.has(imp.name)) continue;
      const near = closest(imp.name, byIdent.keys());
      lc.report(D.UnknownClientService, f.path, imp.range, `There is no service '${imp.name}' in this app${near ? `; did you mean '${near}'?` : ""}. The clients module exports one namespace per service: ${[...byIdent.keys()].sort().join(", ") || "(none yet)"}.`, {
        fixes: [
          ...(near ? [{ title: `Change to '${near}'`, edits: [{ file: f.path, range: imp.range, newText: near }], isPreferred: true }] : []),
          ...(/^[a-z][a-z0-9_]*$/.test(imp.name) && !lc.paths.has(`${imp.name}/${imp.family}.service.ts`)
            ? [{ title: `Create service '${imp.name}' (${imp.name}/${imp.family}.service.ts)`, edits: [{ file: `${imp.name}/${imp.family}.service.ts`, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: `import { Service } from "${imp.family === "reprise" ? "reprise/service" : "encore.dev/service"}";\n\nexport default new Service("${imp.name}");\n`, create: true }] }]
            : []),
        ],
      });
    }
    const caller = lc.serviceOf(f.path);
    for (const c of f.clientCalls) {
      const target = byIdent.get(c.client);
      if (!target) continue;
      if (c.form === "invalid") {
        lc.report(D.InvalidClientUse, f.path, c.range, `Use the service client '${c.client}' as ${c.client}.endpoint(...), ${c.client}.ref() or the type ${c.client}.Client; it cannot be stored, passed or read otherwise.`);
        continue;
      }
      if (c.form === "call" && c.endpoint !== null) {
        const names = endpoints.callable(target.name);
        if (!names.has(c.endpoint)) {
          const near = closest(c.endpoint, names);
          lc.report(D.UnknownClientEndpoint, f.path, c.endpointRange!, `Service '${target.name}' has no endpoint '${c.endpoint}'${near ? `; did you mean '${near}'?` : ""}.`, {
            fixes: near ? [{ title: `Change to '${near}'`, edits: [{ file: f.path, range: c.endpointRange!, newText: near }], isPreferred: true }] : [],
          });
          continue;
        }
      }
      if (!caller) {
        lc.report(D.CallOutsideService, f.path, c.range, `This call to service '${target.name}' is made from outside any service, so it cannot be attributed; move it into a service folder.`);
        continue;
      }
      // `svc.ref()` takes a reference to the whole client: a call edge with no single endpoint ("").
      services.get(caller.name)!.calls.push({ service: target.name, endpoint: c.endpoint ?? "", location: { file: f.path, range: c.range } });
    }
    if (!authWired) for (const r of f.authDataCalls) {
      lc.report(D.AuthDataWithoutHandler, f.path, r, "getAuthData() is used but the app has no auth handler wired to a Gateway, so it never returns auth data.");
    }
  }
}
