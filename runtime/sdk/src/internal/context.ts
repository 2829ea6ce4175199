/**
 * The per-request context: which endpoint runs, its auth data, its AbortSignal, middleware data. Carried through
 * async code with AsyncLocalStorage so `getAuthData()`, `currentRequest()` and service clients find it without
 * being passed anything. The AbortController is created only when someone asks for the signal.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { native } from "./native.js";

export interface EndpointInfo {
  index: number;
  service: string;
  name: string;
  raw: boolean;
  auth: boolean;
  expose: boolean;
  tags: string[];
  streaming: string | null;
  /** The names of the endpoint's path parameters (`currentRequest().pathParams` of typed calls). */
  pathParams?: string[];
}

/** Why a request was aborted; `body_too_large`: a raw endpoint's streamed body passed its limit (Rust answered 413). */
export type AbortCause = "client_gone" | "deadline" | "shutdown" | "body_too_large";

export class RequestState {
  authData: unknown = null;
  middlewareData: Record<string, unknown> | undefined = undefined;
  parsedPayload: unknown = undefined;
  /** Set for raw and streaming requests; typed calls pick theirs from `parsedPayload` when asked. */
  pathParams: Record<string, unknown> | undefined = undefined;
  private headerRecord: Record<string, string | string[]> | undefined = undefined;
  done = false;
  /** Rust records this request's trace in detail: report spans for it (internal/tracing.ts). */
  traced = false;
  abortCause: AbortCause | null = null;
  private controller: AbortController | null = null;

  constructor(
    readonly id: number,
    readonly endpoint: EndpointInfo,
    readonly method: string,
    readonly pathAndQuery: string,
    readonly internal: boolean,
  ) {}

  /**
   * The request's headers (lower-case names, repeated ones as arrays). Raw endpoints set them up front; typed
   * endpoints fetch them from Rust on first read only, so requests whose handlers never look cost nothing.
   * Service-to-service calls have none.
   */
  get headers(): Record<string, string | string[]> | undefined {
    if (this.headerRecord === undefined && !this.internal) {
      const flat = native().requestHeaders(this.id);
      if (flat) this.headerRecord = headerRecord(flat);
    }
    return this.headerRecord;
  }

  set headers(h: Record<string, string | string[]> | undefined) {
    this.headerRecord = h;
  }

  /** Fires when the client disconnects, the request deadline passes, or the server shuts down. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortCause) this.controller.abort(abortReason(this.abortCause));
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortCause !== null;
  }

  abort(cause: AbortCause): void {
    if (this.abortCause) return;
    this.abortCause = cause;
    this.controller?.abort(abortReason(cause));
  }
}

/** A flat [name, value, ...] list as a record; repeated names become arrays. */
export function headerRecord(flat: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const k = flat[i];
    const prev = out[k];
    if (prev === undefined) out[k] = flat[i + 1];
    else if (Array.isArray(prev)) prev.push(flat[i + 1]);
    else out[k] = [prev, flat[i + 1]];
  }
  return out;
}

function abortReason(cause: AbortCause): Error {
  const e = new Error(
    cause === "client_gone"
      ? "the client closed the connection"
      : cause === "deadline"
        ? "the request deadline passed"
        : cause === "body_too_large"
          ? "the request body exceeds its limit"
          : "the server is shutting down",
  );
  e.name = "AbortError";
  (e as Error & { cause: string }).cause = cause;
  return e;
}

const KEY = Symbol.for("reprise.als");
const g = globalThis as unknown as Record<symbol, AsyncLocalStorage<RequestState> | undefined>;
export const als: AsyncLocalStorage<RequestState> = (g[KEY] ??= new AsyncLocalStorage<RequestState>());

export function currentState(): RequestState | undefined {
  return als.getStore();
}
