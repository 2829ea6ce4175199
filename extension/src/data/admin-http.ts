/**
 * The extension host's side of the data pages' "admin" requests and of the data trees: one HTTP call to the
 * running app's admin routes, with the run's token added here (a page never sees it). Only paths under
 * `/__reprise/admin/` on the app's own origin are sent (page messages are untrusted input). Pure Node.
 */
import { ADMIN_API_PATH } from "@reprise/protocol";

export interface AdminHttpAnswer {
  /** 0 when no HTTP answer came back (then `error` says why). */
  status: number;
  contentType: string;
  body: Buffer;
  error: string | null;
  /** Response headers the callers look at (content-disposition). */
  headers: Record<string, string>;
}

export const ADMIN_HTTP_TIMEOUT_MS = 60_000;

/** The URL for an admin path on the app at `baseUrl`, or an error text when the path leaves the admin routes. */
export function adminUrl(baseUrl: string, path: string): URL | string {
  if (typeof path !== "string" || !path.startsWith(`${ADMIN_API_PATH}/`)) return `not an admin route: ${String(path).slice(0, 100)}`;
  let url: URL;
  try {
    url = new URL(path, baseUrl);
  } catch {
    return `bad path: ${path.slice(0, 100)}`;
  }
  const base = new URL(baseUrl);
  if (url.origin !== base.origin || !url.pathname.startsWith(`${ADMIN_API_PATH}/`)) return `not an admin route: ${path.slice(0, 100)}`;
  return url;
}

export async function adminHttp(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
  contentType?: string,
  timeoutMs = ADMIN_HTTP_TIMEOUT_MS,
): Promise<AdminHttpAnswer> {
  const url = adminUrl(baseUrl, path);
  const fail = (error: string): AdminHttpAnswer => ({ status: 0, contentType: "", body: Buffer.alloc(0), error, headers: {} });
  if (typeof url === "string") return fail(url);
  if (!["GET", "POST", "PUT", "DELETE"].includes(method)) return fail(`method not allowed: ${method}`);
  try {
    const res = await fetch(url, {
      method,
      headers: { ...headers, ...(contentType ? { "content-type": contentType } : {}) },
      body: body === undefined ? undefined : typeof body === "string" ? body : new Uint8Array(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const picked: Record<string, string> = {};
    for (const h of ["content-disposition", "etag"]) {
      const v = res.headers.get(h);
      if (v) picked[h] = v;
    }
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: bytes, error: null, headers: picked };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    return fail(err.name === "TimeoutError" ? `no answer within ${Math.round(timeoutMs / 1000)} s`
      : err.cause?.code === "ECONNREFUSED" ? "connection refused (is the app running?)" : err.cause?.message ?? err.message);
  }
}

/** The JSON of an answer, or a displayable error (AdminError's code and message when the runtime sent one). */
export function adminJson<T>(r: AdminHttpAnswer): { ok: true; value: T } | { ok: false; message: string; code: string; details?: unknown } {
  if (r.error) return { ok: false, code: "unavailable", message: r.error };
  const text = r.body.toString("utf8");
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = undefined;
  }
  if (r.status >= 200 && r.status < 300) {
    if (json === undefined) return { ok: false, code: "bad_response", message: `not JSON: ${text.slice(0, 200)}` };
    return { ok: true, value: json as T };
  }
  const e = (json ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof e.code === "string") return { ok: false, code: e.code, message: `${r.status} ${e.code}${typeof e.message === "string" && e.message ? `: ${e.message}` : ""}`, details: e.details };
  const hint = r.status === 404 ? " (this runtime has no data admin routes yet; update @reprise/cli)" : "";
  return { ok: false, code: `http_${r.status}`, message: `${r.status}${hint}${text ? `: ${text.slice(0, 200)}` : ""}` };
}

/** The last path segment of an object key, made safe as a file name (no separators, control or reserved characters). */
export function safeFileName(key: string): string {
  const last = key.split("/").filter(Boolean).pop() ?? "";
  const clean = last.replace(/[\u0000-\u001f<>:"/\\|?*]/g, "_").replace(/^\.+$/, "_").slice(0, 120);
  return clean || "object";
}
