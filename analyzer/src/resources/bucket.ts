/** `new Bucket(name, { public, versioned })` and `Bucket.named(name)` (surface doc §1.18). */
import { D } from "../diagnostics/catalogue.js";
import { decodeOptions } from "../literal.js";
import { toKebabCase } from "../names.js";
import { arg, base, bind, nameArg, warnInFunction } from "./common.js";
import type { ResourceParser } from "./registry.js";
import { bindNamed } from "./sqldb.js";
import { optionKeys } from "./options.js";

export const bucketParser: ResourceParser = {
  kind: "bucket",
  imports: { module: "storage/objects", forms: ["Bucket", "Bucket.named"] },
  parse(x, site) {
    const ctx = x.ctx;
    const name = nameArg(x, site, 0, "bucket");
    if (!name) return;
    if (site.symbol === "Bucket.named") {
      if (site.isNew) return;
      x.facts.namedRefs.push({ kind: "bucket", name: name.name, bindName: site.bindName, range: name.range });
      bindNamed(x, site);
      return;
    }
    if (!site.isNew) return;
    warnInFunction(x, site, "bucket");
    const n = name.name;
    if (n.length < 1 || n.length > 63) {
      ctx.report(D.BucketNameLength, name.range, `Invalid bucket name '${n}': must be 1 to 63 characters long (it has ${n.length}).`);
    } else if (!/^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(n)) {
      const fixed = toKebabCase(n).slice(0, 63);
      const why = !/^[a-z]/.test(n) ? "must start with a lowercase letter" : !/[a-z0-9]$/.test(n) ? "must end with a lowercase letter or digit" : `may only contain lowercase letters, digits and dashes (found '${[...n].find((c) => !/[a-z0-9-]/.test(c))}')`;
      ctx.report(D.BucketNameFormat, name.range, `Invalid bucket name '${n}': it ${why}. Use "${fixed}".`, {
        fixes: [{ title: `Rename to "${fixed}"`, edits: [{ file: ctx.path, range: name.range, newText: JSON.stringify(fixed) }], isPreferred: true }],
      });
    }
    const opts = decodeOptions(ctx, arg(site, 1), optionKeys("bucket"), "bucket");
    x.facts.buckets.push({ ...base(x, site, name.range), name: n, public: opts.boolean("public") ?? false, versioned: opts.boolean("versioned") ?? false });
    bind(x, site, "bucket", x.facts.buckets.length - 1);
  },
};
