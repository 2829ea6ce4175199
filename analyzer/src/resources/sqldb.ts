/** `new SQLDatabase(name, { migrations })` and `SQLDatabase.named(name)` (surface doc §1.13). */
import { unwrapExpr, stringValue } from "../ast.js";
import { D } from "../diagnostics/catalogue.js";
import type { DatabaseDecl } from "../facts.js";
import { decodeOptions } from "../literal.js";
import { isSnakeCase, toSnakeCase } from "../names.js";
import { arg, base, bind, nameArg, warnInFunction } from "./common.js";
import type { CallSite, ResourceParser } from "./registry.js";
import type { Extractor } from "../extract.js";
import { optionKeys } from "./options.js";

const SOURCES = ["prisma", "drizzle", "drizzle/v1"] as const;

export const sqldbParser: ResourceParser = {
  kind: "database",
  imports: { module: "storage/sqldb", forms: ["SQLDatabase", "SQLDatabase.named"] },
  parse(x, site) {
    const ctx = x.ctx;
    if (site.symbol === "SQLDatabase.named") {
      if (site.isNew) return;
      const name = nameArg(x, site, 0, "database");
      if (!name) return;
      x.facts.namedRefs.push({ kind: "database", name: name.name, bindName: site.bindName, range: name.range });
      bindNamed(x, site);
      return;
    }
    if (!site.isNew) return;
    const name = nameArg(x, site, 0, "database");
    if (!name) return;
    warnInFunction(x, site, "database");
    if (!isSnakeCase(name.name)) {
      const fixed = toSnakeCase(name.name);
      ctx.report(D.DatabaseNameFormat, name.range, `Database name '${name.name}' is not snake_case; consider "${fixed}".`, {
        fixes: [{ title: `Rename to "${fixed}"`, edits: [{ file: ctx.path, range: name.range, newText: JSON.stringify(fixed) }], isPreferred: false }],
      });
    }
    const opts = decodeOptions(ctx, arg(site, 1), optionKeys("database"), "database");
    let migrations: DatabaseDecl["migrations"] = null;
    const m = opts.get("migrations");
    if (m) {
      const v = unwrapExpr(m.value);
      const s = stringValue(v);
      if (s !== null) migrations = { path: s, source: "default", range: ctx.range(v.span) };
      else if (v?.type === "ObjectExpression") {
        const mo = decodeOptions(ctx, v, ["path", "source"], "migrations");
        const path = mo.string("path");
        const src = mo.string("source");
        if (!mo.has("path")) ctx.report(D.ConfigMissingKey, v.span, "The migrations object needs 'path', the migrations folder relative to this file.");
        let source: NonNullable<DatabaseDecl["migrations"]>["source"] = "default";
        if (src !== undefined) {
          if ((SOURCES as readonly string[]).includes(src)) source = src as typeof source;
          else ctx.report(D.MigrationSource, mo.get("source")!.value.span, `Unknown migration source '${src}'; use "prisma", "drizzle" or "drizzle/v1" (or leave it out for plain SQL files).`);
        }
        if (path !== undefined) migrations = { path, source, range: ctx.range(mo.get("path")!.value.span) };
      } else {
        ctx.report(D.ExpectedString, m.value.span, "'migrations' must be a relative folder path string (\"./migrations\") or { path, source }.");
      }
    }
    const decl: DatabaseDecl = { ...base(x, site, name.range), name: name.name, migrations };
    x.facts.databases.push(decl);
    bind(x, site, "database", x.facts.databases.length - 1);
  },
};

/** `const db = X.named("n")`: usages of `db` are attributed to the named resource at link time. */
export function bindNamed(x: Extractor, site: CallSite): void {
  if (site.direct && site.bindName && site.bindName !== "default") {
    x.facts.bindings.set(site.bindName, { type: "resource", ref: { file: x.ctx.path, kind: "namedRef", index: x.facts.namedRefs.length - 1 } });
  }
}
