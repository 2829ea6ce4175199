/**
 * Client of the runtime's admin routes (`/__reprise/admin/...`, tool routes: loopback only, with the run's token
 * from instances.ts), which do what plain HTTP to the app cannot: run a cron job whose endpoint is private (`expose: false`, 404 from outside). Publishing to a topic
 * goes through the API explorer's publish mode instead (the user edits the message first). Paths and answer types
 * are @reprise/protocol's (protocol/src/admin.ts, shared with the CLI). Pure Node (fetch), no VS Code API.
 */

import { cronRunPath, type AdminCronRun } from "@reprise/protocol";

/** An admin route's answer, folded into success or a displayable error. */
export type AdminResult<T> =
  | { ok: true; status: number; value: T; timeMs: number }
  | { ok: false; status: number; code: string; message: string; details?: unknown; timeMs: number };

export type CronRunValue = AdminCronRun;

/** POST /__reprise/admin/cron/<job>/run: runs the job once, now, and answers when its endpoint has returned. */
export function runCronNow(baseUrl: string, job: string, headers: Record<string, string>, timeoutMs = 120_000): Promise<AdminResult<CronRunValue>> {
  return post(baseUrl, cronRunPath(job), undefined, headers, timeoutMs, (v) => {
    const o = v as Partial<CronRunValue> | null;
    const ok = o && typeof o.durationMs === "number" && typeof o.job === "string" && (o.endpoint === null || (typeof o.endpoint?.service === "string" && typeof o.endpoint.name === "string"));
    return ok ? (o as CronRunValue) : undefined;
  });
}

async function post<T>(baseUrl: string, path: string, body: string | undefined, extraHeaders: Record<string, string>, timeoutMs: number, accept: (v: unknown) => T | undefined): Promise<AdminResult<T>> {
  const started = performance.now();
  const took = () => performance.now() - started;
  let res: Response;
  let text: string;
  try {
    res = await fetch(new URL(path, baseUrl), {
      method: "POST",
      headers: body === undefined ? extraHeaders : { ...extraHeaders, "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    text = await res.text();
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const message = err.name === "TimeoutError" ? `no answer within ${Math.round(timeoutMs / 1000)} s`
      : err.cause?.code === "ECONNREFUSED" ? "connection refused (is the app running?)" : err.cause?.message ?? err.message;
    return { ok: false, status: 0, code: "unavailable", message, timeMs: took() };
  }
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: reported below with the raw text
  }
  if (res.ok) {
    const value = accept(json);
    if (value !== undefined) return { ok: true, status: res.status, value, timeMs: took() };
    return { ok: false, status: res.status, code: "bad_response", message: `unexpected answer from ${path}: ${text.slice(0, 200)}`, timeMs: took() };
  }
  const e = (json ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof e.code === "string") {
    return { ok: false, status: res.status, code: e.code, message: typeof e.message === "string" ? e.message : "", details: e.details ?? undefined, timeMs: took() };
  }
  // No structured error: most likely a runtime without the admin routes (the app's own 404).
  const hint = res.status === 404 ? " (this reprise runtime has no admin routes; update @reprise/cli)" : "";
  return { ok: false, status: res.status, code: `http_${res.status}`, message: `${res.statusText || "error"}${hint}${text ? `: ${text.slice(0, 200)}` : ""}`, timeMs: took() };
}

/** One line for notifications and the output channel: "500 internal: boom" or "connection refused ...". */
export function describeError(r: Extract<AdminResult<unknown>, { ok: false }>): string {
  const head = r.status ? `${r.status} ${r.code}` : r.code;
  return r.message ? `${head}: ${r.message}` : head;
}
