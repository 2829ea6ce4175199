/**
 * Middleware, as in encore.dev/api: `middleware(fn)` or `middleware({ target }, fn)`, registered through
 * `new Service(name, { middlewares: [...] })`. They run in array order around that service's matching endpoints.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface MiddlewareOptions {
  target?: {
    /** Only endpoints with this `auth` setting. */
    auth?: boolean;
    /** Only endpoints with this `expose` setting. */
    expose?: boolean;
    /** Only raw (true) or only non-raw (false) endpoints. */
    isRaw?: boolean;
    /** Only streaming (true) or only non-streaming (false) endpoints. */
    isStream?: boolean;
    /** Endpoints carrying any of these tags. */
    tags?: string[];
  };
}

/** Facts about the request a middleware sees. */
export interface RequestMeta {
  type: "api-call";
  api: { service: string; endpoint: string; raw: boolean; auth: boolean; tags: string[] };
  method: string;
  path: string;
  pathAndQuery: string;
  parsedPayload?: unknown;
}

export interface MiddlewareRequest {
  /** Present for typed and streaming endpoints. */
  readonly requestMeta?: RequestMeta;
  /** Present for raw endpoints. */
  readonly rawRequest?: IncomingMessage;
  readonly rawResponse?: ServerResponse;
  /** Present for streaming endpoints. */
  readonly stream?: unknown;
  /** Data a middleware passes on; the handler reads it as `currentRequest().middlewareData`. */
  readonly data: Record<string, unknown>;
}

/** Response headers a middleware may add to typed endpoints' responses. */
export class ResponseHeader {
  readonly entries: [string, string][] = [];
  set(key: string, value: string | string[]): void {
    const k = key.toLowerCase();
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i][0].toLowerCase() === k) this.entries.splice(i, 1);
    this.add(key, value);
  }
  add(key: string, value: string | string[]): void {
    for (const v of Array.isArray(value) ? value : [value]) this.entries.push([key, v]);
  }
}

/** What `next()` resolves to: the handler's payload, headers and status, adjustable before the response is sent. */
export class HandlerResponse {
  readonly header = new ResponseHeader();
  private statusCode: number | undefined;
  constructor(public payload: unknown) {}
  get status(): number | undefined {
    return this.statusCode;
  }
  set status(s: number | undefined) {
    this.statusCode = s;
  }
}

export type Next = (req: MiddlewareRequest) => Promise<HandlerResponse>;
export type MiddlewareFn = (req: MiddlewareRequest, next: Next) => Promise<HandlerResponse>;

export interface Middleware {
  readonly options: MiddlewareOptions;
  readonly fn: MiddlewareFn;
}

export function middleware(fn: MiddlewareFn): Middleware;
export function middleware(options: MiddlewareOptions, fn: MiddlewareFn): Middleware;
export function middleware(a: MiddlewareOptions | MiddlewareFn, b?: MiddlewareFn): Middleware {
  if (typeof a === "function") return { options: {}, fn: a };
  if (typeof b !== "function") throw new TypeError("middleware(options, fn): fn must be a function");
  return { options: a ?? {}, fn: b };
}

/** Whether a middleware applies to an endpoint with these properties. */
export function targets(m: Middleware, ep: { auth: boolean; expose: boolean; raw: boolean; streaming: string | null; tags: string[] }): boolean {
  const t = m.options.target;
  if (!t) return true;
  if (t.auth !== undefined && t.auth !== ep.auth) return false;
  if (t.expose !== undefined && t.expose !== ep.expose) return false;
  if (t.isRaw !== undefined && t.isRaw !== ep.raw) return false;
  if (t.isStream !== undefined && t.isStream !== (ep.streaming !== null)) return false;
  if (t.tags !== undefined && !t.tags.some((tag) => ep.tags.includes(tag))) return false;
  return true;
}
