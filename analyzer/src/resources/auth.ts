/** `authHandler<Params, AuthData>(fn)` and `new Gateway({ authHandler })` (surface doc §1.19). */
import { memberParts, unwrapExpr, unwrapPromise } from "../ast.js";
import { D } from "../diagnostics/catalogue.js";
import { decodeOptions } from "../literal.js";
import { arg, base, bind } from "./common.js";
import type { ResourceParser } from "./registry.js";
import type { Node } from "../ast.js";

/** Strips `| null` / `| undefined` from an auth handler's declared result type. */
function nonNull(t: Node): Node {
  if (t?.type === "TsUnionType") {
    const rest = t.types.filter((u: Node) => !(u.type === "TsKeywordType" && (u.kind === "null" || u.kind === "undefined")));
    if (rest.length === 1) return rest[0];
  }
  return t;
}

export const authHandlerParser: ResourceParser = {
  kind: "authHandler",
  imports: { module: "auth", forms: ["authHandler"] },
  parse(x, site) {
    if (site.isNew) return;
    const ctx = x.ctx;
    if (!site.bindName && !site.destructured) {
      ctx.report(D.AuthNotBound, site.callee.span, "authHandler(...) must be bound to a variable: const auth = authHandler(...), then pass it to new Gateway({ authHandler: auth }).");
      return;
    }
    const h = arg(site, 0);
    if (!h) {
      ctx.report(D.AuthNoHandler, site.callee.span, "authHandler needs the handler function as its first argument.");
      return;
    }
    const fn = unwrapExpr(h);
    const isFn = fn.type === "ArrowFunctionExpression" || fn.type === "FunctionExpression";
    if (isFn && fn.typeParameters) ctx.report(D.AuthTypeParams, fn.typeParameters.span, "The auth handler cannot declare type parameters.");
    const p0 = isFn ? fn.params?.[0] : undefined;
    const pat = p0?.type === "Parameter" ? p0.pat : p0;
    const paramsType = pat?.typeAnnotation?.typeAnnotation ?? site.typeArgs[0] ?? null;
    const retType = isFn && fn.returnType ? nonNull(unwrapPromise(fn.returnType.typeAnnotation)) : null;
    const authDataType = retType ?? site.typeArgs[1] ?? null;
    if (isFn || site.typeArgs.length > 0) {
      if (!paramsType) ctx.report(D.AuthNoParamType, (pat ?? fn).span, "The auth handler needs an explicit parameter type: authHandler<Params, AuthData>(...) or (params: Params) => ...");
      if (!authDataType) ctx.report(D.AuthNoResultType, site.callee.span, "The auth handler needs an explicit result type: authHandler<Params, AuthData>(...) or a declared return type.");
    }
    x.facts.authHandlers.push({ ...base(x, site, null), nameRange: ctx.range(site.bindSpan ?? site.callee.span), name: site.bindName ?? "auth", paramsType, authDataType });
    bind(x, site, "authHandler", x.facts.authHandlers.length - 1);
  },
};

export const gatewayParser: ResourceParser = {
  kind: "gateway",
  imports: { module: "api", forms: ["Gateway"] },
  parse(x, site) {
    if (!site.isNew) return;
    const ctx = x.ctx;
    if (!site.bindName && !site.destructured) {
      ctx.report(D.GatewayNotBound, site.callee.span, "The gateway must be assigned to a variable: export const gateway = new Gateway({ authHandler: auth }).");
    }
    if (site.args === undefined) {
      ctx.report(D.MissingArguments, site.node.span, "new Gateway needs its options: new Gateway({ authHandler: auth }).");
      return;
    }
    if (!arg(site, 0)) {
      ctx.report(D.MissingConfig, site.callee.span, "new Gateway needs an options object: new Gateway({ authHandler: auth }).");
      return;
    }
    const opts = decodeOptions(ctx, arg(site, 0), ["authHandler", "name"], "gateway");
    let authIdent: string | null = null;
    let authMember: string | null = null;
    let authRange = null;
    const a = opts.get("authHandler");
    if (a) {
      const e = unwrapExpr(a.value);
      authRange = ctx.range(e.span);
      if (e.type === "Identifier") authIdent = e.value;
      else {
        const m = memberParts(e);
        if (m && m.object?.type === "Identifier") {
          authIdent = m.object.value;
          authMember = m.property;
        } else ctx.report(D.GatewayAuthUnresolved, e.span, "'authHandler' must reference a variable bound to authHandler(...).");
      }
    }
    x.facts.gateways.push({ ...base(x, site, null), name: "api-gateway", authIdent, authMember, authRange });
    bind(x, site, "gateway", x.facts.gateways.length - 1);
  },
};
