/**
 * The webview pages. Static markup with exactly two holes filled from the host: the CSP nonce and resource URIs
 * (both escaped). The CSP allows scripts only with the per-load nonce, no network (`connect-src 'none'`), and
 * images/styles/fonts only from the extension's own folder. `style-src 'unsafe-inline'` is needed because
 * mermaid writes a <style> element into every SVG it renders; scripts stay nonce-only.
 */
import { tracesPage } from "./traces/page.js";

export interface PageResources {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** Script URIs (as strings, already converted with asWebviewUri), loaded in order. */
  scripts: string[];
  style: string;
  title: string;
  /** CSP connect-src; 'none' unless given (the browser dashboard's pages fetch from their own origin: 'self'). */
  connectSrc?: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(r: PageResources, body: string): string {
  const csp = [
    "default-src 'none'",
    `img-src ${r.cspSource} data:`,
    `style-src ${r.cspSource} 'unsafe-inline'`,
    `font-src ${r.cspSource}`,
    `script-src 'nonce-${r.nonce}'`,
    `connect-src ${r.connectSrc ?? "'none'"}`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(r.style)}">
<title>${esc(r.title)}</title>
</head>
<body>
${body}
${r.scripts.map((s) => `<script nonce="${esc(r.nonce)}" src="${esc(s)}"></script>`).join("\n")}
</body>
</html>`;
}

export function diagramPage(r: PageResources): string {
  return page(r, `<div id="toolbar">
  <button id="zoom-in" title="Zoom in">+</button>
  <button id="zoom-out" title="Zoom out">−</button>
  <button id="zoom-reset" title="Actual size">1:1</button>
  <button id="zoom-fit" title="Fit to the panel">Fit</button>
  <span id="status">Waiting for the language server…</span>
</div>
<div id="viewport"><div id="canvas"></div></div>
<div id="error" hidden></div>`);
}

export function apiExplorerPage(r: PageResources): string {
  return page(r, `<h1 id="title">API explorer</h1>
<p id="doc">Pick an endpoint with ⚡ Call or the Reprise tree.</p>
<div class="row">
  <select id="method"><option>GET</option><option>POST</option><option>PUT</option><option>PATCH</option><option>DELETE</option><option>HEAD</option><option>OPTIONS</option></select>
  <input id="path" type="text" spellcheck="false" aria-label="Path">
  <button id="send">Send</button>
  <span id="app-state" class="app stopped">app not running</span>
  <button id="start-app" hidden>▶ Run app</button>
</div>
<div id="history-row" class="row" hidden>
  <select id="history" aria-label="History of requests"></select>
  <button id="clear-history" class="secondary" title="Forget this endpoint's history">Clear</button>
</div>
<div id="params-section" hidden>
<h2>Parameters <span id="param-problems" class="problems"></span></h2>
<div id="params"></div>
</div>
<div id="request-meta">
<label for="query">Query (name=value per line)</label>
<textarea id="query" rows="2" spellcheck="false"></textarea>
<label for="headers">Headers (Name: value per line)</label>
<textarea id="headers" rows="3" spellcheck="false"></textarea>
</div>
<label for="body" id="body-label">JSON body</label>
<textarea id="body" rows="8" spellcheck="false"></textarea>
<h2>Response <span id="res-status" class="status"></span> <span id="res-time"></span></h2>
<p id="res-summary" class="summary" hidden></p>
<label>Headers</label>
<pre id="res-headers"></pre>
<label>Body</label>
<pre id="res-body"></pre>`);
}

/** The data pages (same bundles in VS Code and in the browser dashboard). */
export type DataPageKind = "db-table" | "sql-console";

export function dataPage(kind: DataPageKind, r: PageResources): string {
  if (kind === "db-table") {
    return page(r, `<div class="row">
  <h1 id="title">Table</h1>
  <span id="status" class="status"></span>
  <span class="spacer"></span>
  <button id="open-sql" class="secondary">SQL console</button>
</div>
<div class="row">
  <button id="prev" disabled>◀ Prev</button>
  <button id="next" disabled>Next ▶</button>
  <label for="limit">rows per page</label>
  <select id="limit"><option>25</option><option selected>50</option><option>100</option><option>500</option></select>
  <button id="refresh" class="secondary">Refresh</button>
</div>
<div class="row">
  <select id="filter-column" aria-label="Filter column"></select>
  <select id="filter-op" aria-label="Filter operator"></select>
  <input id="filter-value" type="text" spellcheck="false" aria-label="Filter value" placeholder="value">
  <button id="add-filter" class="secondary">Add filter</button>
  <div id="filters"></div>
</div>
<pre id="error" class="error" hidden></pre>
<div id="grid" class="grid-wrap"></div>`);
  }
  return page(r, `<div class="row">
  <h1 id="title">SQL console</h1>
  <span class="spacer"></span>
  <label><input id="allow-write" type="checkbox"> Allow writes (asks before each)</label>
  <button id="run" title="Ctrl+Enter">Run</button>
</div>
<div class="editor">
<textarea id="sql" rows="8" spellcheck="false" aria-label="SQL statement" placeholder="SELECT * FROM … (Ctrl+Enter runs, Ctrl+Space completes)"></textarea>
<ul id="suggest" class="suggest" hidden></ul>
</div>
<div class="row"><span id="status" class="status"></span></div>
<pre id="error" class="error" hidden></pre>
<div id="grid" class="grid-wrap"></div>`);
}

/** 128 bits of randomness, base64: a fresh nonce per page load. */
export function makeNonce(random: (n: number) => Uint8Array): string {
  return Buffer.from(random(16)).toString("base64");
}

/**
 * The browser dashboard's page (`GET /__reprise/`, runtime/src/dashboard.rs), a static file: no nonce hole because
 * the runtime's CSP header allows scripts from the origin's own files only (`script-src 'self'`); no inline script.
 * Navigation, a view the shell fills (databases, buckets, pub/sub) and a frame for the data pages and the catalog.
 */
export function dashboardPage(ui: string): string {
  const u = esc(ui);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${u}data.css">
<link rel="stylesheet" href="${u}dashboard.css">
<title>Reprise dashboard</title>
</head>
<body>
<header class="row">
<strong>Reprise</strong>
<nav class="row">
<button data-page="catalog" class="secondary">Service catalog</button>
<button data-page="diagram" class="secondary">Architecture</button>
<button data-page="explorer" class="secondary">API explorer</button>
<button data-page="databases" class="secondary">Databases</button>
<button data-page="buckets" class="secondary">Buckets</button>
<button data-page="pubsub" class="secondary">Pub/Sub</button>
<button data-page="traces" class="secondary">Traces</button>
</nav>
<span id="status" class="status"></span>
</header>
<main>
<div id="view"></div>
<iframe id="frame" title="page" hidden></iframe>
</main>
<script src="${u}dashboard.js"></script>
</body>
</html>`;
}

/** A data page (table grid or SQL console) as a static file of the browser dashboard, framed by its shell. */
export function dashboardDataPage(kind: DataPageKind, ui: string): string {
  // The header CSP (script-src 'self') is what guards these files; the page's own meta policy still needs a nonce,
  // which a static file cannot make secret, so the header is the policy that counts.
  return dataPage(kind, { cspSource: "'self'", nonce: "c3RhdGljLWRhc2hib2FyZA", style: `${ui}data.css`, title: kind === "db-table" ? "Table" : "SQL console",
    scripts: [`${ui}dashboard-frame.js`, `${ui}${kind}.js`], connectSrc: "'self'" });
}

/** The trace viewer as a static file of the browser dashboard: VS Code's theme variables from a stylesheet first. */
export function dashboardTracesPage(ui: string): string {
  const nonce = "c3RhdGljLWRhc2hib2FyZA";
  return tracesPage({ cspSource: "'self'", nonce, scripts: [`${ui}dashboard-frame.js`, `${ui}traces.js`] }).replace(
    "<style nonce=",
    `<link rel="stylesheet" nonce="${nonce}" href="${esc(ui)}dashboard-vars.css">\n<style nonce=`,
  );
}

/** The API explorer as a static file of the browser dashboard: VS Code's theme variables from a stylesheet first. */
export function dashboardExplorerPage(ui: string): string {
  return apiExplorerPage({ cspSource: "'self'", nonce: "c3RhdGljLWRhc2hib2FyZA", style: `${ui}api-explorer.css`, title: "API explorer", connectSrc: "'self'",
    scripts: [`${ui}dashboard-frame.js`, `${ui}api-explorer.js`] }).replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${esc(ui)}dashboard-vars.css">\n<link rel="stylesheet"`);
}
