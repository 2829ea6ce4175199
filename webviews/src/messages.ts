/**
 * The typed messages between the extension host and the two webviews, one discriminated union per direction.
 * Both sides import this module, so a renamed field is a compile error on both ends instead of a silent no-op.
 * Requests that expect an answer carry an `id`; the answer echoes it.
 */
import type { Endpoint, Graph, PathSegment } from "@reprise/protocol";
import type { HistoryEntry, ParamField } from "./request-params.js";

// ---------- architecture diagram ----------

/** What the diagram webview persists with setState (restored by the panel serializer after a reload). */
export interface DiagramState {
  rootUri: string | null;
  zoom: number;
  panX: number;
  panY: number;
  /** True once the user zoomed or panned; until then every render fits the diagram to the panel. */
  manual?: boolean;
}

export type HostToDiagram =
  | { type: "graph"; rootUri: string; generation: number; graph: Graph; problems: number; appName: string }
  | { type: "noApp"; reason: string };

export type DiagramToHost =
  | { type: "ready"; state: DiagramState | null }
  | { type: "reveal"; rootUri: string; nodeId: string }
  /** After each successful render: lets tests and the host know what is on screen. */
  | { type: "rendered"; generation: number; nodeIds: string[] }
  | { type: "renderError"; generation: number; message: string };

// ---------- API explorer ----------

export interface HeaderLine {
  name: string;
  value: string;
}

/** A request as the user edits it in the explorer. `path` already has path params substituted. */
export interface RequestDraft {
  method: string;
  path: string;
  query: HeaderLine[];
  headers: HeaderLine[];
  /** JSON text; empty for requests without a body. */
  body: string;
}

export interface CallResult {
  ok: boolean;
  status: number;
  statusText: string;
  headers: HeaderLine[];
  body: string;
  /** True when the body was cut at the display limit. */
  truncated: boolean;
  timeMs: number;
  /** Set when no HTTP response came back (connection refused, timeout, bad URL). */
  error: string | null;
  url: string;
}

/**
 * "endpoint": a call to one of the app's endpoints. "topic": publish mode — the draft is a POST of the message to
 * the runtime's loopback admin route `/__reprise/admin/topics/<name>/publish` (`service` is the topic's service).
 */
export type ExplorerTargetKind = "endpoint" | "topic";

export interface ExplorerEndpoint {
  kind: ExplorerTargetKind;
  rootUri: string;
  service: string;
  name: string;
  methods: string[];
  path: string;
  doc: string | null;
  auth: boolean;
  /** One input per path parameter, query parameter and header (paramFields); empty in publish mode. */
  fields?: ParamField[];
  /** The route's segments, to keep the path and its parameter fields in step. */
  pathSegments?: PathSegment[];
}

export interface ExplorerState {
  /** `kind` is absent in state saved before publish mode existed (it means "endpoint"). */
  endpoint: { rootUri: string; service: string; name: string; kind?: ExplorerTargetKind } | null;
  draft: RequestDraft | null;
}

export type HostToExplorer =
  /**
   * `fresh`: the user just picked this target (lens, tree, command), so `draft` replaces what the page shows;
   * otherwise (model update, page reload) the page keeps its own edited draft for the same target.
   */
  | { type: "endpoint"; endpoint: ExplorerEndpoint; draft: RequestDraft; baseUrl: string; running: boolean; fresh?: boolean }
  | { type: "appState"; running: boolean; baseUrl: string }
  | { type: "response"; id: number; result: CallResult }
  /** Press Send for the user (⚡ Call sends once on open); the answer comes back as a normal "send". */
  | { type: "sendNow" }
  /** The target's sent requests, newest first (kept per endpoint in workspace state); after "endpoint" and each send. */
  | { type: "history"; entries: HistoryEntry[] };

export type ExplorerToHost =
  | { type: "ready"; state: ExplorerState | null }
  | { type: "send"; id: number; request: RequestDraft }
  | { type: "startApp" }
  /** Forget the current target's history. */
  | { type: "clearHistory" };

/** Narrowing guard used by both hosts: webview messages are untrusted input. */
export function isMessage<T extends { type: string }>(value: unknown, types: readonly T["type"][]): value is T {
  return typeof value === "object" && value !== null && types.includes((value as { type: unknown }).type as T["type"]);
}

export const DIAGRAM_TO_HOST_TYPES = ["ready", "reveal", "rendered", "renderError"] as const satisfies readonly DiagramToHost["type"][];
export const EXPLORER_TO_HOST_TYPES = ["ready", "send", "startApp", "clearHistory"] as const satisfies readonly ExplorerToHost["type"][];

export type { Endpoint };
