/**
 * Middleware, as in encore.dev/api: `middleware(fn)` or `middleware({ target }, fn)`, registered through
 * `new Service(name, { middlewares: [...] })`. They run in array order around that service's matching endpoints.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { currentRequest, type RequestMeta } from "../index.js";

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

/** Facts about the request a middleware sees: `currentRequest()` (APICallMeta for endpoints). */
export type { RequestMeta, APICallMeta } from "../index.js";

/**
 * What a middleware receives, as encore.dev declares it: `requestMeta` for typed and streaming endpoints (read
 * lazily from the request being handled), `rawRequest` / `rawResponse` for raw endpoints, `stream` for streaming
 * ones, and `data`, which the handler reads as `currentRequest().middlewareData`. `next(req)` carries on with the
 * request it is given: the data the handler sees is the `data` of the request that reached it.
 */
export class MiddlewareRequest {
  private reqMeta: RequestMeta | undefined;
  private dataRecord: Record<string, any> | undefined;

  constructor(
    private readonly streamHandle?: unknown,
    private readonly rawReq?: IncomingMessage,
    private readonly rawResp?: ServerResponse,
  ) {}

  /** Set for typed and streaming endpoints; for raw ones see `rawRequest` and `rawResponse`. */
  get requestMeta(): RequestMeta | undefined {
    return this.reqMeta ?? (this.reqMeta = currentRequest());
  }

  /** Set for streaming endpoints. */
  get stream(): any {
    return this.streamHandle;
  }

  /** Set for raw endpoints (a Node.js `http.IncomingMessage`). */
  get rawRequest(): IncomingMessage | undefined {
    return this.rawReq;
  }

  /** Set for raw endpoints (a Node.js `http.ServerResponse`). */
  get rawResponse(): ServerResponse | undefined {
    return this.rawResp;
  }

  /** Data passed from middleware to the handler (`currentRequest().middlewareData`). */
  get data(): Record<string, any> {
    return (this.dataRecord ??= {});
  }
}

/** Response headers a middleware sets on a typed endpoint's response (`headers` is a plain record, as in Encore). */
export class ResponseHeader {
  headers: Record<string, string | string[]> = {};

  /** Sets a header, replacing what an earlier middleware set under the same key. */
  set(key: string, value: string | string[]): void {
    this.headers[key] = value;
  }

  /** Adds a value to a header, keeping what an earlier middleware set. */
  add(key: string, value: string | string[]): void {
    const prev = this.headers[key];
    this.headers[key] = prev === undefined ? value : [prev, value].flat();
  }

  /** Reprise: removes a header (as `delete header.headers[key]`, whatever the key's case). */
  delete(key: string): void {
    const k = key.toLowerCase();
    for (const name of Object.keys(this.headers)) if (name.toLowerCase() === k) delete this.headers[name];
  }

  /** The headers as a flat [name, value, ...] list for the runtime. */
  flat(): string[] {
    const out: string[] = [];
    for (const [k, v] of Object.entries(this.headers)) {
      if (Array.isArray(v)) for (const x of v) out.push(k, String(x));
      else if (v !== undefined) out.push(k, String(v));
    }
    return out;
  }
}

/** What `next()` resolves to: the handler's payload, headers and status, adjustable before the response is sent. */
export class HandlerResponse {
  /** The payload the typed or streaming handler returned. */
  payload: any;
  private headerMap: ResponseHeader | undefined;
  private statusCode: number | undefined;

  constructor(payload: any) {
    this.payload = payload;
  }

  /** Headers to add to a typed endpoint's response (raw endpoints: use `req.rawResponse`). */
  get header(): ResponseHeader {
    return (this.headerMap ??= new ResponseHeader());
  }

  /** Overrides the status of a successful typed response. */
  set status(s: number) {
    this.statusCode = s;
  }

  get status(): number | undefined {
    return this.statusCode;
  }

  /** @internal whether any header was set. */
  get hasHeaders(): boolean {
    return this.headerMap !== undefined && Object.keys(this.headerMap.headers).length > 0;
  }
}

export type Next = (req: MiddlewareRequest) => Promise<HandlerResponse>;
export type MiddlewareFn = (req: MiddlewareRequest, next: Next) => Promise<HandlerResponse>;

/** A middleware is the function itself, carrying its (frozen) options, as in encore.dev. */
export interface Middleware extends MiddlewareFn {
  options?: MiddlewareOptions;
}

export function middleware(fn: MiddlewareFn): Middleware;
export function middleware(options: MiddlewareOptions, fn: MiddlewareFn): Middleware;
export function middleware(a: MiddlewareOptions | MiddlewareFn, b?: MiddlewareFn): Middleware {
  if (typeof a === "function") return a as Middleware;
  if (typeof b !== "function") throw new TypeError("middleware(options, fn): fn must be a function");
  const mw: Middleware = (req, next) => b(req, next);
  mw.options = Object.freeze({ ...(a ?? {}) });
  return mw;
}

/** Whether a middleware applies to an endpoint with these properties. */
export function targets(m: Middleware, ep: { auth: boolean; expose: boolean; raw: boolean; streaming: string | null; tags: string[] }): boolean {
  const t = m.options?.target;
  if (!t) return true;
  if (t.auth !== undefined && t.auth !== ep.auth) return false;
  if (t.expose !== undefined && t.expose !== ep.expose) return false;
  if (t.isRaw !== undefined && t.isRaw !== ep.raw) return false;
  if (t.isStream !== undefined && t.isStream !== (ep.streaming !== null)) return false;
  if (t.tags !== undefined && !t.tags.some((tag) => ep.tags.includes(tag))) return false;
  return true;
}

/**
 * Runs middleware in order around a handler, as encore.dev does: each `next(req)` carries on with the request it
 * is given, and the handler sees the `data` of the request that reached it as `middlewareData`. A handler's
 * value is wrapped in a HandlerResponse (one it returns itself is passed on as is).
 * @internal used by the runtime host.
 */
export function runMiddleware(
  chain: readonly Middleware[],
  first: MiddlewareRequest,
  setMiddlewareData: (data: Record<string, any>) => void,
  handler: () => unknown,
): Promise<HandlerResponse> {
  const run = async (i: number, req: MiddlewareRequest): Promise<HandlerResponse> => {
    const mw = chain[i];
    if (mw === undefined) {
      if (!(req instanceof MiddlewareRequest)) throw new TypeError("next(req): req must be the MiddlewareRequest the middleware was given (or a new MiddlewareRequest)");
      setMiddlewareData(req.data);
      const v = await handler();
      return v instanceof HandlerResponse ? v : new HandlerResponse(v);
    }
    return mw(req, (next) => run(i + 1, next));
  };
  return run(0, first);
}
