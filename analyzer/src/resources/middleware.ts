/** `middleware(fn)` / `middleware({ target }, fn)`: recorded so services can list them (surface doc §1.11). */
import { unwrapExpr } from "../ast.js";
import { D } from "../diagnostics/catalogue.js";
import type { MiddlewareDecl } from "../facts.js";
import { decodeOptions } from "../literal.js";
import { arg, base, bind } from "./common.js";
import type { ResourceParser } from "./registry.js";

export const middlewareParser: ResourceParser = {
  kind: "middleware",
  imports: { module: "api", forms: ["middleware"] },
  parse(x, site) {
    if (site.isNew) return;
    const ctx = x.ctx;
    const a0 = arg(site, 0);
    const a1 = arg(site, 1);
    const isFn = (e: unknown) => {
      const u = unwrapExpr(e);
      return u && (u.type === "ArrowFunctionExpression" || u.type === "FunctionExpression" || u.type === "Identifier" || u.type === "MemberExpression");
    };
    let target: MiddlewareDecl["target"] = null;
    if (a1 !== undefined) {
      const opts = decodeOptions(ctx, a0, ["target"], "middleware");
      const t = opts.get("target");
      if (t) {
        const to = decodeOptions(ctx, t.value, ["auth", "expose", "tags", "isRaw", "isStream"], "middleware target");
        target = {};
        const auth = to.boolean("auth");
        const expose = to.boolean("expose");
        const tags = to.stringArray("tags");
        if (auth !== undefined) target.auth = auth;
        if (expose !== undefined) target.expose = expose;
        if (tags) target.tags = tags.map((t) => t.value);
      }
      if (!isFn(a1)) ctx.report(D.MiddlewareNoHandler, a1.span, "The second argument of middleware(options, fn) must be the middleware function.");
    } else if (!a0 || !isFn(a0)) {
      ctx.report(D.MiddlewareNoHandler, (a0 ?? site.callee).span, "middleware(...) needs the middleware function: middleware(async (req, next) => next(req)).");
      return;
    }
    x.facts.middleware.push({ ...base(x, site, site.bindSpan && site.direct ? x.ctx.range(site.bindSpan) : null), name: site.bindName && site.bindName !== "default" ? site.bindName : null, target });
    bind(x, site, "middleware", x.facts.middleware.length - 1);
  },
};
