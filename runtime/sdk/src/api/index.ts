/**
 * `reprise/api` (and `encore.dev/api` when an Encore app runs on Reprise): endpoint declarations, typed wire
 * fields, structured errors, middleware and the gateway. The analyser reads the declarations statically; at run
 * time these functions only record the handler so the runtime can call it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ENDPOINT, type EndpointDecl, type EndpointKind } from "../internal/registry.js";
import type { AuthHandler } from "../auth/index.js";
import type { StreamIn, StreamInOut, StreamOut } from "./stream.js";
import { testHooks } from "../internal/test-hooks.js";
import { RawRequest as RawRequestClass, RawResponse as RawResponseClass } from "../internal/raw.js";
import { unsupportedClass } from "../internal/unsupported.js";

export { APIError, ErrCode, type ErrDetails, isAPIError } from "./error.js";
export { middleware, HandlerResponse, MiddlewareRequest, ResponseHeader } from "./middleware.js";
export type { Middleware, MiddlewareFn, MiddlewareOptions, Next, RequestMeta } from "./middleware.js";
export type { StreamIn, StreamOut, StreamInOut, StreamOutWithResponse } from "./stream.js";

export type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS" | "TRACE" | "CONNECT";

export interface APIOptions {
  /** HTTP method(s); `"*"` accepts all but CONNECT. Default `"POST"`. */
  method?: Method | Method[] | "*";
  /** URL path: `/users/:id`, `/files/*path`, `/!fallback`. Default `/<service>.<endpoint>`. */
  path?: string;
  /** Reachable from outside the app. Default false (callable only by other services). */
  expose?: boolean;
  /** Requires authentication: 401 unless the auth handler accepts the request. Default false. */
  auth?: boolean;
  /** Largest accepted request body in bytes; `null` = unlimited. Default 2 MiB. */
  bodyLimit?: number | null;
  /** Tags for middleware targeting and client filters. */
  tags?: string[];
  /** Keep payloads out of traces. */
  sensitive?: boolean;
}

export interface StreamOptions {
  path?: string;
  expose?: boolean;
  auth?: boolean;
  tags?: string[];
  sensitive?: boolean;
}

export interface StaticOptions {
  /** Directory of files to serve (relative to the declaring file). */
  dir: string;
  /** Path; must end in `*name` or `!name`. */
  path?: string;
  expose?: boolean;
  auth?: boolean;
  /** File served when nothing matches. */
  notFound?: string;
  /** Status for `notFound`. Default 404. */
  notFoundStatus?: number;
  headers?: Record<string, string | string[]>;
}

/**
 * The second argument every typed handler gets (Reprise addition; Encore handlers simply ignore it).
 * `signal` fires when the client disconnects, the request deadline passes or the server shuts down.
 */
export interface HandlerContext {
  readonly signal: AbortSignal;
}

/** A request field read from an HTTP header: `Header<"X-Name">`, `Header<number, "X-Count">`. */
export type Header<TypeOrName extends string | number | boolean | Date = string, _Name extends string = string> = TypeOrName extends string
  ? string
  : TypeOrName;

/** A request field read from the query string: `Query<number>`, `Query<string[], "tag">`. */
export type Query<
  TypeOrName extends string | number | boolean | Date | string[] | number[] | boolean[] | Date[] = string,
  _Name extends string = string,
> = TypeOrName extends string ? string : TypeOrName;

/** A cookie: read from `Cookie` on requests, written as `Set-Cookie` in responses. */
export type Cookie<TypeOrName extends string | number | boolean | Date = string, _Name extends string = string> = CookieWithOptions<
  TypeOrName extends string ? string : TypeOrName
>;

/** The cookie shape of `Cookie<...>` fields. */
export type CookieWithOptions<T> = {
  value: T;
  expires?: Date;
  sameSite?: "Strict" | "Lax" | "None";
  domain?: string;
  path?: string;
  maxAge?: number;
  secure?: boolean;
  httpOnly?: boolean;
  partitioned?: boolean;
};

