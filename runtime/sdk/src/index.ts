/**
 * `reprise` (and `encore.dev`): request and app metadata. Everything else lives in the sub-modules
 * (`reprise/api`, `reprise/service`, `reprise/auth`, `reprise/log`, ...).
 */
import { currentState } from "./internal/context.js";
import { native } from "./internal/native.js";

export interface APICallMeta {
  type: "api-call";
  api: { service: string; endpoint: string; raw: boolean; auth: boolean; tags: string[] };
  method: string;
  path: string;
  pathAndQuery: string;
  pathParams: Record<string, string>;
  /** The request's headers (lower-case names; repeated headers as arrays). Empty for service-to-service calls. */
  headers: Record<string, string | string[]>;
  parsedPayload?: unknown;
  middlewareData?: Record<string, unknown>;
  /** Reprise: fires when the client disconnects, the deadline passes or the server shuts down. */
  signal: AbortSignal;
  /** Reprise: true for service-to-service calls. */
  internal: boolean;
}

/** The request being handled, or undefined outside a request. */
export function currentRequest(): APICallMeta | undefined {
  const st = currentState();
  if (!st) return undefined;
  const q = st.pathAndQuery.indexOf("?");
  return {
    type: "api-call",
    api: { service: st.endpoint.service, endpoint: st.endpoint.name, raw: st.endpoint.raw, auth: st.endpoint.auth, tags: st.endpoint.tags },
    method: st.method,
    path: q >= 0 ? st.pathAndQuery.slice(0, q) : st.pathAndQuery,
    pathAndQuery: st.pathAndQuery,
    pathParams: st.pathParams ?? {},
    // Read lazily: typed endpoints fetch headers from Rust only when asked.
    get headers() {
      return st.headers ?? {};
    },
    parsedPayload: st.parsedPayload,
    middlewareData: st.middlewareData,
    get signal() {
      return st.signal;
    },
    internal: st.internal,
  };
}

export interface AppMeta {
  appId: string;
  apiBaseUrl: string;
  environment: { name: string; type: "development" | "test" | "production"; cloud: "local" };
  build: { revision: string; uncommittedChanges: boolean };
  deploy: { id: string; hostedServices: string[] };
}

/** Facts about the running app. */
export function appMeta(): AppMeta {
  const g = globalThis as unknown as Record<symbol, AppMeta | undefined>;
  return (
    g[Symbol.for("reprise.appMeta")] ?? {
      appId: "",
      apiBaseUrl: "",
      environment: { name: "local", type: "development", cloud: "local" },
      build: { revision: "", uncommittedChanges: false },
      deploy: { id: "", hostedServices: [] },
    }
  );
}

/**
 * Reprise: bytes the runtime holds in its response queues (raw bodies, stream messages) now, and the most any one
 * response's queue has held since the process started. Each queue is bounded at 256 KiB plus one write; see the
 * runtime README, "Backpressure".
 */
export function outboundStats(): { queued: number; peak: number } {
  return native().outboundStats();
}
