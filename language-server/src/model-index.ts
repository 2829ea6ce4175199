/**
 * A per-generation index over one root's app model: which declaration or usage sits at a position, and the
 * cross references (endpoint → callers, topic → publishers and subscribers) that hover, definition, references,
 * symbols and lenses read. Built lazily the first time a request needs it after a re-analysis, then reused until
 * the next generation, so typing never pays for it.
 */
import type {
  AppModel,
  AuthHandler,
  Bucket,
  CronJob,
  Database,
  Endpoint,
  Gateway,
  Location,
  Position,
  PublishSite,
  Range,
  Secret,
  Service,
  ServiceCall,
  Subscription,
  Topic,
} from "@reprise/protocol";

export type Entity =
  | { kind: "service"; service: Service }
  | { kind: "endpoint"; endpoint: Endpoint; service: Service }
  | { kind: "topic"; topic: Topic }
  | { kind: "subscription"; subscription: Subscription; topic: Topic | undefined }
  | { kind: "cron"; cron: CronJob }
  | { kind: "database"; database: Database }
  | { kind: "bucket"; bucket: Bucket }
  | { kind: "secret"; secret: Secret }
  | { kind: "authHandler"; authHandler: AuthHandler }
  | { kind: "gateway"; gateway: Gateway }
  | { kind: "call"; call: ServiceCall; caller: Service }
  | { kind: "publish"; site: PublishSite; service: Service };

export interface Placed {
  entity: Entity;
  location: Location;
}

export const endpointKey = (service: string, name: string) => `${service}.${name}`;

export function contains(r: Range, p: Position): boolean {
  if (p.line < r.start.line || p.line > r.end.line) return false;
  if (p.line === r.start.line && p.character < r.start.character) return false;
  if (p.line === r.end.line && p.character > r.end.character) return false;
  return true;
}

/** Sort key for "smallest range first": lines dominate, then characters. */
function extent(r: Range): number {
  return (r.end.line - r.start.line) * 100000 + (r.end.character - r.start.character);
}

export class ModelIndex {
  readonly byFile = new Map<string, Placed[]>();
  readonly endpoints = new Map<string, { endpoint: Endpoint; service: Service }>();
  readonly topics = new Map<string, Topic>();
  readonly callers = new Map<string, Placed[]>();
  readonly publishSites = new Map<string, Placed[]>();
  /** Every declaration (not usages), in model order: the workspace-symbol list. */
  readonly declarations: Placed[] = [];

  constructor(readonly model: AppModel) {
    const app = model.app;
    for (const topic of app.topics) this.topics.set(topic.name, topic);
    for (const service of app.services) {
      if (service.location) this.declare({ kind: "service", service }, service.location);
      for (const endpoint of service.endpoints) {
        this.endpoints.set(endpointKey(service.name, endpoint.name), { endpoint, service });
        this.declare({ kind: "endpoint", endpoint, service }, endpoint.location);
      }
      for (const call of service.calls) {
        const placed = this.place({ kind: "call", call, caller: service }, call.location);
        if (!call.endpoint) continue;
        const key = endpointKey(call.service, call.endpoint);
        let list = this.callers.get(key);
        if (!list) this.callers.set(key, (list = []));
        list.push(placed);
      }
      for (const site of service.publishSites) {
        const placed = this.place({ kind: "publish", site, service }, site.location);
        let list = this.publishSites.get(site.topic);
        if (!list) this.publishSites.set(site.topic, (list = []));
        list.push(placed);
      }
    }
    for (const topic of app.topics) {
      this.declare({ kind: "topic", topic }, topic.location);
      for (const subscription of topic.subscriptions) this.declare({ kind: "subscription", subscription, topic }, subscription.location);
    }
    for (const cron of app.cronJobs) this.declare({ kind: "cron", cron }, cron.location);
    for (const database of app.databases) this.declare({ kind: "database", database }, database.location);
    for (const bucket of app.buckets) this.declare({ kind: "bucket", bucket }, bucket.location);
    for (const secret of app.secrets) this.declare({ kind: "secret", secret }, secret.location);
    if (app.authHandler) this.declare({ kind: "authHandler", authHandler: app.authHandler }, app.authHandler.location);
    if (app.gateway) this.declare({ kind: "gateway", gateway: app.gateway }, app.gateway.location);
    for (const list of this.byFile.values()) {
      list.sort((a, b) => a.location.range.start.line - b.location.range.start.line || a.location.range.start.character - b.location.range.start.character);
    }
  }

  private place(entity: Entity, location: Location): Placed {
    const placed = { entity, location };
    let list = this.byFile.get(location.file);
    if (!list) this.byFile.set(location.file, (list = []));
    list.push(placed);
    return placed;
  }

  private declare(entity: Entity, location: Location): void {
    this.declarations.push(this.place(entity, location));
  }

  /** Everything whose range contains the position, smallest (most specific) first. */
  at(file: string, position: Position): Placed[] {
    const list = this.byFile.get(file);
    if (!list) return [];
    return list.filter((p) => contains(p.location.range, position)).sort((a, b) => extent(a.location.range) - extent(b.location.range));
  }

  inFile(file: string): Placed[] {
    return this.byFile.get(file) ?? [];
  }

  endpoint(service: string, name: string) {
    return this.endpoints.get(endpointKey(service, name));
  }

  /** Subscriptions of a topic, as placed declarations. */
  subscribers(topic: Topic): Placed[] {
    return topic.subscriptions.map((subscription) => ({ entity: { kind: "subscription", subscription, topic } as Entity, location: subscription.location }));
  }

  /** Publish sites of a topic; falls back to the per-service publisher records when no sites are listed. */
  publishers(topic: Topic): Location[] {
    const sites = this.publishSites.get(topic.name);
    if (sites?.length) return sites.map((s) => s.location);
    return topic.publishers.map((p) => p.location);
  }
}

/** How a declaration is named in symbol lists: endpoints as `METHOD /path`. */
export function symbolName(entity: Entity): string {
  switch (entity.kind) {
    case "endpoint":
      return `${entity.endpoint.method.join(",")} ${entity.endpoint.path}`;
    case "service":
      return entity.service.name;
    case "topic":
      return entity.topic.name;
    case "subscription":
      return entity.subscription.name;
    case "cron":
      return entity.cron.name;
    case "database":
      return entity.database.name;
    case "bucket":
      return entity.bucket.name;
    case "secret":
      return entity.secret.name;
    case "authHandler":
      return entity.authHandler.name;
    case "gateway":
      return entity.gateway.name;
    case "call":
      return `${entity.call.service}.${entity.call.endpoint}`;
    case "publish":
      return entity.site.topic;
  }
}

/** A short description shown beside the name (the container in VS Code's outline). */
export function symbolDetail(entity: Entity): string {
  switch (entity.kind) {
    case "endpoint":
      return `${entity.service.name}.${entity.endpoint.name}`;
    case "service":
      return "service";
    case "topic":
      return `topic · ${entity.topic.subscriptions.length} subscriber${entity.topic.subscriptions.length === 1 ? "" : "s"}`;
    case "subscription":
      return `subscription to ${entity.subscription.topic}`;
    case "cron":
      return `cron · ${entity.cron.every ? `every ${entity.cron.every}` : entity.cron.schedule ?? ""}`;
    case "database":
      return "SQL database";
    case "bucket":
      return "object storage bucket";
    case "secret":
      return "secret";
    case "authHandler":
      return "auth handler";
    case "gateway":
      return "gateway";
    case "call":
      return "service call";
    case "publish":
      return "publish";
  }
}