/** A response field that sets the HTTP status code. */
export type HttpStatus = number;
export const HttpStatus = {
  Continue: 100,
  OK: 200,
  Created: 201,
  Accepted: 202,
  NoContent: 204,
  MovedPermanently: 301,
  Found: 302,
  NotModified: 304,
  TemporaryRedirect: 307,
  PermanentRedirect: 308,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  Gone: 410,
  TooManyRequests: 429,
  InternalServerError: 500,
  NotImplemented: 501,
  ServiceUnavailable: 503,
} as const;

export type RawRequest = IncomingMessage;
export type RawResponse = ServerResponse;
/** The classes raw handlers receive (a Node.js Readable / Writable shaped like IncomingMessage / ServerResponse). */
export const RawRequest = RawRequestClass;
export const RawResponse = RawResponseClass;
/** encore.dev's name for the HttpStatus constants. */
export const HttpStatusValues = HttpStatus;
export type StreamInOutHandlerFn<HandshakeData, Request, Response> = HandshakeData extends void
  ? (stream: StreamInOut<Request, Response>) => Promise<void>
  : (data: HandshakeData, stream: StreamInOut<Request, Response>) => Promise<void>;
export type StreamOutHandlerFn<HandshakeData, Response> = HandshakeData extends void
  ? (stream: StreamOut<Response>) => Promise<void>
  : (data: HandshakeData, stream: StreamOut<Response>) => Promise<void>;
export type StreamInHandlerFn<HandshakeData, Request, Response> = HandshakeData extends void
  ? (stream: StreamIn<Request>) => Promise<Response>
  : (data: HandshakeData, stream: StreamIn<Request>) => Promise<Response>;
/** Stand-ins for encore.dev's stream wrapper classes (handlers receive Reprise's stream object instead). */
export const IterableSocket = unsupportedClass("api", "IterableSocket");
export const IterableStream = unsupportedClass("api", "IterableStream");
export const Sink = unsupportedClass("api", "Sink");
export type RawHandler = (req: IncomingMessage, resp: ServerResponse) => void | Promise<void>;

/** What `api()` returns: the handler itself, still callable. */
export type Endpoint<Params, Response> = ((params: Params, ctx?: HandlerContext) => Promise<Response>) & { readonly [ENDPOINT]?: EndpointDecl };

/** The value `api.static` returns. */
export interface StaticAssets {
  readonly [ENDPOINT]: EndpointDecl;
}
/** encore.dev exports the class; Reprise's `api.static(...)` builds the value (constructing it directly throws). */
export const StaticAssets = unsupportedClass("api", "StaticAssets");

function declare<T extends object>(target: T, kind: EndpointKind, options: unknown, handler: EndpointDecl["handler"]): T {
  if (options === null || typeof options !== "object") throw new TypeError(`api${kind === "typed" ? "" : "." + kind}: options must be an object`);
  if (kind !== "static" && typeof handler !== "function") throw new TypeError(`api${kind === "typed" ? "" : "." + kind}: the handler must be a function`);
  Object.defineProperty(target, ENDPOINT, { value: { kind, options: options as Record<string, unknown>, handler } satisfies EndpointDecl });
  return target;
}

/**
 * Declares a typed endpoint. Request fields come from the path, query, headers, cookies or JSON body according to
 * their types; the runtime validates them in Rust before `fn` runs.
 *
 * @example
 * export const get = api({ method: "GET", path: "/users/:id", expose: true }, async ({ id }: { id: number }) => load(id));
 */
