/**
 * The API explorer's parameter fields and history, and the data pages (table grid, SQL console), loaded as VS Code
 * loads them (real HTML with its CSP, the bundled scripts) in headless Chromium, with a stand-in for
 * acquireVsCodeApi. The test plays the host: it answers the pages' "admin" requests with canned runtime answers
 * and checks what the page asked for (paths built with protocol's helpers) and what it shows.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { AdminDbSchema, AdminQueryResult, AdminRows, Endpoint } from "@reprise/protocol";
import { apiExplorerPage, dataPage, type DataPageKind } from "../src/html.js";
import { draftRequest } from "../src/request-template.js";
import { paramFields, type HistoryEntry } from "../src/request-params.js";
import type { HostToExplorer } from "../src/messages.js";
import type { HostToData } from "../src/data/messages.js";
import { chromiumPath, launch, NO_CHROMIUM, ORIGIN, serve } from "./browser.js";

const skip = chromiumPath() ? false : NO_CHROMIUM;
let browser: Browser;
let media: string;

before(async () => {
  if (skip) return;
  media = mkdtempSync(join(tmpdir(), "reprise-dash-pages-"));
  // @ts-expect-error: plain .mjs build script without types
  const { bundleWebviews } = await import("../../scripts/bundle.mjs");
  await bundleWebviews(media, { minify: false });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  if (media) rmSync(media, { recursive: true, force: true });
});

const NONCE = "dGVzdG5vbmNldGVzdG5vbmNl";
const FAKE_API = `
window.__posted = []; window.__state = window.__initialState;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
  getState: () => window.__state, setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
});
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
`;

async function openPage(kind: "api-explorer" | DataPageKind, initialState: unknown = undefined): Promise<Page> {
  const page = await browser.newPage();
  const style = kind === "api-explorer" ? "api-explorer.css" : "data.css";
  const res = { cspSource: ORIGIN, nonce: NONCE, style: `${ORIGIN}/${style}`, title: kind, scripts: [`${ORIGIN}/fake-api.js`, `${ORIGIN}/${kind}.js`] };
  await serve(page, {
    "/index.html": { text: kind === "api-explorer" ? apiExplorerPage(res) : dataPage(kind, res) },
    "/fake-api.js": { text: `window.__initialState = ${JSON.stringify(initialState ?? null)} ?? undefined;${FAKE_API}` },
    [`/${kind}.js`]: { file: join(media, `${kind}.js`) },
    [`/${style}`]: { file: join(media, style) },
  });
  await page.goto(`${ORIGIN}/index.html`);
  return page;
}

type Posted = { type: string; [k: string]: any };
const posted = (page: Page) => page.evaluate(() => (window as any).__posted as Posted[]);
async function waitPosted(page: Page, pred: (m: Posted) => boolean, timeoutMs = 20000): Promise<Posted> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = (await posted(page)).find(pred);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no matching message posted within ${timeoutMs} ms; got ${JSON.stringify(await posted(page)).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}
const send = (page: Page, msg: HostToExplorer | HostToData) => page.evaluate((m) => window.postMessage(m, "*"), msg);
/** Answers the page's next unanswered admin request matching `pred` with a JSON body. */
async function answerAdmin(page: Page, pred: (m: Posted) => boolean, status: number, body: unknown, answered: Set<number>): Promise<Posted> {
  const req = await waitPosted(page, (m) => m.type === "admin" && !answered.has(m.id) && pred(m));
  answered.add(req.id);
  await send(page, { type: "adminResult", id: req.id, status, contentType: "application/json", body: JSON.stringify(body), error: null });
  return req;
}

const loc = { file: "s/a.ts", range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } };
const search: Endpoint = {
  name: "search", service: "users", method: ["GET"], path: "/orgs/:org/users", expose: true, auth: false, raw: false,
  pathSegments: [{ type: "literal", value: "orgs" }, { type: "param", value: "org", valueType: "string" }, { type: "literal", value: "users" }],
  streaming: null, static: null, bodyLimit: null, tags: [], sensitive: false, doc: null, exported: true, response: null, handshake: null, location: loc,
  request: { type: "object", required: ["org", "limit"], properties: {
    org: { type: "string", minLength: 2 },
    limit: { type: "integer", minimum: 1, maximum: 100 },
    sort: { type: "string", enum: ["asc", "desc"] },
    trace: { type: "string", format: "uuid", "x-reprise-source": "header", "x-reprise-name": "X-Trace-Id" },
  } },
};

