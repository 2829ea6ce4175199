/**
 * App models for the graph and mermaid tests, built in code so each case states only what it is about.
 * Shared with webviews' mermaid-parse test (through the compiled dist/test/models.js) so that test parses
 * exactly the diagrams snapshotted here.
 */
import type { App, AppModel, Endpoint, Location, Service } from "../src/index.js";

export const loc = (file: string, line = 0): Location => ({
  file,
  range: { start: { line, character: 0 }, end: { line, character: 10 } },
});

export function endpoint(service: string, name: string, extra: Partial<Endpoint> = {}): Endpoint {
  return {
    name, service, method: ["GET"], path: `/${service}/${name}`, pathSegments: [], expose: true, auth: false,
    raw: false, streaming: null, static: null, bodyLimit: null, tags: [], sensitive: false, doc: null,
    exported: true, request: null, response: null, handshake: null, location: loc(`${service}/api.ts`, 3), ...extra,
  };
}

export function service(name: string, extra: Partial<Service> = {}): Service {
  return {
    name, dir: name, file: `${name}/encore.service.ts`, location: loc(`${name}/encore.service.ts`), doc: null,
    endpoints: [], databases: [], publishes: [], publishSites: [], calls: [], buckets: [], secrets: [],
    middleware: [], ...extra,
  };
}

export function model(app: Partial<App>): AppModel {
  return {
    version: 1,
    app: { id: "test", services: [], databases: [], topics: [], cronJobs: [], buckets: [], secrets: [],
      authHandler: null, gateway: null, ...app },
    diagnostics: [],
  };
}

const retry = { minBackoffMs: 1000, maxBackoffMs: 60000, maxRetries: 10 };

/** A realistic app exercising every node and edge kind. */
export const fullApp = model({
  services: [
    service("users", {
      endpoints: [endpoint("users", "get"), endpoint("users", "create", { method: ["POST"] })],
      databases: ["users"],
      publishes: ["signups"],
      publishSites: [{ topic: "signups", location: loc("users/api.ts", 20) }],
      buckets: [{ bucket: "avatars", operations: ["upload", "download"] }],
    }),
    service("email", {
      endpoints: [endpoint("email", "send")],
      calls: [
        { service: "users", endpoint: "get", location: loc("email/api.ts", 8) },
        { service: "users", endpoint: "get", location: loc("email/api.ts", 12) },
        { service: "users", endpoint: "create", location: loc("email/api.ts", 14) },
      ],
    }),
    service("auth", { endpoints: [] }),
    service("analytics", { endpoints: [endpoint("analytics", "rollup")] }),
  ],
  databases: [{ name: "users", service: "users", migrations: { dir: "users/migrations", files: [] }, location: loc("users/db.ts") }],
  topics: [{
    name: "signups", service: "users", deliveryGuarantee: "at-least-once", orderingAttribute: null, message: null,
    publishers: [{ service: "users", location: loc("users/api.ts", 20) }],
    subscriptions: [
      { name: "welcome-email", topic: "signups", service: "email", ackDeadlineMs: 30000, messageRetentionMs: 604800000, maxConcurrency: null, retryPolicy: retry, location: loc("email/sub.ts") },
      { name: "count-signups", topic: "signups", service: "analytics", ackDeadlineMs: 30000, messageRetentionMs: 604800000, maxConcurrency: null, retryPolicy: retry, location: loc("analytics/sub.ts") },
    ],
    location: loc("users/topic.ts"),
  }],
  cronJobs: [{ name: "nightly-rollup", title: "Nightly rollup", every: null, schedule: "0 3 * * *", endpoint: { service: "analytics", name: "rollup" }, location: loc("analytics/cron.ts") }],
  buckets: [{ name: "avatars", public: true, versioned: false, service: "users", location: loc("users/bucket.ts") }],
  authHandler: { service: "auth", name: "myAuth", params: null, authData: null, location: loc("auth/auth.ts") },
  gateway: { name: "api", service: "auth", authHandler: "myAuth", location: loc("auth/gateway.ts") },
});

/** Names chosen to break naive diagram generation: quotes, brackets, mermaid keywords, unicode, entities. */
export const hostileNames = model({
  services: [
    service("end", { calls: [{ service: 'we"ird[1]', endpoint: "a|b", location: loc("end/a.ts") }] }),
    service('we"ird[1]'),
    service("subgraph"),
    service("café-ñ ☕ 日本"),
    service("a-b"),
    service("a_b"),
    service("<script>alert(1)</script>"),
    service("#quot; & `tick` {x} (y) \\ back"),
    service("click"),
    service("graph TD"),
  ],
  topics: [{
    name: "o--x", service: null, deliveryGuarantee: "at-least-once", orderingAttribute: null, message: null,
    publishers: [{ service: "end", location: loc("end/a.ts") }],
    subscriptions: [{ name: "style;classDef", topic: "o--x", service: "subgraph", ackDeadlineMs: 1, messageRetentionMs: 1, maxConcurrency: null, retryPolicy: retry, location: loc("subgraph/s.ts") }],
    location: loc("t.ts"),
  }],
  databases: [{ name: "db\nwith newline", service: "end", migrations: { dir: null, files: [] }, location: loc("d.ts") }],
});

export const emptyApp = model({});

/** Dangling references (a call to a service that doesn't exist): the graph drops the edge instead of inventing a node. */
export const danglingApp = model({
  services: [service("a", { calls: [{ service: "ghost", endpoint: "x", location: loc("a/a.ts") }], databases: ["nodb"], publishes: ["notopic"] })],
  cronJobs: [{ name: "c", title: "c", every: "1h", schedule: null, endpoint: { service: "ghost", name: "x" }, location: loc("c.ts") }],
  authHandler: { service: "a", name: "h", params: null, authData: null, location: loc("a/auth.ts") },
});

export const allModels: Record<string, AppModel> = { fullApp, hostileNames, emptyApp, danglingApp };
