/** `new CronJob(id, { endpoint, title, every | schedule })` (surface doc §1.16). */
import type { Range } from "@reprise/protocol";
import { memberParts, unwrapExpr } from "../ast.js";
import { splitCron, validateCron } from "../cron-expr.js";
import { D } from "../diagnostics/catalogue.js";
import type { CronDecl } from "../facts.js";
import { decodeOptions } from "../literal.js";
import { innerRange } from "./api.js";
import { arg, base, bind, nameArg, warnInFunction } from "./common.js";
import { kebabCheck } from "./pubsub.js";
import type { ResourceParser } from "./registry.js";
import { optionKeys } from "./options.js";

const DAY_MS = 86_400_000;

export const cronParser: ResourceParser = {
  kind: "cron",
  imports: { module: "cron", forms: ["CronJob"] },
  parse(x, site) {
    if (!site.isNew) return;
    const ctx = x.ctx;
    const name = nameArg(x, site, 0, "cron job");
    if (!name) return;
    warnInFunction(x, site, "cron job");
    kebabCheck(x, D.CronNameFormat, "Cron job", name.name, name.range);
    if (!site.args || site.args.length < 2) {
      ctx.report(D.MissingConfig, site.callee.span, "new CronJob needs an options object: { endpoint, every } or { endpoint, schedule }.");
      return;
    }
    const opts = decodeOptions(ctx, arg(site, 1), optionKeys("cron"), "cron job");
    if (!opts.node) return;
    const title = opts.string("title") ?? name.name;
    let every: string | null = null;
    let schedule: string | null = null;
    const ev = opts.get("every");
    const sc = opts.get("schedule");
    if (ev && sc) {
      ctx.report(D.CronBothSchedules, sc.keySpan, "Set either 'every' or 'schedule', not both.", {
        related: [{ location: { file: ctx.path, range: ctx.range(ev.keySpan) }, message: "'every' is set here" }],
      });
    } else if (!ev && !sc) {
      ctx.report(D.CronNoSchedule, opts.node.span, "The cron job needs 'every' (e.g. \"1h\") or 'schedule' (a 5-field cron expression).");
    }
    if (ev) {
      const d = opts.duration("every");
      if (d) {
        const span = ev.value.span;
        if (d.ms === 0) ctx.report(D.CronEveryZero, span, "'every' is zero; give a positive interval such as \"1h\".");
        else if (d.ms % 60_000 !== 0) ctx.report(D.CronEveryNotMinutes, span, `'every' must be a whole number of minutes; ${d.text} is not.`);
        else if (d.ms > DAY_MS) ctx.report(D.CronEveryTooLong, span, `'every' is at most 24h; for ${d.text} use a 'schedule' cron expression.`);
        else if (DAY_MS % d.ms !== 0) ctx.report(D.CronEveryNotDividing, span, `'every: "${d.text}"' does not divide 24 hours evenly, so runs are irregular around midnight UTC; pick a divisor of 24h (e.g. 5m, 10m, 15m, 20m, 30m, 1h, 2h, 3h, 4h, 6h, 8h, 12h).`);
        if (d.ms % 60_000 === 0 && d.ms <= DAY_MS) every = d.text;
      }
    }
    if (sc) {
      const s = opts.string("schedule");
      if (s !== undefined) {
        const p = validateCron(s);
        if (p) {
          const lit = unwrapExpr(sc.value);
          let range: Range = ctx.range(lit.span);
          if (p.field >= 0) {
            const fields = splitCron(s);
            let at = 0;
            for (let k = 0; k <= p.field; k++) at = s.indexOf(fields[k], k === 0 ? 0 : at + fields[k - 1].length);
            range = innerRange(ctx, lit.span, at, at + fields[p.field].length);
          }
          ctx.report(p.field < 0 ? D.CronScheduleFields : D.CronScheduleInvalid, range, p.message);
        } else schedule = s;
      }
    }
    let endpointIdent: string | null = null;
    let endpointMember: string | null = null;
    let endpointRange: Range | null = null;
    const ep = opts.get("endpoint");
    if (!ep) ctx.report(D.ConfigMissingKey, opts.node.span, "The cron job needs 'endpoint', the API endpoint it calls.");
    else {
      const e = unwrapExpr(ep.value);
      endpointRange = ctx.range(e.span);
      if (e.type === "Identifier") endpointIdent = e.value;
      else {
        const m = memberParts(e);
        if (m && m.object?.type === "Identifier") {
          endpointIdent = m.object.value;
          endpointMember = m.property;
        } else ctx.report(D.CronEndpointUnresolved, e.span, "'endpoint' must reference an API endpoint by name, e.g. endpoint: cleanup.");
      }
    }
    const decl: CronDecl = { ...base(x, site, name.range), name: name.name, title, every, schedule, endpointIdent, endpointMember, endpointRange };
    x.facts.cronJobs.push(decl);
    bind(x, site, "cron", x.facts.cronJobs.length - 1);
  },
};