test("API explorer: one field per path/query/header parameter, validated as the user types, kept in step with the raw request", { skip }, async () => {
  const page = await openPage("api-explorer");
  await waitPosted(page, (m) => m.type === "ready");
  await send(page, { type: "endpoint", endpoint: { kind: "endpoint", rootUri: "file:///app", service: "users", name: "search", methods: ["GET"], path: search.path, doc: null, auth: false, fields: paramFields(search), pathSegments: search.pathSegments }, draft: draftRequest(search), baseUrl: "http://127.0.0.1:4000", running: true, fresh: true });
  const field = (name: string) => page.locator(`#params [data-name="${name}"]`);
  await field("org").waitFor({ timeout: 10000 });
  assert.deepEqual(await page.locator("#params [data-name]").evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.source}:${(e as HTMLElement).dataset.name}:${e.tagName}`)),
    ["path:org:INPUT", "query:limit:INPUT", "query:sort:SELECT", "header:X-Trace-Id:INPUT"]);
  assert.equal(await field("limit").inputValue(), "1", "the field shows the draft's sample");

  await field("org").fill("a");
  assert.equal(await page.inputValue("#path"), "/orgs/a/users", "typing in a path field rewrites the path");
  assert.equal(await page.textContent("#param-0-error"), "at least 2 characters");
  await field("org").fill("acme co");
  assert.equal(await page.inputValue("#path"), "/orgs/acme%20co/users");
  assert.equal(await page.textContent("#param-0-error"), "");

  await field("limit").fill("500");
  assert.equal(await page.textContent("#param-1-error"), "must be ≤ 100");
  assert.equal(await field("limit").getAttribute("aria-invalid"), "true");
  assert.match((await page.textContent("#param-problems")) ?? "", /1 invalid/);
  assert.match(await page.inputValue("#query"), /^limit=500$/m);
  await field("sort").selectOption("desc");
  assert.match(await page.inputValue("#query"), /^sort=desc$/m);
  await field("X-Trace-Id").fill("not-a-uuid");
  assert.equal(await page.textContent("#param-3-error"), "must be a UUID");
  assert.match(await page.inputValue("#headers"), /^X-Trace-Id: not-a-uuid$/m);

  // The other way: editing the raw query text updates the field and its check.
  await page.fill("#query", "limit=7\nsort=desc");
  assert.equal(await field("limit").inputValue(), "7");
  assert.equal(await page.textContent("#param-1-error"), "");
  await page.fill("#path", "/orgs/x/users");
  assert.equal(await field("org").inputValue(), "x");
  assert.equal(await page.textContent("#param-0-error"), "at least 2 characters");

  await page.click("#send");
  const sent = await waitPosted(page, (m) => m.type === "send");
  assert.equal(sent.request.path, "/orgs/x/users");
  assert.deepEqual(sent.request.query, [{ name: "limit", value: "7" }, { name: "sort", value: "desc" }]);
  assert.deepEqual(await page.evaluate(() => (window as any).__violations), []);
  await page.close();
});

test("API explorer: the history lists earlier requests and loads one back; Clear asks the host", { skip }, async () => {
  const page = await openPage("api-explorer");
  await waitPosted(page, (m) => m.type === "ready");
  await send(page, { type: "endpoint", endpoint: { kind: "endpoint", rootUri: "file:///app", service: "users", name: "search", methods: ["GET"], path: search.path, doc: null, auth: false, fields: paramFields(search), pathSegments: search.pathSegments }, draft: draftRequest(search), baseUrl: "http://127.0.0.1:4000", running: true, fresh: true });
  assert.ok(await page.locator("#history-row").isHidden(), "no history row before the first request");
  const entries: HistoryEntry[] = [
    { at: Date.UTC(2026, 0, 1, 10, 0, 0), draft: { method: "GET", path: "/orgs/acme/users", query: [{ name: "limit", value: "5" }], headers: [], body: "" }, status: 200, error: null, timeMs: 4 },
    { at: Date.UTC(2026, 0, 1, 9, 0, 0), draft: { method: "GET", path: "/orgs/zz/users", query: [], headers: [], body: "" }, status: 0, error: "connection refused", timeMs: 0 },
  ];
  await send(page, { type: "history", entries });
  await page.locator("#history-row").waitFor({ state: "visible", timeout: 10000 });
  const labels = await page.locator("#history option").allTextContents();
  assert.equal(labels.length, 3);
  assert.match(labels[0], /History \(2\)/);
  assert.match(labels[1], /GET \/orgs\/acme\/users\?limit=5 → 200 · 4 ms$/);
  assert.match(labels[2], /→ error: connection refused/);
  await page.selectOption("#history", "0");
  assert.equal(await page.inputValue("#path"), "/orgs/acme/users");
  assert.equal(await page.inputValue("#query"), "limit=5");
  assert.equal(await page.locator('#params [data-name="org"]').inputValue(), "acme");
  assert.equal(((await page.evaluate(() => (window as any).__state)) as any).draft.path, "/orgs/acme/users", "the loaded request is the saved draft");
  await page.click("#clear-history");
  await waitPosted(page, (m) => m.type === "clearHistory");
  await page.close();
});

const schema: AdminDbSchema = { database: "shop", tables: [
  { schema: "public", name: "orders", kind: "table", rowCount: 120, rowCountExact: true, indexes: [], columns: [
    { name: "id", type: "integer", nullable: false, default: null, primaryKey: true },
    { name: "note", type: "text", nullable: true, default: null, primaryKey: false },
    { name: "total", type: "numeric", nullable: false, default: null, primaryKey: false }] },
  { schema: "public", name: "order_items", kind: "table", rowCount: 3, rowCountExact: true, indexes: [], columns: [{ name: "sku", type: "text", nullable: false, default: null, primaryKey: false }] },
] };
const rowsPage = (offset: number, n: number, hasMore: boolean): AdminRows => ({
  database: "shop", schema: "public", table: "orders", columns: [{ name: "id", type: "int4" }, { name: "note", type: "text" }],
  rows: Array.from({ length: n }, (_, i) => [offset + i + 1, i === 0 ? null : `<b>note ${offset + i + 1}</b>`]), offset, limit: 50, hasMore, caps: { rows: 1000, bytes: 1048576 }, truncated: null,
});

test("table grid: pages through rows, sorts by a header, filters, shows NULL and never renders data as HTML", { skip }, async () => {
  const page = await openPage("db-table");
  await waitPosted(page, (m) => m.type === "ready");
  const answered = new Set<number>();
  await send(page, { type: "target", target: { page: "table", database: "shop", schema: "public", table: "orders" } });
  const first = await answerAdmin(page, () => true, 200, rowsPage(0, 50, true), answered);
  assert.equal(first.method, "GET");
  assert.equal(first.path, "/__reprise/admin/databases/shop/tables/orders/rows?schema=public&offset=0&limit=50");
  await waitPosted(page, (m) => m.type === "shown" && m.what === "rows");
  assert.equal(await page.locator("table.grid tbody tr").count(), 50);
  assert.equal(await page.locator("table.grid tbody tr").first().locator("td").nth(1).textContent(), "NULL");
  assert.equal(await page.locator("table.grid b").count(), 0, "cell text is text, not markup");
  assert.match((await page.textContent("#status")) ?? "", /rows 1–50/);
  assert.ok(await page.locator("#prev").isDisabled());

  await page.click("#next");
  const second = await answerAdmin(page, () => true, 200, rowsPage(50, 10, false), answered);
  assert.match(second.path, /offset=50&limit=50/);
  await page.locator("#status", { hasText: "rows 51–60 (end)" }).waitFor({ timeout: 10000 });
  assert.ok(await page.locator("#next").isDisabled());

  await page.locator("table.grid th", { hasText: "note" }).click();
  const sorted = await answerAdmin(page, () => true, 200, rowsPage(0, 5, false), answered);
  assert.match(sorted.path, /offset=0&limit=50&order=note$/);
  await page.locator("table.grid th", { hasText: "note ▲" }).click();
  const desc = await answerAdmin(page, () => true, 200, rowsPage(0, 5, false), answered);
  assert.match(desc.path, /order=note&desc=1$/);
  await waitPosted(page, (m) => m.type === "shown" && m.rows === 5);

  await page.selectOption("#filter-column", "note");
  await page.selectOption("#filter-op", "ilike");
  await page.fill("#filter-value", "%a:b%");
  await page.click("#add-filter");
  const filtered = await answerAdmin(page, () => true, 404, { code: "not_found", message: "no table public.orders", details: null }, answered);
  assert.equal(new URL(filtered.path, "http://x").searchParams.get("filter"), "note:ilike:%a:b%");
  await page.locator("#error", { hasText: "404 not_found: no table public.orders" }).waitFor({ timeout: 10000 });
  assert.equal(((await page.evaluate(() => (window as any).__state)) as any).target.table, "orders", "the target is saved for a reload");

  await page.click("#open-sql");
  assert.deepEqual((await waitPosted(page, (m) => m.type === "openPage")).target, { page: "sql", database: "shop" });
  assert.deepEqual(await page.evaluate(() => (window as any).__violations), []);
  await page.close();
});

test("SQL console: runs read-only, shows results and caps, puts an error at Postgres's position, completes from the schema, confirms writes", { skip }, async () => {
  const page = await openPage("sql-console", { target: { page: "sql", database: "shop" }, sql: "" });
  const answered = new Set<number>();
  await waitPosted(page, (m) => m.type === "ready");
  const schemaReq = await answerAdmin(page, (m) => m.path.endsWith("/schema"), 200, schema, answered);
  assert.equal(schemaReq.path, "/__reprise/admin/databases/shop/schema");

  // Completion: after "o." the columns of the aliased table.
  await page.fill("#sql", "SELECT  FROM orders o");
  await page.evaluate(() => { const t = document.getElementById("sql") as HTMLTextAreaElement; t.focus(); t.setSelectionRange(7, 7); });
  await page.keyboard.type("o.");
  await page.locator("#suggest li", { hasText: "note" }).waitFor({ timeout: 10000 });
  assert.deepEqual(await page.locator("#suggest li").allTextContents(), ["id", "note", "total"], "typing the dot lists the alias's columns");
  await page.keyboard.type("t");
  assert.deepEqual(await page.locator("#suggest li").allTextContents(), ["total"]);
  await page.keyboard.press("Escape");
  await page.fill("#sql", "SELECT o.t FROM orders o");
  await page.evaluate(() => { const t = document.getElementById("sql") as HTMLTextAreaElement; t.focus(); t.setSelectionRange(10, 10); });
  await page.keyboard.press("Control+Space");
  assert.deepEqual(await page.locator("#suggest li").allTextContents(), ["total"]);
  await page.keyboard.press("Enter");
  assert.equal(await page.inputValue("#sql"), "SELECT o.total FROM orders o");
  // Ctrl+Space on a word: tables first, then keywords.
  await page.fill("#sql", "select * from ord");
  await page.evaluate(() => { const t = document.getElementById("sql") as HTMLTextAreaElement; t.focus(); t.setSelectionRange(t.value.length, t.value.length); });
  await page.keyboard.press("Control+Space");
  assert.deepEqual(await page.locator("#suggest li").allTextContents(), ["orders", "order_items", "ORDER BY"]);
  await page.keyboard.press("Escape");

  await page.fill("#sql", "SELECT id, note FROM orders");
  await page.click("#run");
  const q = await waitPosted(page, (m) => m.type === "admin" && m.path.endsWith("/query"));
  answered.add(q.id);
  assert.equal(q.method, "POST");
  assert.deepEqual(JSON.parse(q.body), { sql: "SELECT id, note FROM orders", write: false });
  const result: AdminQueryResult = { database: "shop", columns: [{ name: "id", type: "int4" }, { name: "note", type: "text" }], rows: [[1, "a"], [2, null]], rowCount: 1500, truncated: "rows", caps: { rows: 1000, bytes: 1048576 }, readOnly: true, durationMs: 2.5 };
  await send(page, { type: "adminResult", id: q.id, status: 200, contentType: "application/json", body: JSON.stringify(result), error: null });
  await page.locator("#status", { hasText: "1500 rows · first 1000 shown (row cap) · 2.5 ms · read-only, rolled back" }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator("table.grid tbody tr").count(), 2);
  assert.equal((await waitPosted(page, (m) => m.type === "shown" && m.what === "result")).committed, false, "a read-only result is not a write");

  // An error at position 22 (1-based) of line 2 → line 2, column 8, caret under it, the cursor moved there.
  await page.fill("#sql", "SELECT id\nFROM ordrs WHERE x");
  await page.keyboard.press("Control+Enter");
  await answerAdmin(page, (m) => m.path.endsWith("/query"), 400, { code: "invalid_argument", message: 'relation "ordrs" does not exist', details: { sqlState: "42P01", position: 16 } }, answered);
  await page.locator("#error", { hasText: "at line 2, column 6" }).waitFor({ timeout: 10000 });
  assert.equal(await page.textContent("#error"), '400 invalid_argument: relation "ordrs" does not exist\nat line 2, column 6:\nFROM ordrs WHERE x\n     ^');
  assert.deepEqual(await page.evaluate(() => { const t = document.getElementById("sql") as HTMLTextAreaElement; return [t.selectionStart, t.selectionEnd]; }), [15, 16]);

  // A write: the page asks the host to confirm first; "no" sends nothing.
  await page.fill("#sql", "DELETE FROM orders");
  await page.check("#allow-write");
  await page.click("#run");
  const c1 = await waitPosted(page, (m) => m.type === "confirm");
  await send(page, { type: "confirmResult", id: c1.id, ok: false });
  await page.waitForTimeout(200);
  assert.ok(!(await posted(page)).some((m) => m.type === "admin" && !answered.has(m.id)), "a refused write is not sent");
  await page.click("#run");
  const c2 = await waitPosted(page, (m) => m.type === "confirm" && m.id !== c1.id);
  await send(page, { type: "confirmResult", id: c2.id, ok: true });
  const w = await waitPosted(page, (m) => m.type === "admin" && m.path.endsWith("/query") && !answered.has(m.id));
  assert.deepEqual(JSON.parse(w.body), { sql: "DELETE FROM orders", write: true });
  assert.equal(((await page.evaluate(() => (window as any).__state)) as any).sql, "DELETE FROM orders", "the text is saved for a reload");
  assert.deepEqual(await page.evaluate(() => (window as any).__violations), []);
  await page.close();
});
