/**
 * The JS half of the runtime bridge. Rust decodes and validates each request, then sends batches of events
 * through one threadsafe function; this module runs the auth handler, middleware and the endpoint handler inside
 * the request's AsyncLocalStorage context and answers with one native `respond` call per request.
 *
 * Batch layout (runtime/src/batch.rs): `onBatch(ints, text, extras)`. `ints` is a Uint32Array of events, one
 * after the other; a string field is given in `ints` by its length in UTF-16 units and its text is the next part of
 * `text` (strings are read in order); `xi` indexes `extras` (raw body chunks as Buffers, raw header lists).
 *   1|9 id ep authKind m mLen paramsLen authLen pqLen     typed call (9 = service-to-service)
 *   2 id reason                                           abort (1 client gone, 2 deadline, 3 shutdown, 4 raw body over its limit)
 *   3 id ep authKind m mLen pathParamsLen authLen pqLen xi  raw request start (extras[xi]: flat headers)
 *   4 id xi                                               raw body chunk (extras[xi]: Buffer); 5 id: end of body
 *   6 id ep authKind m mLen paramsLen authLen pqLen ppLen xi  stream open (pathParams JSON; extras[xi]: flat
 *                                                           upgrade-request headers); 7 id textLen: message; 8 id: closed
 *   10 id                                                 the raw response's / stream's outbound queue drained
 * m: the method by number (METHODS), or 0 with the method's text (mLen > 0). params "" means no params object.
 * authKind: 0 none, 1 auth-handler params (JSON), 2 propagated auth data (JSON); | 4 when Rust records the
 * request's trace in detail (then its auth run, queries, logs, ... are reported: internal/tracing.ts).
 */
import type { AppModel, Endpoint as ModelEndpoint, JSONSchema } from "@reprise/protocol";
import { APIError, ERR_STATUS, ErrCode, isAPIError } from "../api/error.js";
import { HandlerResponse, MiddlewareRequest, runMiddleware, targets, type Middleware } from "../api/middleware.js";
import log from "../log/index.js";
import { als, headerRecord, RequestState, type AbortCause, type EndpointInfo } from "./context.js";
import { native } from "./native.js";
import { declOf, registry, type EndpointKind } from "./registry.js";
import { RawRequest, RawResponse } from "./raw.js";
import { StreamHandle } from "./streams.js";
import { recordError, recordSpan, SpanKind, spanStart } from "./tracing.js";

type Fn = (...args: any[]) => any;

interface ResponsePlan {
  status: string | null;
  headers: [prop: string, wire: string][];
  cookies: [prop: string, wire: string][];
}

interface EndpointRuntime {
  info: EndpointInfo;
  kind: EndpointKind;
  handler: Fn | null;
  middlewares: Middleware[];
  response: ResponsePlan | null;
}

export interface InstallOptions {
  model: AppModel;
  /** The values the app's entry module exports per endpoint, in model order (services, then endpoints). */
  endpoints: unknown[];
  /** The gateway's auth handler, when the app has one. */
  authHandler?: unknown;
}