function apiFn<Params extends object | void = void, Response extends object | void = void>(
  options: APIOptions,
  fn: (params: Params, ctx: HandlerContext) => Promise<Response> | Response,
): Endpoint<Params, Response> {
  const wrapped = async (params: Params, ctx?: HandlerContext): Promise<Response> => {
    // Under `reprise test`, a call from a test (outside any request) goes through the runtime.
    const viaRuntime = testHooks()?.call?.(wrapped, params);
    if (viaRuntime) return viaRuntime as Promise<Response>;
    return fn(params, ctx ?? { signal: new AbortController().signal });
  };
  return declare(wrapped, "typed", options, fn as EndpointDecl["handler"]) as Endpoint<Params, Response>;
}

/** An endpoint that handles the HTTP request itself with Node-style `req`/`resp` objects (body streamed). */
function raw(options: APIOptions, fn: RawHandler): RawHandler {
  const wrapped: RawHandler = (req, resp) => fn(req, resp);
  return declare(wrapped, "raw", options, fn as EndpointDecl["handler"]);
}

/** A WebSocket endpoint receiving a stream of messages and answering once: `(stream)` or `(handshake, stream)`. */
function streamIn<Handshake extends object | void, Request extends object, Response extends object | void = void>(
  options: StreamOptions,
  fn: ((handshake: Handshake, stream: StreamIn<Request>) => Promise<Response>) | ((stream: StreamIn<Request>) => Promise<Response>),
): (...args: any[]) => Promise<Response> {
  const wrapped = (...args: any[]) => (fn as (...a: any[]) => Promise<Response>)(...args);
  return declare(wrapped, "streamIn", options, fn as EndpointDecl["handler"]);
}

/** A WebSocket endpoint sending a stream of messages: `(stream)` or `(handshake, stream)`. */
function streamOut<Handshake extends object | void, Response extends object>(
  options: StreamOptions,
  fn: ((handshake: Handshake, stream: StreamOut<Response>) => Promise<void>) | ((stream: StreamOut<Response>) => Promise<void>),
): (...args: any[]) => Promise<void> {
  const wrapped = (...args: any[]) => (fn as (...a: any[]) => Promise<void>)(...args);
  return declare(wrapped, "streamOut", options, fn as EndpointDecl["handler"]);
}

/** A WebSocket endpoint with messages both ways: `(stream)` or `(handshake, stream)`. */
function streamInOut<Handshake extends object | void, Request extends object, Response extends object>(
  options: StreamOptions,
  fn: ((handshake: Handshake, stream: StreamInOut<Request, Response>) => Promise<void>) | ((stream: StreamInOut<Request, Response>) => Promise<void>),
): (...args: any[]) => Promise<void> {
  const wrapped = (...args: any[]) => (fn as (...a: any[]) => Promise<void>)(...args);
  return declare(wrapped, "streamInOut", options, fn as EndpointDecl["handler"]);
}

/** Serves the files of `dir` from Rust (no JS per request). Directories serve `index.html`. */
function staticAssets(options: StaticOptions): StaticAssets {
  return declare({}, "static", options, null) as StaticAssets;
}

/**
 * Declares an endpoint (see `apiFn`), with `api.raw`, `api.streamIn`, `api.streamOut`, `api.streamInOut` and
 * `api.static` for the other kinds.
 */
export const api: typeof apiFn & {
  raw: typeof raw;
  streamIn: typeof streamIn;
  streamOut: typeof streamOut;
  streamInOut: typeof streamInOut;
  static: typeof staticAssets;
} = Object.assign(apiFn, { raw, streamIn, streamOut, streamInOut, static: staticAssets });

export interface GatewayConfig {
  authHandler?: AuthHandler<any, any>;
}

/** The API gateway. Reprise embeds it in the runtime: its auth handler runs in-process before endpoints. */
export class Gateway {
  readonly name = "api-gateway";
  readonly config: GatewayConfig;
  constructor(cfg: GatewayConfig = {}) {
    this.config = cfg;
  }
}

/** Options for calls through generated service clients. */
export interface CallOpts {
  /** Overrides the auth data propagated from the current request. */
  authData?: unknown;
}
