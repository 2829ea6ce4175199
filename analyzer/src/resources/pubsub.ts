/** `new Topic<Msg>(name, config)` and `new Subscription(topic, name, config)` (surface doc §1.14–1.15). */
import { unwrapExpr, memberParts } from "../ast.js";
import { D } from "../diagnostics/catalogue.js";
import type { SubscriptionDecl, TopicDecl } from "../facts.js";
import { decodeOptions } from "../literal.js";
import { isKebabCase, toKebabCase, closest } from "../names.js";
import { arg, base, bind, nameArg, warnInFunction } from "./common.js";
import type { CallSite, ResourceParser } from "./registry.js";
import type { Extractor } from "../extract.js";
import type { DiagnosticDefinition } from "../diagnostics/define.js";
import type { Range } from "@reprise/protocol";
import { optionKeys } from "./options.js";

const GUARANTEES = ["at-least-once", "exactly-once"] as const;

export function kebabCheck(x: Extractor, def: DiagnosticDefinition, what: string, name: string, range: Range): void {
  if (isKebabCase(name)) return;
  const fixed = toKebabCase(name);
  x.ctx.report(def, range, `${what} name '${name}' is not kebab-case; consider "${fixed}".`, {
    fixes: [{ title: `Rename to "${fixed}"`, edits: [{ file: x.ctx.path, range, newText: JSON.stringify(fixed) }], isPreferred: false }],
  });
}

function requireConfig(x: Extractor, site: CallSite, i: number, what: string): boolean {
  if (site.args && site.args.length > i) return true;
  x.ctx.report(D.MissingConfig, site.callee.span, `${what} needs an options object as argument ${i + 1}.`);
  return false;
}

export const topicParser: ResourceParser = {
  kind: "topic",
  imports: { module: "pubsub", forms: ["Topic"] },
  parse(x, site) {
    if (!site.isNew) return;
    const ctx = x.ctx;
    const name = nameArg(x, site, 0, "topic");
    if (!name) return;
    warnInFunction(x, site, "topic");
    if (site.typeArgs.length === 0) {
      ctx.report(D.TopicNoMessageType, site.callee.span, `new Topic needs the message type: new Topic<MyMessage>("${name.name}", { deliveryGuarantee: "at-least-once" }).`);
    }
    kebabCheck(x, D.TopicNameFormat, "Topic", name.name, name.range);
    requireConfig(x, site, 1, "new Topic");
    const opts = decodeOptions(ctx, arg(site, 1), optionKeys("topic"), "topic");
    let dg: TopicDecl["deliveryGuarantee"] = "at-least-once";
    const g = opts.string("deliveryGuarantee");
    if (g !== undefined) {
      if ((GUARANTEES as readonly string[]).includes(g)) dg = g as typeof dg;
      else {
        const near = closest(g, GUARANTEES);
        const span = unwrapExpr(opts.get("deliveryGuarantee")!.value).span;
        ctx.report(D.InvalidDeliveryGuarantee, span, `Invalid delivery guarantee '${g}'; use "at-least-once" or "exactly-once".`, {
          fixes: near ? [ctx.replaceFix(`Change to "${near}"`, span, JSON.stringify(near))] : [],
        });
      }
    }
    const decl: TopicDecl = { ...base(x, site, name.range), name: name.name, deliveryGuarantee: dg, orderingAttribute: opts.string("orderingAttribute") ?? null, orderingRange: opts.get("orderingAttribute") ? ctx.range(opts.get("orderingAttribute")!.value.span) : null, messageType: site.typeArgs[0] ?? null };
    x.facts.topics.push(decl);
    bind(x, site, "topic", x.facts.topics.length - 1);
  },
};

export const subscriptionParser: ResourceParser = {
  kind: "subscription",
  imports: { module: "pubsub", forms: ["Subscription"] },
  parse(x, site) {
    if (!site.isNew) return;
    const ctx = x.ctx;
    if (site.args === undefined) {
      ctx.report(D.MissingArguments, site.node.span, "new Subscription needs arguments: the topic, the subscription name and { handler }.");
      return;
    }
    const t = site.args[0];
    if (!t) {
      ctx.report(D.SubscriptionUnknownTopic, site.callee.span, "new Subscription needs the topic as its first argument.");
      return;
    }
    if (t.spread) {
      ctx.report(D.SubscriptionTopicSpread, t.spread, "The topic argument cannot be a spread; pass the topic itself.");
      return;
    }
    const name = nameArg(x, site, 1, "subscription");
    if (!name) return;
    warnInFunction(x, site, "subscription");
    kebabCheck(x, D.SubscriptionNameFormat, "Subscription", name.name, name.range);
    const te = unwrapExpr(t.expression);
    let topicIdent: string | null = null;
    let topicMember: string | null = null;
    if (te.type === "Identifier") topicIdent = te.value;
    else {
      const m = memberParts(te);
      if (m && m.object?.type === "Identifier") {
        topicIdent = m.object.value;
        topicMember = m.property;
      }
    }
    if (!requireConfig(x, site, 2, "new Subscription")) return;
    const opts = decodeOptions(ctx, arg(site, 2), optionKeys("subscription"), "subscription");
    if (opts.node && !opts.has("handler")) {
      ctx.report(D.ConfigMissingKey, opts.node.span, "The subscription needs a 'handler': { handler: async (msg) => { ... } }.");
    }
    const ack = opts.duration("ackDeadline");
    if (ack && ack.ms < 1000) ctx.report(D.AckDeadlineTooShort, opts.get("ackDeadline")!.value.span, `ackDeadline ${ack.text} is below the documented minimum of 1s.`);
    const retention = opts.duration("messageRetention");
    const mc = opts.integer("maxConcurrency", { unsigned: true });
    const retry = { minBackoffMs: 10_000, maxBackoffMs: 600_000, maxRetries: 100 };
    const rp = opts.get("retryPolicy");
    if (rp) {
      const r = decodeOptions(ctx, rp.value, ["minBackoff", "maxBackoff", "maxRetries"], "retryPolicy");
      const min = r.duration("minBackoff");
      const max = r.duration("maxBackoff");
      const n = r.integer("maxRetries", { unsigned: true });
      if (min) retry.minBackoffMs = min.ms;
      if (max) retry.maxBackoffMs = max.ms;
      if (typeof n === "number") retry.maxRetries = n;
      if (retry.minBackoffMs > retry.maxBackoffMs) {
        ctx.report(D.BackoffOrder, (r.get("minBackoff") ?? r.get("maxBackoff"))!.value.span, `minBackoff (${retry.minBackoffMs} ms) is greater than maxBackoff (${retry.maxBackoffMs} ms).`);
      }
    }
    const decl: SubscriptionDecl = {
      ...base(x, site, name.range),
      name: name.name,
      topicIdent,
      topicMember,
      topicRange: ctx.range(te.span),
      ackDeadlineMs: ack?.ms ?? 30_000,
      messageRetentionMs: retention?.ms ?? 7 * 86_400_000,
      maxConcurrency: typeof mc === "number" ? mc : null,
      retryPolicy: retry,
    };
    x.facts.subscriptions.push(decl);
    bind(x, site, "subscription", x.facts.subscriptions.length - 1);
  },
};
