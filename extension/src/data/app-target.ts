/**
 * Which running app the data views and pages talk to: the first app the runner knows as ready (started from VS
 * Code, or found answering on its port), else the configured port of the first app root (an app started in a
 * terminal still answers there). The token comes from the app's instance file, read afresh for every request.
 */
import * as vscode from "vscode";
import type { AppModelStore } from "../app-models";
import type { AppRunner } from "../run";
import { runPort } from "../settings";
import { toolHeaders } from "../instances";
import { adminHttp, type AdminHttpAnswer } from "./admin-http";

export interface DataDeps {
  extensionUri: vscode.Uri;
  models: AppModelStore;
  runner: AppRunner;
  log: (line: string) => void;
  /** After a committed write from the SQL console: the data views reload (row counts, tables). */
  afterWrite?: () => void;
}

export function appTarget(deps: Pick<DataDeps, "models" | "runner">): { baseUrl: string; root: string | null; running: boolean } {
  const app = deps.runner.list().find((r) => r.ready);
  if (app) return { baseUrl: app.baseUrl, root: app.root, running: true };
  const root = deps.models.rootPaths()[0] ?? null;
  return { baseUrl: `http://127.0.0.1:${runPort(root ? vscode.Uri.file(root) : undefined)}`, root, running: false };
}

/** One admin call to the current app, token added; refused in restricted mode (the app runs the workspace's code). */
export function callAdmin(deps: Pick<DataDeps, "models" | "runner">, method: string, path: string, body?: Buffer | string, contentType?: string, extraHeaders: Record<string, string> = {}): Promise<AdminHttpAnswer> {
  if (!vscode.workspace.isTrusted) {
    return Promise.resolve({ status: 0, contentType: "", body: Buffer.alloc(0), error: "restricted mode: trust the workspace to talk to the app", headers: {} });
  }
  const t = appTarget(deps);
  const roots = [...(t.root ? [t.root] : []), ...deps.models.rootPaths()];
  return adminHttp(t.baseUrl, method, path, { ...toolHeaders(t.baseUrl, roots), ...extraHeaders }, body, contentType);
}
