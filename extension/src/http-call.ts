/**
 * Sends an API explorer request from the extension host (the webview has no network access by CSP) and
 * packages the answer for display: status, headers, body (cut at a display limit) and wall-clock time.
 */
import { draftUrl, type CallResult, type RequestDraft } from "@reprise/webviews";

export const BODY_DISPLAY_LIMIT = 1 << 20;

/**
 * `extraHeaders` are added to the draft's own (the run's token for a tool route: the user never sees or edits it,
 * and it is never sent to an app route).
 */
export async function sendDraft(baseUrl: string, draft: RequestDraft, timeoutMs = 30_000, extraHeaders: Record<string, string> = {}): Promise<CallResult> {
  let url = "";
  const started = performance.now();
  try {
    url = draftUrl(baseUrl, draft);
    const headers = new Headers();
    for (const h of draft.headers) if (h.name) headers.append(h.name, h.value);
    for (const [name, value] of Object.entries(extraHeaders)) if (!headers.has(name)) headers.set(name, value);
    const method = draft.method.toUpperCase();
    const hasBody = draft.body.trim() !== "" && method !== "GET" && method !== "HEAD";
    const res = await fetch(url, { method, headers, body: hasBody ? draft.body : undefined, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    const text = await res.text();
    const timeMs = performance.now() - started;
    const outHeaders: { name: string; value: string }[] = [];
    res.headers.forEach((value, name) => outHeaders.push({ name, value }));
    return {
      ok: res.ok, status: res.status, statusText: res.statusText, headers: outHeaders,
      body: text.length > BODY_DISPLAY_LIMIT ? text.slice(0, BODY_DISPLAY_LIMIT) : text,
      truncated: text.length > BODY_DISPLAY_LIMIT, timeMs, error: null, url,
    };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const reason = err.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : err.cause?.code === "ECONNREFUSED" ? "connection refused (is the app running?)" : err.cause?.message ?? err.message;
    return { ok: false, status: 0, statusText: "", headers: [], body: "", truncated: false, timeMs: performance.now() - started, error: reason, url };
  }
}
