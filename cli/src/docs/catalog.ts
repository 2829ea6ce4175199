/**
 * The service catalog as static HTML (`reprise docs --out DIR`): one page listing every service and its
 * endpoints with their doc comments, method and path, auth, the request fields by where they are read (path,
 * query, header, cookie, body), the response fields, and an example request. Pure (model in, files out); every
 * text from the app is escaped, and the page carries a CSP that allows nothing but its own stylesheet (no script).
 */
import type { AppModel, Endpoint, JSONSchema, Service } from "@reprise/protocol";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** An id usable in a URL fragment, from any service/endpoint name. */
const anchor = (...parts: string[]) => parts.map((p) => p.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)).join("--");

interface Field {
  name: string;
  source: string;
  type: string;
  required: boolean;
  doc: string | null;
}

function resolveRef(schema: JSONSchema, root: JSONSchema): JSONSchema {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return schema;
  let at: unknown = root;
  for (const part of ref.slice(2).split("/")) at = (at as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  return (at as JSONSchema | undefined) ?? schema;
}

function typeOf(schema: JSONSchema | undefined, root: JSONSchema, depth = 0): string {
  if (!schema || depth > 4) return "any";
  const s = resolveRef(schema, root);
  if (typeof schema.$ref === "string") return schema.$ref.split("/").pop() ?? "object";
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if ("const" in s) return JSON.stringify(s.const);
  const variants = (s.anyOf ?? s.oneOf) as JSONSchema[] | undefined;
  if (Array.isArray(variants)) return variants.map((v) => typeOf(v, root, depth + 1)).join(" | ");
  const t = s.type;
  if (Array.isArray(t)) return t.join(" | ");
  if (t === "array") return `${typeOf(s.items as JSONSchema | undefined, root, depth + 1)}[]`;
  if (typeof t === "string") return typeof s.format === "string" ? `${t} (${s.format})` : t;
  return "any";
}

function fields(schema: JSONSchema | null, defaultSource: string): Field[] {
  if (!schema) return [];
  const s = resolveRef(schema, schema);
  const props = (s.properties ?? {}) as Record<string, JSONSchema>;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  return Object.entries(props).map(([name, p]) => ({
    name: typeof p["x-reprise-name"] === "string" ? (p["x-reprise-name"] as string) : name,
    source: typeof p["x-reprise-source"] === "string" ? (p["x-reprise-source"] as string) : defaultSource,
    type: typeOf(p, schema),
    required: required.has(name),
    doc: typeof p.description === "string" ? p.description : null,
  }));
}

function example(schema: JSONSchema | undefined, root: JSONSchema, depth = 0): unknown {
  if (!schema || depth > 6) return null;
  const s = resolveRef(schema, root);
  if ("examples" in s && Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  const variants = (s.anyOf ?? s.oneOf) as JSONSchema[] | undefined;
  if (Array.isArray(variants)) return example(variants.find((v) => v.type !== "null") ?? variants[0], root, depth + 1);
  const t = Array.isArray(s.type) ? (s.type as string[]).find((x) => x !== "null") : s.type;
  switch (t) {
    case "string":
      return s.format === "date-time" ? "2026-01-01T00:00:00Z" : "string";
    case "integer":
    case "number":
      return 0;
    case "boolean":
      return false;
    case "array":
      return [example(s.items as JSONSchema | undefined, root, depth + 1)];
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, p] of Object.entries((s.properties ?? {}) as Record<string, JSONSchema>)) out[k] = example(p, root, depth + 1);
      return out;
    }
  }
  return null;
}

function fieldTable(list: Field[], withSource: boolean): string {
  if (!list.length) return "<p class=\"none\">none</p>";
  const head = `<tr><th>name</th>${withSource ? "<th>in</th>" : ""}<th>type</th><th>required</th><th>description</th></tr>`;
  const rows = list
    .map((f) => `<tr><td><code>${esc(f.name)}</code></td>${withSource ? `<td>${esc(f.source)}</td>` : ""}<td><code>${esc(f.type)}</code></td><td>${f.required ? "yes" : "no"}</td><td>${esc(f.doc ?? "")}</td></tr>`)
    .join("\n");
  return `<table>${head}\n${rows}</table>`;
}

