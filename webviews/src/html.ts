/**
 * The webview pages. Static markup with exactly two holes filled from the host: the CSP nonce and resource URIs
 * (both escaped). The CSP allows scripts only with the per-load nonce, no network (`connect-src 'none'`), and
 * images/styles/fonts only from the extension's own folder. `style-src 'unsafe-inline'` is needed because
 * mermaid writes a <style> element into every SVG it renders; scripts stay nonce-only.
 */
export interface PageResources {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** Script URIs (as strings, already converted with asWebviewUri), loaded in order. */
  scripts: string[];
  style: string;
  title: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(r: PageResources, body: string): string {
  const csp = [
    "default-src 'none'",
    `img-src ${r.cspSource} data:`,
    `style-src ${r.cspSource} 'unsafe-inline'`,
    `font-src ${r.cspSource}`,
    `script-src 'nonce-${r.nonce}'`,
    "connect-src 'none'",
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

/** 128 bits of randomness, base64: a fresh nonce per page load. */
export function makeNonce(random: (n: number) => Uint8Array): string {
  return Buffer.from(random(16)).toString("base64");
}
