/**
 * toGraph: the architecture graph as a pure function of the app model. The CLI's `reprise graph`, the language
 * server's `reprise/appModel` notification and the diagram webview all draw from this one function, so every
 * surface shows the same boxes and arrows. Output is deterministic (sorted, deduplicated) so it can be diffed and
 * snapshot-tested, and it never throws on an inconsistent model: an edge whose end is not a node is dropped
 * (the analyzer reports the dangling reference as a diagnostic; the graph just doesn't draw it).
 */
import type { AppModel, Location } from "./app-model.js";
import type { Graph, GraphEdge, GraphEdgeKind, GraphNode, GraphNodeKind } from "./graph.js";

/** Stable node ids: "<kind>:<name>". */
export function graphNodeId(kind: GraphNodeKind, name: string): string {
  return `${kind}:${name}`;
}

const KIND_ORDER: Record<GraphNodeKind, number> = { gateway: 0, service: 1, topic: 2, database: 3, bucket: 4, cron: 5 };
const EDGE_ORDER: Record<GraphEdgeKind, number> = { auth: 0, rpc: 1, publish: 2, subscribe: 3, database: 4, bucket: 5, cron: 6 };

/** Name of the gateway node drawn when the app has an auth handler but declares no Gateway of its own. */
export const IMPLICIT_GATEWAY = "api-gateway";

export function toGraph(model: AppModel): Graph {
  const app = model.app;
  const nodes = new Map<string, GraphNode>();
  const addNode = (kind: GraphNodeKind, name: string, location: Location | null, label = name) => {
    const id = graphNodeId(kind, name);
    if (!nodes.has(id)) nodes.set(id, { id, kind, label, location });
    return id;
  };

  for (const s of app.services ?? []) addNode("service", s.name, s.location ?? s.endpoints?.[0]?.location ?? null);
  for (const d of app.databases ?? []) addNode("database", d.name, d.location);
  for (const t of app.topics ?? []) addNode("topic", t.name, t.location);
  for (const c of app.cronJobs ?? []) addNode("cron", c.name, c.location, c.title && c.title !== c.name ? c.title : c.name);
  for (const b of app.buckets ?? []) addNode("bucket", b.name, b.location);
  let gatewayId: string | null = null;
  if (app.gateway) gatewayId = addNode("gateway", app.gateway.name, app.gateway.location);
  else if (app.authHandler) gatewayId = addNode("gateway", IMPLICIT_GATEWAY, app.authHandler.location);

  // Edges are keyed by (kind, from, to); labels of parallel edges merge into one sorted, comma-separated label.
  const edges = new Map<string, { from: string; to: string; kind: GraphEdgeKind; labels: Set<string> }>();
  const addEdge = (kind: GraphEdgeKind, from: string, to: string, label?: string | null) => {
    if (!nodes.has(from) || !nodes.has(to)) return;
    const key = `${kind}\u0000${from}\u0000${to}`;
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { from, to, kind, labels: new Set() }));
    if (label) e.labels.add(label);
  };

  for (const s of app.services ?? []) {
    const from = graphNodeId("service", s.name);
    for (const call of s.calls ?? []) addEdge("rpc", from, graphNodeId("service", call.service), call.endpoint);
    for (const topic of s.publishes ?? []) addEdge("publish", from, graphNodeId("topic", topic));
    for (const site of s.publishSites ?? []) addEdge("publish", from, graphNodeId("topic", site.topic));
    for (const db of s.databases ?? []) addEdge("database", from, graphNodeId("database", db));
    for (const b of s.buckets ?? []) {
      const to = graphNodeId("bucket", b.bucket);
      addEdge("bucket", from, to);
      for (const op of b.operations ?? []) addEdge("bucket", from, to, op);
    }
  }
  for (const t of app.topics ?? []) {
    const topic = graphNodeId("topic", t.name);
    for (const p of t.publishers ?? []) addEdge("publish", graphNodeId("service", p.service), topic);
    for (const sub of t.subscriptions ?? []) addEdge("subscribe", topic, graphNodeId("service", sub.service), sub.name);
  }
  for (const d of app.databases ?? []) {
    // A database declared in a service's folder belongs to it even when no query site was found yet.
    if (d.service) addEdge("database", graphNodeId("service", d.service), graphNodeId("database", d.name));
  }
  for (const b of app.buckets ?? []) {
    if (b.service) addEdge("bucket", graphNodeId("service", b.service), graphNodeId("bucket", b.name));
  }
  for (const c of app.cronJobs ?? []) {
    if (c.endpoint) addEdge("cron", graphNodeId("cron", c.name), graphNodeId("service", c.endpoint.service), c.endpoint.name);
  }
  if (gatewayId && app.authHandler) addEdge("auth", gatewayId, graphNodeId("service", app.authHandler.service), app.authHandler.name);

  const sortedNodes = [...nodes.values()].sort(
    (a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compare(a.id, b.id),
  );
  const sortedEdges: GraphEdge[] = [...edges.values()]
    .map((e) => ({ from: e.from, to: e.to, kind: e.kind, label: e.labels.size ? [...e.labels].sort(compare).join(", ") : null }))
    .sort((a, b) => EDGE_ORDER[a.kind] - EDGE_ORDER[b.kind] || compare(a.from, b.from) || compare(a.to, b.to));
  return { nodes: sortedNodes, edges: sortedEdges };
}

/** Locale-independent ordering, so snapshots don't depend on the machine's ICU data. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
