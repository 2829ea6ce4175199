/** `const key = secret("Name")`: module level, bound, one string-literal argument (surface doc §1.17). */
import { D } from "../diagnostics/catalogue.js";
import { moveToModuleLevelFix } from "../move-to-module.js";
import { base, bind, nameArg } from "./common.js";
import type { ResourceParser } from "./registry.js";

export const secretParser: ResourceParser = {
  kind: "secret",
  imports: { module: "config", forms: ["secret"] },
  parse(x, site) {
    if (site.isNew) return;
    const ctx = x.ctx;
    if (site.inFunction) {
      const fix = moveToModuleLevelFix(x.file, site.node.span, "secret");
      ctx.report(D.SecretInFunction, site.node.span, "Secrets must be declared at module level, not inside a function: move this secret(...) to the top of the file.", { fixes: fix ? [fix] : [] });
      return;
    }
    if ((site.args?.length ?? 0) !== 1) {
      ctx.report(D.SecretArgs, site.node.span, `secret() takes exactly one argument, the secret name as a string literal; found ${site.args?.length ?? 0}.`);
      return;
    }
    const name = nameArg(x, site, 0, "secret");
    if (!name) return;
    if (!site.bindName && !site.destructured) {
      ctx.report(D.SecretNotBound, site.node.span, `Bind the secret to a variable: const ${lowerFirst(name.name)} = secret("${name.name}"), then read it with ${lowerFirst(name.name)}().`);
      return;
    }
    x.facts.secrets.push({ ...base(x, site, name.range), name: name.name });
    bind(x, site, "secret", x.facts.secrets.length - 1);
  },
};

const lowerFirst = (s: string) => (/^[A-Za-z_$][\w$]*$/.test(s) ? s[0].toLowerCase() + s.slice(1) : "mySecret");
