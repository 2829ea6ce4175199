/**
 * The typed messages between the extension host and the trace viewer webview, one union per direction. The host
 * talks to the runtime's trace endpoint (the webview has no network: `connect-src 'none'`) and resolves spans to
 * source locations through the app model.
 */
import type { TraceSummary, TracerStats, TraceView } from "@reprise/protocol";

/** What the viewer persists with setState: the trace on screen survives a reload of the panel. */
export interface TracesState {
  selected: string | null;
}

export type HostToTraces =
  /** The recent traces, newest first; `error` says why there are none (app not running, tracing off). */
  | { type: "list"; baseUrl: string; traces: TraceSummary[]; stats: TracerStats | null; error: string | null }
  /** One trace; `revealable` holds the span ids whose endpoint has a known source location. */
  | { type: "trace"; trace: TraceView; revealable: string[] }
  | { type: "traceError"; traceId: string; message: string };

export type TracesToHost =
  | { type: "ready"; state: TracesState | null }
  | { type: "refresh" }
  | { type: "open"; traceId: string }
  /** Reveal the source of the endpoint a span ran. */
  | { type: "reveal"; traceId: string; spanId: string };

export const TRACES_TO_HOST_TYPES = ["ready", "refresh", "open", "reveal"] as const satisfies readonly TracesToHost["type"][];