function curl(e: Endpoint): string {
  const method = e.method.includes("*") ? "POST" : e.method[0] ?? "GET";
  const req = fields(e.request, "body");
  const path = e.pathSegments.map((s) => (s.type === "literal" ? s.value : `{${s.value}}`)).join("/");
  const query = req.filter((f) => f.source === "query").map((f) => `${encodeURIComponent(f.name)}=…`);
  const url = `http://localhost:4000/${path}${query.length ? `?${query.join("&")}` : ""}`;
  const lines = [`curl -X ${method} '${url}'`];
  for (const h of req.filter((f) => f.source === "header")) lines.push(`  -H '${h.name}: …'`);
  if (e.auth) lines.push("  -H 'Authorization: Bearer …'");
  const bodyFields = req.filter((f) => f.source === "body");
  if (bodyFields.length && e.request) {
    const root = e.request;
    const props = (resolveRef(root, root).properties ?? {}) as Record<string, JSONSchema>;
    const body: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(props)) if ((p["x-reprise-source"] ?? "body") === "body") body[k] = example(p, root);
    lines.push("  -H 'Content-Type: application/json'", `  -d '${JSON.stringify(body).replace(/'/g, "'\\''")}'`);
  }
  return lines.join(" \\\n");
}

function endpointSection(svc: Service, e: Endpoint): string {
  const badges = [e.expose ? "public" : "private", e.auth ? "auth" : null, e.raw ? "raw" : null, e.streaming ? `stream (${e.streaming})` : null, e.static ? "static files" : null].filter(Boolean);
  const parts = [
    `<section class="endpoint" id="${anchor(svc.name, e.name)}">`,
    `<h3><span class="method">${esc(e.method.join(", "))}</span> <code>${esc(e.path)}</code> <small>${esc(svc.name)}.${esc(e.name)}</small></h3>`,
    `<p class="badges">${badges.map((b) => `<span>${esc(b!)}</span>`).join(" ")}</p>`,
  ];
  if (e.doc) parts.push(`<p class="doc">${esc(e.doc).replace(/\n\n+/g, "</p><p class=\"doc\">")}</p>`);
  if (!e.raw && !e.static) {
    parts.push("<h4>Request</h4>", fieldTable(fields(e.streaming ? e.handshake : e.request, "body"), true));
    parts.push("<h4>Response</h4>", fieldTable(fields(e.response, "body"), false));
  }
  if (e.expose && !e.static) parts.push("<h4>Example</h4>", `<pre><code>${esc(curl(e))}</code></pre>`);
  parts.push(`<p class="where">${esc(e.location.file)}:${e.location.range.start.line + 1}</p>`, "</section>");
  return parts.join("\n");
}

export const CATALOG_CSS = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 2rem;color:#1b1b1b}
nav ul{columns:2}h2{border-bottom:1px solid #ccc;margin-top:2.5rem}section.endpoint{margin:1.5rem 0;padding:.5rem 1rem;border-left:3px solid #5a7}
.method{font-weight:600;color:#275}small{color:#666;font-weight:normal}.badges span{display:inline-block;background:#eef;border-radius:3px;padding:0 .4rem;margin-right:.3rem;font-size:.8rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}pre{background:#f5f5f5;padding:.6rem;overflow:auto}
.none,.where{color:#777;font-size:.85rem}
@media (prefers-color-scheme:dark){body{background:#1e1e1e;color:#ddd}pre{background:#2a2a2a}.badges span{background:#334}td,th{border-color:#444}}`;

/** The catalog's files: `index.html` and `catalog.css`. */
export function catalogFiles(model: AppModel): Map<string, string> {
  const services = [...model.app.services].sort((a, b) => a.name.localeCompare(b.name));
  const nav = services
    .map((s) => `<li><a href="#${anchor(s.name)}">${esc(s.name)}</a> (${s.endpoints.length})</li>`)
    .join("\n");
  const body = services
    .map((s) =>
      [
        `<h2 id="${anchor(s.name)}">${esc(s.name)}</h2>`,
        s.doc ? `<p class="doc">${esc(s.doc)}</p>` : "",
        s.endpoints.length ? s.endpoints.map((e) => endpointSection(s, e)).join("\n") : `<p class="none">no endpoints</p>`,
      ].join("\n"),
    )
    .join("\n");
  const title = `${model.app.id || "app"}: service catalog`;
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="catalog.css">
<title>${esc(title)}</title>
</head>
<body>
<h1>${esc(title)}</h1>
<nav><ul>
${nav}
</ul></nav>
${body}
</body>
</html>
`;
  return new Map([
    ["index.html", html],
    ["catalog.css", CATALOG_CSS + "\n"],
  ]);
}
