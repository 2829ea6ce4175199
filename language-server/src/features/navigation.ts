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

/**
 * The string literal on `line` around `character` (quotes excluded; a template's `${...}` parts become one
 * placeholder character each), or undefined. Single-line strings only: enough for `fetch("/users/42")`.
 */
export function stringAt(line: string, character: number): string | undefined {
  let i = 0;
  while (i < line.length) {
    const q = line[i];
    if (q === "/" && line[i + 1] === "/") return undefined; // the rest of the line is a comment
    if (q !== '"' && q !== "'" && q !== "`") {
      i++;
      continue;
    }
    const start = i + 1;
    let j = start;
    let value = "";
    while (j < line.length && line[j] !== q) {
      if (line[j] === "\\") {
        value += line[j + 1] ?? "";
        j += 2;
      } else if (q === "`" && line[j] === "$" && line[j + 1] === "{") {
        let depth = 1;
        j += 2;
        while (j < line.length && depth > 0) depth += line[j] === "{" ? 1 : line[j++] === "}" ? -1 : 0;
        value += PLACEHOLDER;
      } else value += line[j++];
    }
    if (character >= start && character <= j) return value;
    i = j + 1;
  }
  return undefined;
}

const PLACEHOLDER = "\u0000";

/** The path part of a URL or path string (`http://localhost:4000/users/42?x=1` → `/users/42`), or undefined. */
export function urlPath(s: string): string | undefined {
  const m = /^(?:https?:\/\/[^/\s]+)?(\/[^?#\s]*)/.exec(s.trim());
  return m ? m[1] : undefined;
}

/**
 * Endpoints whose path pattern matches `path` (literal segments equal, `:param` any one non-empty segment,
 * `*wildcard` and fallbacks the rest), most specific first (more literal segments, then no wildcard).
 */
export function endpointsMatching(ctx: FeatureContext, path: string): Location[] {
  const segs = path.replace(/\/+$/, "").split("/").slice(1);
  const hits: { score: number; location: Location }[] = [];
  for (const svc of ctx.index.model.app.services) {
    for (const e of svc.endpoints) {
      const pattern = e.pathSegments;
      const rest = pattern.length > 0 && (pattern[pattern.length - 1].type === "wildcard" || pattern[pattern.length - 1].type === "fallback");
      const fixed = rest ? pattern.length - 1 : pattern.length;
      if (rest ? segs.length < fixed : segs.length !== fixed) continue;
      let score = 0;
      let ok = true;
      for (let i = 0; i < fixed && ok; i++) {
        const p = pattern[i];
        if (p.type === "literal") {
          ok = segs[i] === p.value;
          score++;
        } else ok = segs[i].length > 0;
      }
      if (ok) hits.push({ score: score * 2 + (rest ? 0 : 1), location: e.location });
    }
  }
  return hits.sort((a, b) => b.score - a.score).map((h) => h.location);
}

/** Go to definition on a path string (`fetch("/users/42")`, a test's URL): the endpoints that serve it. */
export function pathDefinition(ctx: FeatureContext, lineText: string, position: Position): LspLocation[] {
  const s = stringAt(lineText, position.character);
  const path = s === undefined ? undefined : urlPath(s);
  if (!path) return [];
  return endpointsMatching(ctx, path).map((l) => location(ctx.root.uri, l));
}
