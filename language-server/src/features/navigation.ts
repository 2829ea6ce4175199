/**
 * Go to definition (client call → endpoint, subscription → topic, publish → topic, cron job → its endpoint) and
 * find references (topic → publishers and subscribers, endpoint → callers and cron jobs).
 */
import type { Location as LspLocation } from "vscode-languageserver/node";
import type { Location, Position } from "@reprise/protocol";
import type { Placed } from "../model-index.js";
import { location } from "../to-proto.js";
import { entitiesAt, type FeatureContext } from "./context.js";

export function definition(ctx: FeatureContext, position: Position): LspLocation[] {
  for (const placed of entitiesAt(ctx, position)) {
    const target = definitionTarget(ctx, placed);
    if (target) return [location(ctx.root.uri, target)];
  }
  return [];
}

function definitionTarget(ctx: FeatureContext, placed: Placed): Location | undefined {
  const e = placed.entity;
  switch (e.kind) {
    case "call":
      return ctx.index.endpoint(e.call.service, e.call.endpoint)?.endpoint.location;
    case "subscription":
      return e.topic?.location;
    case "publish":
      return ctx.index.topics.get(e.site.topic)?.location;
    case "cron":
      return e.cron.endpoint ? ctx.index.endpoint(e.cron.endpoint.service, e.cron.endpoint.name)?.endpoint.location : undefined;
    default:
      return undefined;
  }
}

/** Usages of an endpoint: client calls and cron jobs that trigger it. */
export function endpointUsages(ctx: FeatureContext, service: string, name: string): Location[] {
  const out = (ctx.index.callers.get(`${service}.${name}`) ?? []).map((p) => p.location);
  for (const cron of ctx.index.model.app.cronJobs) {
    if (cron.endpoint?.service === service && cron.endpoint.name === name) out.push(cron.location);
  }
  return out;
}

export function references(ctx: FeatureContext, position: Position, includeDeclaration: boolean): LspLocation[] {
  for (const placed of entitiesAt(ctx, position)) {
    const e = placed.entity;
    let decl: Location | undefined;
    let uses: Location[] | undefined;
    if (e.kind === "topic" || e.kind === "publish" || e.kind === "subscription") {
      const topic = e.kind === "topic" ? e.topic : e.kind === "publish" ? ctx.index.topics.get(e.site.topic) : e.topic;
      if (!topic) continue;
      decl = topic.location;
      uses = [...ctx.index.publishers(topic), ...topic.subscriptions.map((s) => s.location)];
    } else if (e.kind === "endpoint") {
      decl = e.endpoint.location;
      uses = endpointUsages(ctx, e.service.name, e.endpoint.name);
    } else if (e.kind === "call") {
      const target = ctx.index.endpoint(e.call.service, e.call.endpoint);
      if (!target) continue;
      decl = target.endpoint.location;
      uses = endpointUsages(ctx, e.call.service, e.call.endpoint);
    }
    if (!uses) continue;
    const all = includeDeclaration && decl ? [decl, ...uses] : uses;
    const seen = new Set<string>();
    return all
      .filter((l) => {
        const key = `${l.file}:${l.range.start.line}:${l.range.start.character}`;
        return !seen.has(key) && (seen.add(key), true);
      })
      .map((l) => location(ctx.root.uri, l));
  }
  return [];
}