/** Method numbers of the batch layout (runtime/src/batch.rs METHODS). */
const METHODS = ["", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CALL"];
const ABORT_CAUSE: Record<number, AbortCause> = { 1: "client_gone", 2: "deadline", 3: "shutdown", 4: "body_too_large" };
const INTERNAL_BODY = JSON.stringify({ code: "internal", message: "an internal error occurred", details: null });

/** Flattens the model's endpoints in the order the Rust side numbers them. */
export function modelEndpoints(model: AppModel): ModelEndpoint[] {
  return model.app.services.flatMap((s) => s.endpoints);
}

function responsePlan(schema: JSONSchema | null): ResponsePlan | null {
  const props = (schema?.properties ?? null) as Record<string, JSONSchema> | null;
  if (!props) return null;
  const plan: ResponsePlan = { status: null, headers: [], cookies: [] };
  for (const [name, p] of Object.entries(props)) {
    const src = p["x-reprise-source"];
    const wire = (p["x-reprise-name"] as string | undefined) ?? name;
    if (src === "httpStatus") plan.status = name;
    else if (src === "header") plan.headers.push([name, wire]);
    else if (src === "cookie") plan.cookies.push([name, wire]);
  }
  return plan.status || plan.headers.length || plan.cookies.length ? plan : null;
}

function cookieHeader(name: string, c: unknown): string {
  if (typeof c !== "object" || c === null) return `${name}=${encodeURIComponent(String(c))}`;
  const o = c as Record<string, unknown>;
  let s = `${name}=${encodeURIComponent(String(o.value ?? ""))}`;
  if (o.expires instanceof Date) s += `; Expires=${o.expires.toUTCString()}`;
  if (typeof o.maxAge === "number") s += `; Max-Age=${o.maxAge}`;
  if (o.domain) s += `; Domain=${o.domain}`;
  if (o.path) s += `; Path=${o.path}`;
  if (o.sameSite) s += `; SameSite=${o.sameSite}`;
  if (o.secure) s += "; Secure";
  if (o.httpOnly) s += "; HttpOnly";
  if (o.partitioned) s += "; Partitioned";
  return s;
}

export class AppHost {
  private readonly eps: EndpointRuntime[] = [];
  private readonly live = new Map<number, RequestState>();
  private readonly raws = new Map<number, { req: RawRequest; res: RawResponse }>();
  private readonly streams = new Map<number, StreamHandle>();
  private readonly authFn: Fn | null;
  private readonly authName: { service: string; name: string };
  private handle = 0;
  private flushQueued = false;

  constructor(opts: InstallOptions) {
    const services = registry().services;
    const list = modelEndpoints(opts.model);
    const problems: string[] = [];
    list.forEach((e, index) => {
      const value = opts.endpoints[index];
      const decl = declOf(value);
      if (!decl && !e.static) problems.push(`${e.service}.${e.name} (${e.location.file}): ${e.exported ? "is not an endpoint declaration" : "must be exported so the runtime can load it"}`);
      const info: EndpointInfo = {
        index,
        service: e.service,
        name: e.name,
        raw: e.raw,
        auth: e.auth,
        expose: e.expose,
        tags: e.tags,
        streaming: e.streaming,
        pathParams: e.pathSegments.filter((g) => g.type !== "literal").map((g) => g.value),
      };
      const mws = (services.get(e.service)?.middlewares ?? []).filter((m) => targets(m, { ...info, raw: e.raw }));
      this.eps.push({ info, kind: decl?.kind ?? "static", handler: (decl?.handler as Fn | null) ?? null, middlewares: mws, response: responsePlan(e.response) });
    });
    if (problems.length) throw new Error(`cannot load the app's endpoints:\n  ${problems.join("\n  ")}`);
    const ah = opts.authHandler;
    this.authFn = typeof ah === "function" ? (ah as Fn) : null;
    this.authName = { service: opts.model.app.authHandler?.service ?? "", name: opts.model.app.authHandler?.name ?? "auth" };
    if (opts.model.app.authHandler && !this.authFn) throw new Error(`the auth handler ${opts.model.app.authHandler.name} must be exported so the runtime can load it`);
  }

  /** Starts receiving requests on this JS thread (or, with `activate` false, when a reload names this handle). */
  install(activate = true): number {
    this.handle = native().installDispatcher((ints: Uint32Array, text: string, extras: unknown[] | null) => this.onBatch(ints, text, extras), activate);
    return this.handle;
  }

  get dispatcherHandle(): number {
    return this.handle;
  }

  uninstall(): void {
    if (this.handle) native().uninstallDispatcher(this.handle);
    this.handle = 0;
  }

  /** Requests this thread is still working on. */
  get inFlight(): number {
    return this.live.size + this.streams.size;
  }

  private onBatch(ints: Uint32Array, text: string, extras: unknown[] | null): void {
    let i = 0;
    let p = 0;
    const n = ints.length;
    const str = (len: number): string => (len === 0 ? "" : text.slice(p, (p += len)));
    while (i < n) {
      const kind = ints[i];
      switch (kind) {
        case 1:
        case 9:
        case 3:
        case 6: {
          const id = ints[i + 1];
          const ep = ints[i + 2];
          const authKind = ints[i + 3];
          const m = ints[i + 4];
          const method = m === 0 ? str(ints[i + 5]) : (METHODS[m] ?? "");
          const json = str(ints[i + 6]);
          const auth = str(ints[i + 7]);
          const pq = str(ints[i + 8]);
          if (kind === 3) {
            this.rawStart(id, ep, json, authKind, auth, method, pq, extras![ints[i + 9]] as string[]);
            i += 10;
          } else if (kind === 6) {
            const pathParams = str(ints[i + 9]);
            this.streamOpen(id, ep, json, authKind, auth, method, pq, pathParams, extras![ints[i + 10]] as string[]);
            i += 11;
          } else {
            this.call(kind === 9, id, ep, json, authKind, auth, method, pq);
            i += 9;
          }
          break;
        }
        case 2:
          this.abort(ints[i + 1], ABORT_CAUSE[ints[i + 2]] ?? "client_gone");
          i += 3;
          break;
        case 4:
          this.raws.get(ints[i + 1])?.req.deliver(extras![ints[i + 2]] as Buffer);
          i += 3;
          break;
        case 5:
          this.raws.get(ints[i + 1])?.req.push(null);
          i += 2;
          break;
        case 7: {
          const msg = str(ints[i + 2]);
          this.streams.get(ints[i + 1])?.deliver(msg);
          i += 3;
          break;
        }
        case 8:
          this.streamClosed(ints[i + 1]);
          i += 2;
          break;
        case 10: {
          const id = ints[i + 1];
          this.raws.get(id)?.res.drained();
          this.streams.get(id)?.drained();
          i += 2;
          break;
        }
        default:
          log.error("reprise: unknown runtime event; batch dropped", { kind });
          return;
      }
    }
  }

  private state(id: number, ep: EndpointRuntime, method: string, pq: string, internal: boolean, authKind: number, auth: string): RequestState {
    const st = new RequestState(id, ep.info, method, pq, internal);
    if (authKind & 4) st.traced = true;
    if ((authKind & 3) === 2) st.authData = JSON.parse(auth);
    return st;
  }

  /** Runs the auth handler when the request carries auth params; false when the request was answered instead. */
  private async authenticate(st: RequestState, ep: EndpointRuntime, authKind: number, auth: string): Promise<boolean> {
    if (authKind !== 1 || !this.authFn) return true;
    let data: unknown = null;
    const t0 = st.traced ? spanStart() : 0;
    try {
      data = await this.authFn(JSON.parse(auth));
      if (st.traced) recordSpan(st.id, SpanKind.Auth, this.authName.service, this.authName.name, "", data == null ? 0 : 1, t0);
    } catch (e) {
      if (st.traced) recordSpan(st.id, SpanKind.Auth, this.authName.service, this.authName.name, "", 0, t0, e);
      if (!(isAPIError(e) && e.code === ErrCode.Unauthenticated)) {
        this.fail(st, e);
        return false;
      }
      if (ep.info.auth) {
        this.fail(st, e);
        return false;
      }
    }
    if (data === null || data === undefined) {
      if (ep.info.auth) {
        this.fail(st, APIError.unauthenticated("missing or invalid authentication"));
        return false;
      }
      return true;
    }
    st.authData = data;
    return true;
  }

  private call(internal: boolean, id: number, epIndex: number, params: string, authKind: number, auth: string, method: string, pq: string): void {
    const ep = this.eps[epIndex];
    const st = this.state(id, ep, method, pq, internal, authKind, auth);
    authKind &= 3;
    this.live.set(id, st);
    const payload = params === "" ? undefined : JSON.parse(params);
    st.parsedPayload = payload;
    if (authKind === 1) {
      als.run(st, async () => {
        if (await this.authenticate(st, ep, authKind, auth)) this.invoke(st, ep, payload);
      });
    } else {
      als.run(st, () => this.invoke(st, ep, payload));
    }
  }

  private invoke(st: RequestState, ep: EndpointRuntime, payload: unknown): void {
    let r: unknown;
    try {
      r = ep.middlewares.length ? this.chain(st, ep, new MiddlewareRequest(), () => ep.handler!(payload, st)) : ep.handler!(payload, st);
    } catch (e) {
      this.fail(st, e);
      return;
    }
    if (r !== null && typeof r === "object" && typeof (r as Promise<unknown>).then === "function") {
      (r as Promise<unknown>).then(
        (v) => this.ok(st, ep, v),
        (e) => this.fail(st, e),
      );
    } else {
      this.ok(st, ep, r);
    }
  }

  /** Runs the endpoint's middleware in order around `handler` (api/middleware.ts). */
  private chain(st: RequestState, ep: EndpointRuntime, req: MiddlewareRequest, handler: () => unknown): Promise<HandlerResponse> {
    return runMiddleware(ep.middlewares, req, (data) => (st.middlewareData = data), handler);
  }

  private ok(st: RequestState, ep: EndpointRuntime, v: unknown): void {
    if (st.done) return;
    st.done = true;
    this.live.delete(st.id);
    let status = 200;
    let headers: string[] | null = null;
    if (v instanceof HandlerResponse) {
      if (v.hasHeaders) headers = v.header.flat();
      if (v.status) status = v.status;
      v = v.payload;
    }
    if (ep.response && v !== null && typeof v === "object") {
      const plan = ep.response;
      const out = { ...(v as Record<string, unknown>) };
      if (plan.status && typeof out[plan.status] === "number") status = out[plan.status] as number;
      if (plan.status) delete out[plan.status];
      for (const [prop, wire] of plan.headers) {
        if (out[prop] !== undefined) (headers ??= []).push(wire, String(out[prop]));
        delete out[prop];
      }
      for (const [prop, wire] of plan.cookies) {
        if (out[prop] !== undefined) (headers ??= []).push("set-cookie", cookieHeader(wire, out[prop]));
        delete out[prop];
      }
      v = out;
    }
    let body: string;
    try {
      body = v === undefined ? "" : JSON.stringify(v);
    } catch (e) {
      this.logFailure(st, e);
      this.answer(st.id, 500, INTERNAL_BODY, null);
      return;
    }
    this.answer(st.id, status, body, headers);
  }

  /**
   * Parks one reply in Rust; the replies of everything that settles in this microtask checkpoint are handed over
   * with one flush, so a batch of requests wakes the server's worker thread once rather than once per request.
   */
  private answer(id: number, status: number, body: string, headers: string[] | null): void {
    native().respond(id, status, body, headers);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushReplies);
    }
  }

  private readonly flushReplies = (): void => {
    this.flushQueued = false;
    native().flushReplies();
  };

  private logFailure(st: RequestState, e: unknown): void {
    log.error(e, "request failed", { service: st.endpoint.service, endpoint: st.endpoint.name, method: st.method, path: st.pathAndQuery });
  }

  /** Answers with an APIError's code and message, or a 500 that leaks nothing for anything else. */
  fail(st: RequestState, e: unknown): void {
    if (st.done) return;
    st.done = true;
    this.live.delete(st.id);
    if (isAPIError(e)) {
      const status = ERR_STATUS[e.code] ?? 500;
      // The error (and its stack) goes to the trace, never into the response. Sampled-out requests report only
      // failures that make the trace worth keeping.
      if (st.traced || status >= 500) recordError(st.id, e, e.code);
      if (status >= 500) this.logFailure(st, e);
      this.answer(st.id, status, JSON.stringify({ code: e.code, message: e.message, details: e.details ?? null }), null);
    } else {
      recordError(st.id, e);
      this.logFailure(st, e);
      this.answer(st.id, 500, INTERNAL_BODY, null);
    }
  }

  private abort(id: number, cause: AbortCause): void {
    const st = this.live.get(id);
    if (!st) return;
    this.live.delete(id);
    st.done = true;
    st.abort(cause);
    const raw = this.raws.get(id);
    if (raw) {
      this.raws.delete(id);
      raw.req.destroy();
      raw.res.destroy();
    }
  }

  private rawStart(id: number, epIndex: number, pathParams: string, authKind: number, auth: string, method: string, pq: string, flat: string[]): void {
    const ep = this.eps[epIndex];
    const st = this.state(id, ep, method, pq, false, authKind, auth);
    authKind &= 3;
    st.pathParams = JSON.parse(pathParams);
    const req = new RawRequest(method, pq, flat);
    req.id = id;
    st.headers = req.headers as Record<string, string | string[]>;
    const res = new RawResponse(id, () => {
      this.raws.delete(id);
      this.live.delete(id);
    });
    this.live.set(id, st);
    this.raws.set(id, { req, res });
    als.run(st, async () => {
      if (!(await this.authenticate(st, ep, authKind, auth))) return;
      try {
        if (ep.middlewares.length) {
          await this.chain(st, ep, new MiddlewareRequest(undefined, req as never, res as never), () => ep.handler!(req, res));
        } else {
          await ep.handler!(req, res);
        }
      } catch (e) {
        if (!res.headersSent) {
          this.raws.delete(id);
          this.fail(st, e);
        } else {
          recordError(st.id, e);
          this.logFailure(st, e);
          res.destroy();
        }
      }
    });
  }

  private streamOpen(id: number, epIndex: number, params: string, authKind: number, auth: string, method: string, pq: string, pathParams: string, flat: string[]): void {
    const ep = this.eps[epIndex];
    const st = this.state(id, ep, method, pq, false, authKind, auth);
    authKind &= 3;
    st.headers = headerRecord(flat);
    const stream = new StreamHandle(id, ep.kind === "streamOut");
    this.streams.set(id, stream);
    const handshake = params === "" ? undefined : JSON.parse(params);
    // Rust sends the path params as text; the handshake holds them decoded as declared (`n: number` → 2), which
    // is what requestMeta.pathParams gives for typed endpoints too.
    const fromPath = (pathParams === "" ? {} : JSON.parse(pathParams)) as Record<string, unknown>;
    if (handshake !== null && typeof handshake === "object") {
      for (const k of Object.keys(fromPath)) if (k in handshake) fromPath[k] = (handshake as Record<string, unknown>)[k];
    }
    st.pathParams = fromPath;
    st.parsedPayload = handshake;
    const handler = ep.handler!;
    als.run(st, async () => {
      try {
        if (authKind === 1 && this.authFn) {
          let data: unknown = null;
          try {
            data = await this.authFn(JSON.parse(auth));
          } catch {
            data = null;
          }
          if (data == null && ep.info.auth) return stream.close(4001, "unauthenticated");
          st.authData = data ?? null;
        }
        const run = () => (handler.length >= 2 ? handler(handshake, stream) : handler(stream));
        const result = ep.middlewares.length ? await this.chain(st, ep, new MiddlewareRequest(stream), run) : await run();
        const value = result instanceof HandlerResponse ? result.payload : result;
        if (ep.kind === "streamIn" && value !== undefined) await stream.send(value);
        await stream.close();
      } catch (e) {
        if (!isAPIError(e)) {
          recordError(st.id, e);
          this.logFailure(st, e);
        }
        await stream.close(1011, isAPIError(e) ? e.message.slice(0, 120) : "internal error");
      }
    });
    stream.onClose = () => st.abort("client_gone");
  }

  private streamClosed(id: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    this.streams.delete(id);
    s.closedByPeer();
  }
}

