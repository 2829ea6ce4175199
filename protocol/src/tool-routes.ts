/**
 * The contract of a running app's tool routes (`/__reprise/*`: traces, admin, healthz; runtime/src/tool_routes.rs)
 * and of the instance files through which tools find an app and its per-run token. `reprise run` writes one file
 * per running instance, `<app root>/.reprise/instances/<port>.json`, readable by its owner only (0600), and removes
 * it when it exits; the CLI (`reprise traces | cron | pubsub`) and the editor read it. Pure: the reading and
 * writing is the callers' (cli/src/instances.ts, extension/src/instances.ts). Also exported alone as
 * `@reprise/protocol/tool-routes`, so `reprise run` does not load the whole package for it.
 *
 * What the runtime enforces on every tool route but healthz: a loopback peer, a loopback `Host` with the app's
 * port (else 404), no foreign `Origin` on a state-changing request (403), and `Authorization: Bearer <token>`
 * with this run's token (401). `GET /__reprise/healthz` answers 200 to anyone and holds no data.
 */

/** Every tool route starts with this. */
export const TOOL_ROUTES_PREFIX = "/__reprise";

/** `GET /__reprise/healthz` → 200 `{"status":"ok"}`, to anyone (orchestrators' liveness probes). */
export const HEALTHZ_PATH = "/__reprise/healthz";

/** The folder of instance files, relative to the app root (POSIX separators). */
export const INSTANCES_DIR = ".reprise/instances";

/** The instance file of the app listening on `port`, relative to the app root. */
export function instanceFilePath(port: number): string {
  return `${INSTANCES_DIR}/${port}.json`;
}

/** One running instance of an app, as `reprise run` writes it. */
export interface InstanceRecord {
  /** The port the app listens on. */
  port: number;
  /** The `reprise run` process. A file whose process is gone is stale (left by a kill -9) and is ignored. */
  pid: number;
  /** This run's token for the tool routes: send it as `Authorization: Bearer <token>`. */
  token: string;
  /** The base URL a tool on this machine uses, e.g. `http://127.0.0.1:4000`. */
  url: string;
}

/** Whether a request path is a tool route (the runtime's own test, in TypeScript). */
export function isToolPath(path: string): boolean {
  return path === TOOL_ROUTES_PREFIX || path.startsWith(`${TOOL_ROUTES_PREFIX}/`);
}

/** The header that carries the token. */
export function toolAuthorization(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** Reads an instance file's text; null when it is not one (a half-written or foreign file is skipped, not fatal). */
export function parseInstanceRecord(text: string): InstanceRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  const o = v as Partial<InstanceRecord> | null;
  if (!o || typeof o !== "object") return null;
  const port = o.port;
  const pid = o.pid;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  if (typeof pid !== "number" || !Number.isInteger(pid) || pid < 1) return null;
  if (typeof o.token !== "string" || !/^[A-Za-z0-9\-._~+/=]{32,}$/.test(o.token)) return null;
  if (typeof o.url !== "string" || !/^https?:\/\//.test(o.url)) return null;
  return { port, pid, token: o.token, url: o.url };
}

/** The loopback URL tools use for an app bound to `host` (a wildcard address means this machine's loopback). */
export function loopbackUrl(host: string | undefined, port: number): string {
  const h = host ?? "127.0.0.1";
  if (h === "0.0.0.0" || h === "") return `http://127.0.0.1:${port}`;
  if (h === "::" || h === "[::]") return `http://[::1]:${port}`;
  return h.includes(":") && !h.startsWith("[") ? `http://[${h}]:${port}` : `http://${h}:${port}`;
}
