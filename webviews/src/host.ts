/**
 * Where a webview page runs, behind one small interface: VS Code's webview API here, a fetch-with-token shell in
 * the browser dashboard (the runtime's `/__reprise/` page supplies its own Host). Pages never call
 * `acquireVsCodeApi` or `fetch` themselves, so the same bundle serves both faces.
 *
 * The data pages share a few page → host requests a sandboxed page cannot do alone: admin API calls (the host adds
 * the run's token; the page never sees it), confirmations (VS Code webviews have no `confirm()`), downloads and
 * opening another page. Each request carries an `id`; the answer echoes it.
 */
import { vscodeApi } from "./vscode-webview.js";

export interface Host<State, Out, In> {
  postMessage(message: Out): void;
  onMessage(handler: (message: In) => void): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare global {
  interface Window {
    /** Set by the browser dashboard's shell before a page's bundle runs; absent inside VS Code. */
    repriseHost?: unknown;
  }
}

/** The page's Host: the browser shell's when it installed one, else VS Code's. */
export function pageHost<State, Out, In>(): Host<State, Out, In> {
  return (window.repriseHost as Host<State, Out, In> | undefined) ?? vscodeHost<State, Out, In>();
}

/** The Host of a page inside a VS Code webview. */
export function vscodeHost<State, Out, In>(): Host<State, Out, In> {
  const api = vscodeApi<State, Out>();
  return {
    postMessage: (m) => api.postMessage(m),
    onMessage: (handler) => window.addEventListener("message", (e: MessageEvent<In>) => handler(e.data)),
    getState: () => api.getState(),
    setState: (s) => api.setState(s),
  };
}

export type AdminMethod = "GET" | "POST" | "PUT" | "DELETE";
/** Binary bodies travel base64-encoded (webview messages are structured-cloned JSON in VS Code). */
export type WireBody = string | { base64: string };

/** Requests every data page may send, besides its own messages. */
export type PageToHostCommon =
  | { type: "admin"; id: number; method: AdminMethod; path: string; body?: WireBody; contentType?: string }
  | { type: "confirm"; id: number; message: string; detail?: string; action: string }
  | { type: "download"; id: number; path: string; fileName: string };

/** The answers to them. `status` 0 with `error` set: no HTTP answer (app stopped, refused, timed out). */
export type HostToPageCommon =
  | { type: "adminResult"; id: number; status: number; contentType: string; body: WireBody; error: string | null }
  | { type: "confirmResult"; id: number; ok: boolean }
  | { type: "downloadResult"; id: number; ok: boolean; error: string | null };

export const PAGE_TO_HOST_COMMON_TYPES = ["admin", "confirm", "download"] as const satisfies readonly PageToHostCommon["type"][];
