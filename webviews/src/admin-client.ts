/**
 * A page's client of the runtime's admin API, over its Host (see host.ts): `get`/`send` post an "admin" request
 * and resolve with the decoded answer; `confirm` and `download` ask the host. Answers are matched by id; an
 * answer nobody waits for is ignored. Pure page code (no DOM beyond what Host gives), so node tests drive it with a
 * fake host.
 */
import type { AdminMethod, Host, HostToPageCommon, PageToHostCommon, WireBody } from "./host.js";

/** The runtime's error body (protocol's AdminError), or one made up for answers that are not JSON. */
export interface AdminFailure {
  code: string;
  message: string;
  details?: unknown;
}

export type AdminAnswer<T> = { ok: true; status: number; value: T } | { ok: false; status: number; error: AdminFailure };

export interface AdminClient {
  get<T>(path: string): Promise<AdminAnswer<T>>;
  send<T>(method: AdminMethod, path: string, body?: WireBody, contentType?: string): Promise<AdminAnswer<T>>;
  /** The raw answer (bytes for object previews). */
  raw(method: AdminMethod, path: string): Promise<Extract<HostToPageCommon, { type: "adminResult" }>>;
  confirm(message: string, action: string, detail?: string): Promise<boolean>;
  download(path: string, fileName: string): Promise<{ ok: boolean; error: string | null }>;
  /** Give every host message to this first; true when it was an answer this client consumed. */
  handle(message: unknown): boolean;
}

export function adminClient<Out extends { type: string }>(host: Pick<Host<unknown, Out | PageToHostCommon, unknown>, "postMessage">): AdminClient {
  let nextId = 1;
  const waiting = new Map<number, (m: HostToPageCommon) => void>();
  const ask = <M extends HostToPageCommon>(msg: PageToHostCommon): Promise<M> =>
    new Promise((resolve) => {
      waiting.set(msg.id, resolve as (m: HostToPageCommon) => void);
      host.postMessage(msg);
    });
  const raw = (method: AdminMethod, path: string, body?: WireBody, contentType?: string) =>
    ask<Extract<HostToPageCommon, { type: "adminResult" }>>({ type: "admin", id: nextId++, method, path, ...(body !== undefined ? { body } : {}), ...(contentType ? { contentType } : {}) });
  const send = async <T>(method: AdminMethod, path: string, body?: WireBody, contentType?: string): Promise<AdminAnswer<T>> =>
    decodeAnswer<T>(await raw(method, path, body, contentType));
  return {
    get: (path) => send("GET", path),
    send,
    raw: (method, path) => raw(method, path),
    confirm: async (message, action, detail) => (await ask<Extract<HostToPageCommon, { type: "confirmResult" }>>({ type: "confirm", id: nextId++, message, action, ...(detail ? { detail } : {}) })).ok,
    download: async (path, fileName) => {
      const r = await ask<Extract<HostToPageCommon, { type: "downloadResult" }>>({ type: "download", id: nextId++, path, fileName });
      return { ok: r.ok, error: r.error };
    },
    handle(message) {
      const m = message as HostToPageCommon | null;
      if (!m || typeof m !== "object" || !["adminResult", "confirmResult", "downloadResult"].includes(m.type) || typeof m.id !== "number") return false;
      const resolve = waiting.get(m.id);
      if (!resolve) return true;
      waiting.delete(m.id);
      resolve(m);
      return true;
    },
  };
}

/** An admin answer as success (JSON value; 204 gives null) or failure (AdminError, else a made-up code). */
export function decodeAnswer<T>(r: Extract<HostToPageCommon, { type: "adminResult" }>): AdminAnswer<T> {
  if (r.error !== null || r.status === 0) return { ok: false, status: 0, error: { code: "unavailable", message: r.error ?? "no answer" } };
  const text = typeof r.body === "string" ? r.body : "";
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: handled below
    }
  }
  if (r.status >= 200 && r.status < 300) {
    if (r.status === 204 || text === "") return { ok: true, status: r.status, value: null as T };
    if (json === undefined) return { ok: false, status: r.status, error: { code: "bad_response", message: `not JSON: ${text.slice(0, 200)}` } };
    return { ok: true, status: r.status, value: json as T };
  }
  const e = (json ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof e.code === "string") return { ok: false, status: r.status, error: { code: e.code, message: typeof e.message === "string" ? e.message : "", details: e.details } };
  const hint = r.status === 404 ? " (is this runtime older than the data admin routes?)" : "";
  return { ok: false, status: r.status, error: { code: `http_${r.status}`, message: `${text.slice(0, 200)}${hint}` } };
}

/** "400 invalid_argument: syntax error at or near …" */
export function describeFailure(status: number, e: AdminFailure): string {
  const head = status ? `${status} ${e.code}` : e.code;
  return e.message ? `${head}: ${e.message}` : head;
}
