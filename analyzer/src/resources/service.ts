/** `new Service(name, { middlewares })`: only in encore.service.ts / reprise.service.ts, as the default export. */
import { unwrapExpr } from "../ast.js";
import { D } from "../diagnostics/catalogue.js";
import type { ServiceDecl } from "../facts.js";
import { decodeOptions } from "../literal.js";
import { isKebabCase, toKebabCase } from "../names.js";
import { arg, base, bind, nameArg } from "./common.js";
import type { ResourceParser } from "./registry.js";

export const serviceParser: ResourceParser = {
  kind: "service",
  imports: { module: "service", forms: ["Service"] },
  parse(x, site) {
    if (!site.isNew) return;
    const ctx = x.ctx;
    if (!x.facts.isServiceFile) {
      ctx.report(D.ServiceOutsideServiceFile, site.callee.span, "new Service(...) is only allowed in encore.service.ts or reprise.service.ts; move it into that file in the service's folder.");
      return;
    }
    if (x.facts.services.length > 0) {
      ctx.report(D.MultipleServices, site.callee.span, "A service file declares exactly one Service; remove this one.", {
        related: [{ location: x.facts.services[0].location, message: "the service declared here" }],
      });
      return;
    }
    const name = nameArg(x, site, 0, "service");
    if (site.bindName && site.bindName !== "default") {
      ctx.report(D.ServiceBound, site.bindSpan ?? site.callee.span, "Service definitions should not be bound to a variable; write export default new Service(\"name\").");
    } else if (!site.bindName) {
      ctx.report(D.ServiceNotDefault, site.node.span, "The service must be the default export of its file: export default new Service(\"name\").", {
        fixes: site.inFunction ? [] : [{ title: "Add 'export default'", edits: [ctx.edit({ start: site.node.span.start, end: site.node.span.start, ctxt: 0 } as never, "export default ")], isPreferred: true }],
      });
    }
    if (!name) return;
    if (!isKebabCase(name.name)) {
      const fixed = toKebabCase(name.name);
      ctx.report(D.ServiceNameFormat, name.range, `Service name '${name.name}' is not lowercase kebab-case; consider "${fixed}".`, {
        fixes: [{ title: `Rename to "${fixed}"`, edits: [{ file: ctx.path, range: name.range, newText: JSON.stringify(fixed) }], isPreferred: false }],
      });
    }
    const opts = decodeOptions(ctx, arg(site, 1), ["middlewares"], "service");
    const middlewares: ServiceDecl["middlewares"] = [];
    const mw = opts.get("middlewares");
    if (mw) {
      const v = unwrapExpr(mw.value);
      if (v?.type !== "ArrayExpression") {
        ctx.report(D.ExpectedArray, mw.value.span, "'middlewares' must be an array literal of middleware values, e.g. middlewares: [auth, logging].");
      } else {
        for (const el of v.elements) {
          if (!el || el.spread) continue;
          const e = unwrapExpr(el.expression);
          if (e.type === "Identifier") middlewares.push({ name: e.value, inline: null, range: ctx.range(e.span) });
          else middlewares.push({ name: null, inline: e.type === "CallExpression" ? 0 : null, range: ctx.range(e.span) });
        }
      }
    }
    const decl: ServiceDecl = { ...base(x, site, name.range), name: name.name, exported: true, middlewares };
    x.facts.services.push(decl);
    bind(x, site, "service", x.facts.services.length - 1);
  },
};

