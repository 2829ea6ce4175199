/**
 * The trace viewer page. Static markup; the only values put in are the nonce and the script URI, both escaped.
 * The CSP allows the page's scripts and its one style element with the per-load nonce, and no network at all.
 */
export interface TracesPageResources {
  cspSource: string;
  nonce: string;
  /** Script URIs, loaded in order (the viewer's bundle last). */
  scripts: string[];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function tracesCsp(r: TracesPageResources): string {
  return ["default-src 'none'", `style-src 'nonce-${r.nonce}'`, `script-src 'nonce-${r.nonce}'`, `img-src ${r.cspSource}`, "connect-src 'none'"].join("; ");
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 12px; }
#toolbar { display: flex; gap: 8px; align-items: center; margin: 8px 0; }
#status { opacity: 0.8; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 2px 8px; white-space: nowrap; }
th { font-weight: 600; border-bottom: 1px solid var(--vscode-panel-border); }
tr.trace { cursor: pointer; }
tr.trace:hover, tr.trace.selected { background: var(--vscode-list-hoverBackground); }
tr.trace.error td.status { color: var(--vscode-errorForeground); }
#list { max-height: 40vh; overflow: auto; }
#detail h2 { font-size: 1.1em; margin: 12px 0 4px; }
.wf-row { display: grid; grid-template-columns: minmax(180px, 35%) 1fr; align-items: center; min-height: 20px; }
.wf-row.span { cursor: default; }
.wf-row.revealable .wf-name { cursor: pointer; text-decoration: underline dotted; }
.wf-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.wf-track { position: relative; height: 14px; }
.wf-bar { position: absolute; top: 2px; height: 10px; border-radius: 2px; background: var(--vscode-charts-blue); }
.wf-bar.kind-db { background: var(--vscode-charts-purple); }
.wf-bar.kind-call { background: var(--vscode-charts-green); }
.wf-bar.kind-auth { background: var(--vscode-charts-yellow); }
.wf-bar.kind-publish, .wf-bar.kind-message { background: var(--vscode-charts-orange); }
.wf-bar.error { background: var(--vscode-charts-red); }
.wf-label { position: absolute; top: 0; font-size: 0.85em; white-space: nowrap; padding-left: 4px; opacity: 0.85; }
.wf-event { margin-left: 24px; font-size: 0.9em; opacity: 0.9; white-space: pre-wrap; }
.wf-event.error { color: var(--vscode-errorForeground); }
.wf-axis { display: grid; grid-template-columns: minmax(180px, 35%) 1fr; font-size: 0.8em; opacity: 0.7; }
.wf-axis .ticks { position: relative; height: 14px; }
.wf-axis .ticks span { position: absolute; }
#selected-span { margin-top: 8px; font-family: var(--vscode-editor-font-family); font-size: 0.9em; white-space: pre-wrap; }
`;

export function tracesPage(r: TracesPageResources): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(tracesCsp(r))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${esc(r.nonce)}">${STYLE}</style>
<title>Reprise traces</title>
</head>
<body>
<div id="toolbar"><button id="refresh">Refresh</button><span id="status">Loading…</span></div>
<div id="list"><table><thead><tr><th>Time</th><th>Method</th><th>Path</th><th>Status</th><th>Duration</th><th>Spans</th></tr></thead><tbody id="rows"></tbody></table></div>
<div id="detail" hidden><h2 id="detail-title"></h2><div id="axis" class="wf-axis"></div><div id="waterfall"></div><div id="selected-span"></div></div>
${r.scripts.map((s) => `<script nonce="${esc(r.nonce)}" src="${esc(s)}"></script>`).join("\n")}
</body>
</html>`;
}
