/**
 * Opening a trace from the API explorer's response: the runtime tags kept responses with `x-reprise-trace-id`;
 * after each explorer call that carries one, a status bar item offers the trace (and an open trace viewer refreshes
 * to show it). Attaches to whichever explorer panel exists, found when tabs change, so the explorer needs no hook.
 */
import * as vscode from "vscode";
import { TRACE_ID_HEADER } from "@reprise/protocol";

export interface RespondingPanel {
  onDidRespond: vscode.Event<{ headers: { name: string; value: string }[] }>;
}

export function traceIdOf(headers: { name: string; value: string }[]): string | null {
  const value = headers.find((h) => h.name.toLowerCase() === TRACE_ID_HEADER)?.value.trim();
  return value && /^[0-9a-f]{32}$/.test(value) ? value : null;
}

export function linkExplorerResponses(explorer: () => RespondingPanel | undefined, onTrace: (traceId: string) => void): vscode.Disposable {
  const item = vscode.window.createStatusBarItem("reprise.lastTrace", vscode.StatusBarAlignment.Left, 10);
  item.name = "Reprise: trace of the last API call";
  let attached: RespondingPanel | undefined;
  let subscription: vscode.Disposable | undefined;
  let hide: NodeJS.Timeout | undefined;
  const attach = () => {
    const current = explorer();
    if (current === attached) return;
    subscription?.dispose();
    attached = current;
    subscription = current?.onDidRespond((result) => {
      const traceId = traceIdOf(result.headers);
      if (!traceId) return;
      item.text = `$(pulse) Trace ${traceId.slice(0, 8)}`;
      item.tooltip = `Open trace ${traceId} of the last API explorer call`;
      item.command = { title: "Open trace", command: "reprise.openTrace", arguments: [traceId] };
      item.show();
      clearTimeout(hide);
      hide = setTimeout(() => item.hide(), 60_000);
      onTrace(traceId);
    });
  };
  attach();
  return vscode.Disposable.from(
    vscode.window.tabGroups.onDidChangeTabs(attach),
    item,
    { dispose: () => { subscription?.dispose(); clearTimeout(hide); } },
  );
}
