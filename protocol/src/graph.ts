/** The architecture graph: a pure function of the app model (see toGraph). */
import type { Location } from "./app-model.js";

export type GraphNodeKind = "service" | "database" | "topic" | "cron" | "bucket" | "gateway";
export type GraphEdgeKind = "rpc" | "publish" | "subscribe" | "database" | "cron" | "bucket" | "auth";

export interface GraphNode {
  /** Stable id, e.g. "service:users", "topic:signups". */
  id: string;
  kind: GraphNodeKind;
  label: string;
  location: Location | null;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: GraphEdgeKind;
  /** e.g. the endpoint names called, for rpc edges. */
  label: string | null;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}
