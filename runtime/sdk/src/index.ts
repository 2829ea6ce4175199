/**
 * `reprise` (and `encore.dev`): request and app metadata. Everything else lives in the sub-modules
 * (`reprise/api`, `reprise/service`, `reprise/auth`, `reprise/log`, ...).
 */
import { currentState } from "./internal/context.js";
import { native } from "./internal/native.js";

/** Describes an API endpoint. */
export interface APIDesc {
  service: string;
  endpoint: string;
  raw: boolean;
  auth: boolean;
  tags: string[];
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" | "CONNECT" | "TRACE";

/** Describes an API call being processed (encore.dev's `APICallMeta`, plus Reprise's `signal` and `internal`). */
export interface APICallMeta {
  type: "api-call";
  api: APIDesc;
  method: Method;
  /** The request path without the query string, e.g. "/users/5". */
  path: string;
  pathAndQuery: string;
  /**
   * The path parameters by name, decoded as the endpoint declares them (`{ id: 5 }` for `id: number`); raw
   * endpoints get the decoded text.
   */
  pathParams: Record<string, any>;
  /** The request's headers (lower-case names; repeated headers as arrays). Empty for service-to-service calls. */
  headers: Record<string, string | string[]>;
  /** The parsed request payload; not set for raw endpoints or endpoints without request data. */
  parsedPayload?: Record<string, any>;
  /** Values middleware set in `MiddlewareRequest.data`. */
  middlewareData?: Record<string, any>;
  /** Reprise: fires when the client disconnects, the deadline passes or the server shuts down. */
  signal: AbortSignal;
  /** Reprise: true for service-to-service calls. */
  internal: boolean;
}

/** Describes a Pub/Sub message being processed. */
export interface PubSubMessageMeta {
  type: "pubsub-message";
  service: string;
  topic: string;
  subscription: string;
  messageId: string;
  deliveryAttempt: number;
  parsedPayload?: Record<string, any>;
}

/** Information about the active trace. */
export interface TraceData {
  traceId: string;
  spanId: string;
  parentTraceId?: string;
  parentSpanId?: string;
  extCorrelationId?: string;
}

/** Fields shared by every kind of request meta. */
export interface BaseRequestMeta {
  trace?: TraceData;
}

/** Describes an API call or Pub/Sub message being processed. */
export type RequestMeta = (APICallMeta | PubSubMessageMeta) & BaseRequestMeta;

/** The path parameters of a typed call, picked from its decoded payload (Rust merged them in, typed). */
function pathParamsOf(payload: unknown, names: readonly string[]): Record<string, any> {
  const out: Record<string, any> = {};
  if (payload === null || typeof payload !== "object") return out;
  for (const n of names) if (n in (payload as Record<string, unknown>)) out[n] = (payload as Record<string, unknown>)[n];
  return out;
}

/** The Pub/Sub delivery being handled (pubsub/runtime.ts keeps it under this symbol), if any. */
function currentDelivery(): PubSubMessageMeta | undefined {
  const store = (globalThis as unknown as Record<symbol, { getStore(): unknown } | undefined>)[Symbol.for("reprise.pubsub.als")];
  const m = store?.getStore() as { id: string; topic: string; subscription: string; deliveryAttempt: number; service: string | null; payload: unknown } | undefined;
  if (!m) return undefined;
  const parsedPayload = m.payload !== null && typeof m.payload === "object" ? (m.payload as Record<string, any>) : undefined;
  return { type: "pubsub-message", service: m.service ?? "", topic: m.topic, subscription: m.subscription, messageId: m.id, deliveryAttempt: m.deliveryAttempt, parsedPayload };
}

/**
 * The request being handled: an API call (`type: "api-call"`), a Pub/Sub delivery (`type: "pubsub-message"`,
 * inside a subscription handler, also after an `await`), or undefined outside both.
 */
export function currentRequest(): RequestMeta | undefined {
  const st = currentState();
  if (!st) return currentDelivery();
  const q = st.pathAndQuery.indexOf("?");
  const meta: APICallMeta = {
    type: "api-call",
    api: { service: st.endpoint.service, endpoint: st.endpoint.name, raw: st.endpoint.raw, auth: st.endpoint.auth, tags: st.endpoint.tags },
    method: st.method as Method,
    path: q >= 0 ? st.pathAndQuery.slice(0, q) : st.pathAndQuery,
    pathAndQuery: st.pathAndQuery,
    pathParams: st.pathParams ?? pathParamsOf(st.parsedPayload, st.endpoint.pathParams ?? []),
    // Read lazily: typed endpoints fetch headers from Rust only when asked.
    get headers() {
      return st.headers ?? {};
    },
    parsedPayload: st.parsedPayload as Record<string, any> | undefined,
    middlewareData: st.middlewareData,
    get signal() {
      return st.signal;
    },
    internal: st.internal,
  };
  return meta;
}

export type EnvironmentType = "production" | "development" | "ephemeral" | "test";
export type CloudProvider = "aws" | "gcp" | "azure" | "encore" | "local";
export interface EnvironmentMeta {
  name: string;
  type: EnvironmentType;
  cloud: CloudProvider;
}
export interface BuildMeta {
  revision: string;
  uncommittedChanges: boolean;
}
export interface HostedService {
  name: string;
}
export interface DeployMeta {
  id: string;
  hostedServices: HostedService[];
}

export interface AppMeta {
  appId: string;
  apiBaseUrl: string;
  environment: EnvironmentMeta;
  build: BuildMeta;
  deploy: DeployMeta;
}

/** Facts about the running app. */
export function appMeta(): AppMeta {
  const g = globalThis as unknown as Record<symbol, AppMeta | undefined>;
  return (
    g[Symbol.for("reprise.appMeta")] ?? {
      appId: "",
      apiBaseUrl: "",
      environment: { name: "local", type: "development" as const, cloud: "local" as const },
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