let current: AppHost | null = null;

/** Loads an app's endpoints on this JS thread and starts taking requests (replacing a previous app on this thread). */
export function installApp(opts: InstallOptions, activate = true): AppHost {
  const host = new AppHost(opts);
  host.install(activate);
  current?.uninstall();
  current = host;
  return host;
}

export interface ServeOptions {
  model: AppModel;
  appRoot: string;
  port: number;
  host?: string;
  requestTimeoutMs?: number;
  /**
   * This run's token for the tool routes (`/__reprise/*`: traces, cron and pub/sub admin), required from their
   * callers as `Authorization: Bearer <token>` (runtime/src/tool_routes.rs). At least 32 characters of
   * `A-Za-z0-9-._~+/=`. Without one the tool routes stay closed (only `/__reprise/healthz` answers).
   */
  toolToken?: string;
  /**
   * The browser dashboard's folder (its page, scripts and styles), served at `/__reprise/` and `/__reprise/ui/*`
   * with the loopback checks but without the token (they hold no data; runtime/src/dashboard.rs). Unset: not served.
   */
  dashboardDir?: string;
}

/** Binds the HTTP listener (once per process); resolves with the bound port. */
export function startServer(opts: ServeOptions): Promise<number> {
  return native().start({
    model: JSON.stringify(opts.model),
    appRoot: opts.appRoot,
    port: opts.port,
    host: opts.host,
    requestTimeoutMs: opts.requestTimeoutMs,
    toolToken: opts.toolToken,
    dashboardDir: opts.dashboardDir,
  });
}

/** Swaps the routed model without dropping the listener (watch mode). */
export function reloadModel(model: AppModel, appRoot: string, dispatcher?: number): void {
  native().reload(JSON.stringify(model), appRoot, dispatcher ?? null);
}

/**
 * The dispatch's state (runtime/src/binding.rs `dispatchState`): each JS thread's dispatcher with its queue length
 * and wake-up flags, pending requests and parked replies. `reprise run` prints it on SIGUSR2, so a request that
 * gets no answer can be diagnosed from outside the process.
 */
export function dispatchState(): { dispatchers: { handle: number; current: boolean; queued: number; scheduled: boolean; closed: boolean }[]; pending: number; parkedReplies: number } {
  return JSON.parse(native().dispatchState());
}

/** Stops accepting and waits (bounded) for in-flight requests. Resolves with the connections left open. */
export function shutdownServer(graceMs: number): Promise<number> {
  return native().shutdown(graceMs);
}
